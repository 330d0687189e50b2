"""deploy/gunicorn.conf.py: a gunicorn worker that ends stops counting in the node's live gauges (Prometheus'
multiprocess mode, issue 17), while what it counted stays in the node's totals."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

# A worker's own metrics, as the portal's workers write them: a counter and a live gauge.
APP = """
from prometheus_client import Counter, Gauge

SERVED = Counter("served", "requests")
BUSY = Gauge("busy", "workers", multiprocess_mode="livesum")


def application(environ, start_response):
    SERVED.inc()
    BUSY.set(1)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def files(folder, prefix):
    return sorted(path.name for path in folder.glob(f"{prefix}_*.db"))


def test_a_worker_that_ends_leaves_its_counters_but_not_its_live_gauges(tmp_path):
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (tmp_path / "app.py").write_text(APP)
    port = free_port()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    gunicorn = subprocess.Popen(  # noqa: S603 — our virtualenv's gunicorn, arguments we built
        [
            str(BIN / "gunicorn"),
            "app:application",
            f"--config={ROOT / 'deploy' / 'gunicorn.conf.py'}",
            f"--chdir={tmp_path}",
            f"--bind=127.0.0.1:{port}",
            "--workers=1",
            "--max-requests=1",  # each worker answers once and is replaced
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        answered = 0
        while answered < 2 and time.monotonic() < deadline:
            try:
                answered += requests.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
            except requests.ConnectionError:
                time.sleep(0.1)
        assert answered == 2
        # The master runs child_exit once the first worker is reaped: wait for its replacement's gauge only.
        while len(files(metrics, "gauge_livesum")) != 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(files(metrics, "counter")) == 2  # both workers' requests still count
        assert len(files(metrics, "gauge_livesum")) == 1  # only the living worker is busy
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=20)


def test_make_serve_and_compose_start_their_nodes_with_the_hooks():
    import yaml

    sys.path.insert(0, str(ROOT / "deploy"))
    import serve

    lines = serve.procfile(
        nginx="nginx", prefix="p", conf="c", ports=[8081, 8082], workers=2, threads=4, schedule="s"
    ).splitlines()
    webs = [line for line in lines if line.startswith("web")]
    assert len(webs) == 2 and all(f"--config={ROOT / 'deploy' / 'gunicorn.conf.py'}" in w for w in webs)
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    command = compose["services"]["web"]["command"]
    assert command[command.index("--config") + 1] == "deploy/gunicorn.conf.py"  # the image's /app/deploy
