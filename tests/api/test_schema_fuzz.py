"""The API against its own schema (issue 13's "Done when"): schemathesis, on a live server, with a token.

No server error, no answer that breaks the schema, and nothing accepted that the schema forbids — for every
operation the schema lists, as a customer and as an RT holding cases, drafts and orders.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gdportal.api.models import ApiToken
from tests import factories
from tests.atende.conftest import make_case

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)


def schemathesis(live_server, token, tmp_path, max_examples):
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{live_server.url}/api/schema/",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--max-examples",
        str(max_examples),
        "--seed",
        "20261201",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--request-timeout",
        "30",
        "--suppress-health-check",
        "all",
        "--no-color",
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=tmp_path, env=env, check=False
    )
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def unlimited(settings):
    settings.GD_API_RATE_LIMIT = 1_000_000


@pytest.mark.parametrize("who", ["customer", "rt"])
def test_the_api_keeps_its_schema_under_generated_input(who, live_server, unlimited, tmp_path, request):
    customer = request.getfixturevalue("customer")
    installation = request.getfixturevalue("installation")
    rt = request.getfixturevalue("rt")
    make_case(customer, installation)
    make_case(customer, factories.InstallationFactory(customer=installation.customer), rt=rt)
    user = customer if who == "customer" else rt
    _row, token = ApiToken.issue(user=user, name="schemathesis")
    examples = int(os.environ.get("GD_FUZZ_EXAMPLES", "15"))
    code, output = schemathesis(live_server, token, tmp_path, max_examples=examples)
    assert code == 0, output[-15000:]
