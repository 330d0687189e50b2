"""Browser tests: Playwright drives Debian's Chromium (no browser download is possible here)."""

import os
import shutil

import pytest

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"Chromium is required in CI ({CHROMIUM} not found)")
        pytest.skip("Debian chromium not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "pt-BR", "timezone_id": "America/Sao_Paulo"}


@pytest.fixture
def demo(transactional_db, settings):
    """The demo people, registry and plant, without the stage-3 journey (six cases walked through every
    stage, each upload parsed in the PDF sandbox: seconds per test that these pages do not use). The full
    seed is tested by tests/test_seed_demo.py and used by `demo_full`."""
    from django.core.management import call_command

    settings.GD_DEMO_JOURNEYS = [
        path for path in settings.GD_DEMO_JOURNEYS if path != "demo.journeys.seed_cases"
    ]
    call_command("seed_demo")


@pytest.fixture
def demo_full(transactional_db):
    from django.core.management import call_command

    call_command("seed_demo")
