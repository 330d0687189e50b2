import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parent.parent


def compose_command():
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    return None


def test_compose_file_is_valid():
    command = compose_command()
    if command is None:
        if IN_CI:
            pytest.fail("docker compose (or docker-compose) is needed in CI to validate docker-compose.yml")
        pytest.skip("no docker compose here")
    result = subprocess.run(
        [*command, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_runs_the_full_stack_with_exactly_one_beat():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert {"db", "redis", "proxy", "web", "worker", "beat", "mailpit", "minio"} <= set(services)
    beats = [name for name, svc in services.items() if "beat" in " ".join(map(str, svc.get("command", [])))]
    assert beats == ["beat"]
    web_env = services["web"]["environment"]
    assert web_env["DJANGO_DEBUG"] == "false" and web_env["STORAGE_BACKEND"] == "s3"
    assert web_env["DATABASE_URL"].startswith("postgres://") and web_env["REDIS_URL"].startswith("redis://")


def test_the_proxy_is_the_only_published_web_port():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    assert "ports" not in services["web"]
    assert services["proxy"]["ports"] == ["8000:8080"]
    published = {name for name, svc in services.items() if svc.get("ports")}
    assert published == {"proxy", "mailpit", "minio"}  # the mail catcher's and MinIO's consoles
    mounts = services["proxy"]["volumes"]
    assert "./deploy/nginx.compose.conf:/etc/nginx/nginx.conf:ro" in mounts
    assert "./deploy/errors:/etc/nginx/gdportal-errors:ro" in mounts
    # The portal trusts exactly one proxy's X-Forwarded-For entry.
    assert services["web"]["environment"]["AXES_IPWARE_PROXY_COUNT"] == "1"


def test_the_proxy_config_is_the_template_rendered_for_compose():
    """deploy/nginx.compose.conf is generated: a change to the template or to the portal's upload limits must
    be rendered again (python deploy/render_nginx.py --compose --out deploy/nginx.compose.conf)."""
    import sys

    sys.path.insert(0, str(ROOT / "deploy"))
    import render_nginx

    assert (ROOT / "deploy" / "nginx.compose.conf").read_text() == render_nginx.compose_config()


def test_the_error_pages_are_rendered_from_one_template(tmp_path):
    """The four pages nginx answers for the portal share one layout (deploy/error_page.html.template): the
    copy compose mounts is that template rendered, and `make serve` renders its own beside its config."""
    import sys

    sys.path.insert(0, str(ROOT / "deploy"))
    import render_nginx

    pages = render_nginx.error_pages()
    assert sorted(pages) == sorted(p.name for p in (ROOT / "deploy" / "errors").iterdir())
    for name, text in pages.items():
        assert (ROOT / "deploy" / "errors" / name).read_text() == text, name
    assert (
        "<h1>Portal indisponível no momento</h1>" in pages["502.html"] and "(erro 502)" in pages["502.html"]
    )
    render_nginx.main(
        [
            "--upstream=127.0.0.1:9",
            f"--prefix={tmp_path}",
            "--client-max-body-size=17m",
            f"--out={tmp_path}/n.conf",
        ]
    )
    assert (tmp_path / "errors" / "504.html").read_text() == pages["504.html"]
    assert f"alias {tmp_path / 'errors'}/;" in (tmp_path / "n.conf").read_text()
