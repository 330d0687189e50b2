"""The front door (issue 17): `make serve`'s stack — nginx in front of two gunicorn nodes, a worker, a beat —
started by deploy/serve.py against the PostgreSQL test database and Redis, used as a person and an attacker
would: a 50 MB body refused from its headers (through nginx and against a bare node), a journey whose requests
alternate between the two nodes, a login lockout reached on one node holding on the other.

One stack serves the whole module (it takes a few seconds to start); the data each test needs is committed
(transactional tests), since the nodes are other processes.
"""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from gdportal.cases.choices import CaseState
from tests import factories
from tests.atende.conftest import request_data
from tests.conftest import IN_CI, _reachable
from tests.files import pdf_bytes

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
FIFTY_MB = 50 * 1024 * 1024
FAILURE_LIMIT = 3
sys.path.insert(0, str(ROOT / "deploy"))  # deploy/ is not a package: its scripts run as files
import serve  # noqa: E402


def _need(condition, reason):
    if not condition:
        if IN_CI:
            pytest.fail(f"{reason} (required in CI)")
        pytest.skip(reason)


def _free_base_port(count):
    return serve.free_base_port(count)


FAIL_TIMEOUT_SECONDS = 5.5


class Stack:
    def __init__(self, tmp, env):
        self.tmp = tmp
        self.port = int(env["PORT"])
        self.nodes = [self.port + 1, self.port + 2]
        self.log_path = tmp / "serve.log"
        self.log = open(self.log_path, "wb")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "deploy" / "serve.py"), "--skip-setup"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # if the test dies, its whole group is ended in stop()
        )

    def url(self, port=None):
        return f"http://127.0.0.1:{port or self.port}"

    def output(self):
        return self.log_path.read_text(errors="replace")[-6000:]

    def wait_ready(self, timeout=120):
        # nginx and the nodes start together: nginx's first requests find the nodes still booting, and it
        # counts each refusal against the node (max_fails, fail_timeout=5s in deploy/render_nginx.py). Ready
        # is every door answering 200 *and* fail_timeout gone by since the last refusal, or a test's first
        # request may meet "no live upstreams" (a 502) while the nodes are up.
        deadline = time.monotonic() + timeout
        last_refusal = time.monotonic()
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                answers = [
                    requests.get(f"{self.url(port)}/healthz", timeout=2).status_code
                    for port in [self.port, *self.nodes]
                ]
            except requests.RequestException:
                answers = []
            if answers and all(code == 200 for code in answers):
                if time.monotonic() - last_refusal >= FAIL_TIMEOUT_SECONDS:
                    return
            else:
                last_refusal = time.monotonic()
            time.sleep(0.3)
        pytest.fail(f"the stack did not answer /healthz in {timeout} s:\n{self.output()}")

    def stop(self):
        """Ctrl-C, as a person stops `make serve`; the group is killed only if that fails."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if not self.log.closed:
            self.log.close()


@pytest.fixture(scope="module")
def stack(django_db_setup, django_db_blocker, tmp_path_factory):
    import shutil

    from django.db import connection

    _need(shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK), "nginx is not installed")
    _need(connection.vendor == "postgresql", "needs PostgreSQL (set DATABASE_URL)")
    redis_url = os.environ.get("REDIS_URL")
    _need(redis_url and _reachable(redis_url, 6379), "needs Redis (set REDIS_URL)")
    import redis

    broker = redis_url.rsplit("/", 1)[0] + "/12"  # a database of its own: no message left from other runs
    redis.Redis.from_url(broker).flushdb()

    db = connection.settings_dict
    tmp = tmp_path_factory.mktemp("front-door")
    (tmp / "tmp").mkdir()
    env = serve.scratch_env(
        os.environ, db=db, redis_url=redis_url, broker=broker, work=tmp, port=_free_base_port(3)
    )
    env.update(
        {
            "WEB_NODES": "2",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "2",
            "AXES_FAILURE_LIMIT": str(FAILURE_LIMIT),
        }
    )
    with django_db_blocker.unblock():
        running = Stack(tmp, env)
        try:
            running.wait_ready()
            yield running
        finally:
            running.stop()


class Browser(requests.Session):
    """A browser's cookie jar, less one refusal: production cookies are Secure, and these tests speak plain
    HTTP on loopback (as a browser does on http://localhost, where it sends them)."""

    def request(self, *args, **kwargs):
        response = super().request(*args, **kwargs)
        for cookie in self.cookies:
            cookie.secure = False
        return response

    def form_token(self, url):
        page = self.get(url, timeout=10)
        assert page.status_code == 200, page.text[:2000]
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]


def raw_post(port, path, headers, first_bytes=256 * 1024):
    """Headers declaring a 50 MB body, and its first bytes; (status line, rest, seconds to the answer)."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {FIFTY_MB}\r\n{head}\r\n".encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        started = time.monotonic()
        with contextlib.suppress(OSError):  # the server may already have answered and closed
            sock.sendall(b"x" * first_bytes)
        sock.settimeout(1.0)
        answer, elapsed = b"", None
        with contextlib.suppress(TimeoutError):
            while b"\r\n\r\n" not in answer:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
            elapsed = time.monotonic() - started
            length = re.search(rb"(?i)\r\ncontent-length: *(\d+)", answer)
            sock.settimeout(3.0)
            while length and len(answer.partition(b"\r\n\r\n")[2]) < int(length[1]):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                answer += chunk
    status, _, rest = answer.partition(b"\r\n")
    return status.decode(errors="replace"), rest.decode(errors="replace"), elapsed


def _files(folder):
    return sorted(str(p) for p in Path(folder).rglob("*") if p.is_file())


UPLOAD_URL = "/atende/gd/solicitar/instalacao/3000000001/"  # the request form: the largest limit there is
MULTIPART = {"Content-Type": "multipart/form-data; boundary=----x"}


def test_a_50_mb_body_is_refused_from_its_headers_through_nginx(stack):
    temp = stack.tmp / "var" / "nginx" / "temp"
    before = _files(temp)
    status, body, elapsed = raw_post(stack.port, UPLOAD_URL, MULTIPART)
    assert status.startswith("HTTP/1.1 413"), (status, body[:500])
    assert elapsed is not None and elapsed < 1.0
    assert "Dados demais enviados" in body and 'lang="pt-br"' in body  # the portal's page, not nginx's
    assert _files(temp) == before  # no part of the body was buffered to disk
    status, body, elapsed = raw_post(stack.port, "/api/v1/cases/", {"Content-Type": "application/json"})
    assert status.startswith("HTTP/1.1 413") and elapsed is not None and elapsed < 1.0
    assert "application/problem+json" in body and '"status": 413' in body


def test_a_50_mb_body_is_refused_from_its_headers_by_a_bare_node(stack):
    spool = stack.tmp / "tmp"
    before = _files(spool)
    status, body, elapsed = raw_post(stack.nodes[0], UPLOAD_URL, MULTIPART)
    assert status.startswith("HTTP/1.1 413"), (status, body[:500])
    assert elapsed is not None and elapsed < 1.0
    assert "Cada arquivo pode ter até 3 MB" in body
    status, body, elapsed = raw_post(stack.nodes[1], "/api/v1/cases/", {"Content-Type": "application/json"})
    assert status.startswith("HTTP/1.1 413") and elapsed is not None and elapsed < 1.0
    assert "application/problem+json" in body and '"status": 413' in body
    assert _files(spool) == before  # Django spooled nothing to the temporary directory


def test_nginx_answers_healthz_with_a_request_id_and_serves_hashed_static_files_for_a_year(stack):
    health = requests.get(f"{stack.url()}/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert re.fullmatch(r"[0-9a-f]{32}", health.headers["X-Request-ID"])
    static = stack.tmp / "var" / "staticfiles" / "css"
    static.mkdir(parents=True, exist_ok=True)
    (static / "portal.0123456789ab.css").write_text("body { color: #000; }\n" * 200)
    (static / "portal.css").write_text("body { color: #000; }\n" * 200)
    hashed = requests.get(f"{stack.url()}/static/css/portal.0123456789ab.css", timeout=5)
    assert hashed.status_code == 200 and "immutable" in hashed.headers["Cache-Control"]
    assert hashed.headers.get("Content-Encoding") == "gzip"
    plain = requests.get(f"{stack.url()}/static/css/portal.css", timeout=5)
    assert plain.headers["Cache-Control"] == "public, max-age=3600"


def test_a_journey_alternating_between_the_two_nodes_ends_right(stack, customer, installation):
    from gdportal.cases.models import Case, DocumentVersion

    one, two = (stack.url(port) for port in stack.nodes)
    browser = Browser()
    token = browser.form_token(f"{one}/accounts/login/")
    signed_in = browser.post(
        f"{one}/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": customer.email, "password": factories.PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]

    form = f"{two}/atende/gd/solicitar/instalacao/{installation.number}/"
    data = request_data(document=installation.customer.document_display)
    filed = browser.post(
        form,
        {**data, "csrfmiddlewaretoken": browser.form_token(form)},
        files={"file_identity": ("rg-cpf.pdf", pdf_bytes(), "application/pdf")},
        allow_redirects=False,
        timeout=30,
    )
    assert filed.status_code == 302, filed.text[:3000]
    draft = f"{one}{filed.headers['Location']}"
    sent = browser.post(
        draft, {"csrfmiddlewaretoken": browser.form_token(draft)}, allow_redirects=False, timeout=30
    )
    assert sent.status_code == 302, sent.text[:3000]
    case = Case.objects.get()
    assert case.state == CaseState.SUBMITTED and sent.headers["Location"].endswith(
        f"/{case.protocol}/comprovante/"
    )
    receipt = browser.get(f"{two}{sent.headers['Location']}", timeout=10)
    document = DocumentVersion.objects.get(case=case)
    assert receipt.status_code == 200 and case.protocol in receipt.text and document.sha256 in receipt.text
    assert (stack.tmp / "media" / document.file.name).is_file()  # stored by one node, seen by the other


def test_a_lockout_reached_on_one_node_holds_on_the_other_and_through_nginx(stack, customer):
    one, two = (stack.url(port) for port in stack.nodes)
    attacker = Browser()
    for attempt in range(FAILURE_LIMIT):
        # Alternate the doors; through nginx with a forged X-Forwarded-For each time, which is not believed.
        base = [one, two, stack.url()][attempt % 3]
        forged = {"X-Forwarded-For": f"203.0.113.{attempt + 1}"} if base == stack.url() else {}
        token = attacker.form_token(f"{base}/accounts/login/")
        failed = attacker.post(
            f"{base}/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": customer.email, "password": "wrong-password-1"},
            headers=forged,
            allow_redirects=False,
            timeout=10,
        )
        assert failed.status_code in (200, 429), failed.text[:2000]
    owner = Browser()
    token = owner.form_token(f"{two}/accounts/login/")
    locked = owner.post(
        f"{two}/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": customer.email, "password": factories.PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert locked.status_code == 429, locked.text[:2000]


def test_with_every_node_down_nginx_answers_the_portals_own_502(tmp_path):
    """nginx alone, its one upstream a closed port: a person gets the portal's pt-BR page, a program
    problem+json — never nginx's own page."""
    import shutil

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    _need(os.access(nginx, os.X_OK), "nginx is not installed")
    port = _free_base_port(2)
    conf = tmp_path / "nginx" / "nginx.conf"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "deploy" / "render_nginx.py"),
            f"--listen=127.0.0.1:{port}",
            f"--upstream=127.0.0.1:{port + 1}",
            f"--prefix={tmp_path / 'nginx'}",
            "--client-max-body-size=17m",
            f"--out={conf}",
        ],
        check=True,
        cwd=ROOT,
    )
    process = subprocess.Popen(
        [nginx, "-p", str(tmp_path / "nginx"), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while not _reachable(f"http://127.0.0.1:{port}", port) and time.monotonic() < deadline:
            time.sleep(0.05)
        page = requests.get(f"http://127.0.0.1:{port}/atende/", timeout=10)
        assert page.status_code == 502 and "Portal indisponível no momento" in page.text
        assert "<center>nginx" not in page.text and page.headers["X-Request-ID"]  # not nginx's own page
        api = requests.get(f"http://127.0.0.1:{port}/api/v1/cases/", timeout=10)
        assert api.status_code == 502 and api.headers["Content-Type"] == "application/problem+json"
        assert api.json()["status"] == 502
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_ctrl_c_stops_every_process_it_started(stack):
    """Last in this module: it stops the stack the others used."""
    group = stack.process.pid
    stack.stop()
    assert stack.process.returncode is not None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)  # anything left of nginx, the nodes, the worker or the beat?
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"processes of the stack outlived Ctrl-C:\n{stack.output()}")
    for port in [stack.port, *stack.nodes]:
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0
