"""Benchmark: slow uploaders against browsing users, through nginx and against bare gunicorn (issue 17).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/gd_left REDIS_URL=redis://127.0.0.1:6379/8 \
        .venv/bin/python bench/slow_clients.py

Starts `make serve`'s stack (deploy/serve.py: nginx in front of WEB_NODES gunicorn nodes of sync workers, a
Celery worker, a beat) on the benchmark database, then runs the same load twice: once through nginx (PORT),
once straight at the first gunicorn node (PORT+1), bypassing nginx. The load: UPLOADERS clients each trickle a
3 MB document (a valid PDF, new bytes each time) to an APR order through the API at 64 KiB/s, while BROWSERS
clients browse (the RT's order list, its order, the public pages, /healthz), each waiting THINK seconds between
two pages. Browsing latencies are counted while the uploads are under way; an error is a 5xx, a refused or
reset connection, or no answer within 10 s.

Sync workers read a request's body at the client's pace: with nothing in front, eight uploads at 64 KiB/s hold
every worker for ~47 s and the browsing users wait. nginx reads the whole body first (request buffering) and
passes it on at loopback speed.
"""

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _setup import ROOT, configure, machine, percentile

sys.path.insert(0, str(ROOT / "deploy"))  # deploy/ is not a package: its scripts run as files
import serve  # noqa: E402

UPLOAD_BYTES = 3_000_000  # 3 MB: under the 3 MiB per-file limit, so every upload is a real one
RATE = 64 * 1024  # bytes per second per uploader
TICK = 0.0625  # one 4 KiB piece every 62.5 ms
TIMEOUT = 10.0


def pdf_of_size(size, salt):
    """A one-page PDF of about `size` bytes that the upload check accepts: the page's content stream is
    padded with harmless drawing operators; `salt` makes each file's bytes (and hash) new."""
    line = b"0 0 m 1 1 l S\n"
    content = b"% " + salt.encode() + b"\n" + line * ((size - 700) // len(line))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def prepare_data():
    """The RT (with an API token), an order awaiting its documents, the RT's session cookie source."""
    from django.contrib.auth import get_user_model

    from aprweb.models import AprOrder
    from gdportal.api.models import ApiToken
    from gdportal.cases.choices import CaseState

    sys.path.insert(0, str(ROOT))
    from tests import factories
    from tests.aprweb.conftest import build_order
    from tests.atende.conftest import make_case

    User = get_user_model()
    rt = User.objects.filter(username="bench-slow-rt@example.com").first()
    if rt is None:
        salt = secrets.randbelow(10**6)
        rt = factories.RTFactory(
            username="bench-slow-rt@example.com",
            cpf=factories.cpf_with_check_digits(f"{500000000 + salt:09d}"),
        )
        factories.RTRegistrationFactory(cpf=rt.cpf, email=rt.email, status="approved", user=rt)
        record = factories.CustomerFactory(number=f"79{salt:08d}", name="Cliente Bench Lento")
        installation = factories.InstallationFactory(customer=record, number=f"39{salt:08d}")
        customer = factories.UserFactory(customer=record, username=f"bench-slow-{salt}@example.com")
        build_order(make_case(customer, installation, rt=rt, state=CaseState.AWAITING_TECHNICAL), rt)
    order = AprOrder.objects.filter(rt=rt).order_by("id").first()
    _row, token = ApiToken.issue(user=rt, name=f"bench {time.time():.0f}")
    return rt, order, token


class Browser:
    """One person's tab: keeps its connection open between pages, as a browser does."""

    def __init__(self, port, cookie):
        self.port, self.cookie, self.conn = port, cookie, None

    def get(self, path):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            self.conn.request("GET", path, headers={"Host": "127.0.0.1", "Cookie": self.cookie})
            response = self.conn.getresponse()
            response.read()
            if response.will_close:
                self.close()
            return response.status
        except (OSError, http.client.HTTPException):
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def browse(port, cookie, paths, stop, samples, errors, think):
    tab = Browser(port, cookie)
    index = 0
    while not stop.is_set():
        path = paths[index % len(paths)]
        index += 1
        started = time.monotonic()
        try:
            status = tab.get(path)
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"{path}: {type(exc).__name__}")
        else:
            elapsed = time.monotonic() - started
            if status >= 500:
                errors.append(f"{path}: {status}")
            else:
                samples.append((path, elapsed))
        stop.wait(think)
    tab.close()


def upload(port, path, token, salt, results):
    """One multipart POST whose body is sent at RATE; (status, seconds) or the error."""
    boundary = secrets.token_hex(16)
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nart\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="art-{salt}.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body = head + pdf_of_size(UPLOAD_BYTES, salt) + f"\r\n--{boundary}--\r\n".encode()
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    piece = int(RATE * TICK)
    started = due = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=300) as sock:
            sock.sendall(request)
            for offset in range(0, len(body), piece):
                sock.sendall(body[offset : offset + piece])
                # At most RATE: after a send that blocked (nobody reading), no burst to catch up.
                due = max(due, time.monotonic()) + TICK
                time.sleep(max(0.0, due - time.monotonic()))
            answer = b""
            while b"\r\n" not in answer:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                answer += chunk
        status = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
        results.append((int(status[1]) if status else 0, time.monotonic() - started))
    except OSError as exc:
        results.append((type(exc).__name__, time.monotonic() - started))


def run_load(label, port, *, order, token, cookie, uploaders, browsers, think):
    paths = [
        "/apr/pedidos/",
        f"/apr/pedidos/{order.pk}/",
        "/",
        "/transparencia/",
        "/acompanhamento/",
        "/healthz",
    ]
    stop = threading.Event()
    samples, errors, uploads = [], [], []
    tabs = [
        # Each tab starts at another page, so the pages are not all asked at once.
        threading.Thread(
            target=browse,
            args=(
                port,
                cookie,
                paths[n % len(paths) :] + paths[: n % len(paths)],
                stop,
                samples,
                errors,
                think,
            ),
        )
        for n in range(browsers)
    ]
    url = f"/api/v1/orders/{order.pk}/documents/"
    senders = [
        threading.Thread(target=upload, args=(port, url, token, f"{n}-{secrets.token_hex(4)}", uploads))
        for n in range(uploaders)
    ]
    started = time.monotonic()
    for thread in tabs + senders:
        thread.start()
    for thread in senders:
        thread.join()
    window = time.monotonic() - started
    stop.set()
    for thread in tabs:
        thread.join()
    times = [elapsed * 1000 for _path, elapsed in samples]
    health = [elapsed * 1000 for path, elapsed in samples if path == "/healthz"]
    return {
        "label": label,
        "window": window,
        "pages": len(times),
        "p50": percentile(times, 0.50) if times else None,
        "p95": percentile(times, 0.95) if times else None,
        "healthz_p99": percentile(health, 0.99) if health else None,
        "errors": errors,
        "uploads": uploads,
    }


def _keep_cookies(response, jar):
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        jar[name.strip()] = value
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def sign_in(port, rt):
    """The RT signs in to APR Web with its CPF and APR password, as a browser posts the form; its cookies."""
    from urllib.parse import urlencode

    from tests import factories

    jar = {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/apr/", headers={"Host": "127.0.0.1"})
    page = conn.getresponse()
    html = page.read().decode()
    cookie = _keep_cookies(page, jar)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    form = {"csrfmiddlewaretoken": token, "username": rt.cpf, "password": "Apr-" + factories.PASSWORD}
    conn.request(
        "POST",
        "/apr/",
        body=urlencode(form),
        headers={
            "Host": "127.0.0.1",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"http://127.0.0.1:{port}/apr/",
        },
    )
    answer = conn.getresponse()
    answer.read()
    conn.close()
    if answer.status != 302:
        raise SystemExit(f"the RT could not sign in to APR Web ({answer.status})")
    return _keep_cookies(answer, jar)


def wait_ready(ports, process, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the stack stopped while starting (see its output above)")
        try:
            ok = True
            for port in ports:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
                ok = ok and conn.getresponse().status == 200
                conn.close()
            if ok:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the stack did not answer /healthz in {timeout} s")


def report(result, args):
    def ms(value):
        return "—" if value is None else f"{value:.0f} ms"

    uploads = result["uploads"]
    stored = sum(1 for status, _s in uploads if status == 201)
    slowest = max((seconds for _status, seconds in uploads), default=0)
    kinds = sorted({str(status) for status, _s in uploads})
    errors = result["errors"]
    counted = {}
    for error in errors:
        counted[error.split(": ", 1)[1]] = counted.get(error.split(": ", 1)[1], 0) + 1
    print(
        f"| {result['label']} | {result['pages']} | {ms(result['p50'])} | {ms(result['p95'])} | "
        f"{ms(result['healthz_p99'])} | {len(errors)}"
        f"{' (' + ', '.join(f'{n} {k}' for k, n in sorted(counted.items())) + ')' if errors else ''} | "
        f"{stored}/{len(uploads)} stored ({', '.join(kinds)}), last after {slowest:.0f} s |"
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--uploaders", type=int, default=8)
    parser.add_argument("--browsers", type=int, default=10)
    parser.add_argument("--think", type=float, default=0.5, help="seconds between two pages of one browser")
    parser.add_argument("--nodes", type=int, default=1, help="gunicorn nodes behind nginx (WEB_NODES)")
    parser.add_argument("--workers", type=int, default=2, help="sync workers per node (GUNICORN_WORKERS)")
    parser.add_argument("--only", choices=["nginx", "gunicorn"], help="one of the two runs")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("set REDIS_URL (e.g. redis://127.0.0.1:6379/8): make serve's stack needs Redis")
    configure("gdportal_bench_slow")
    rt, order, token = prepare_data()
    from django.db import connection

    db = connection.settings_dict
    work = Path(tempfile.mkdtemp(prefix="gd-slow-clients-"))
    (work / "tmp").mkdir()
    port = serve.free_base_port(args.nodes + 1)
    broker = os.environ.get("CELERY_BROKER_URL") or redis_url
    env = serve.scratch_env(os.environ, db=db, redis_url=redis_url, broker=broker, work=work, port=port)
    env.update(
        {
            "WEB_NODES": str(args.nodes),
            "GUNICORN_WORKERS": str(args.workers),
        }
    )
    log = open(work / "serve.log", "wb")  # noqa: SIM115 — closed below
    stack = subprocess.Popen(  # noqa: S603 — our own script
        [sys.executable, str(ROOT / "deploy" / "serve.py")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_ready([port, port + 1], stack)
        cookie = sign_in(port, rt)
        load = {
            "order": order,
            "token": token,
            "cookie": cookie,
            "uploaders": args.uploaders,
            "browsers": args.browsers,
            "think": args.think,
        }
        runs = [("through nginx", port), ("bare gunicorn (node 1, no proxy)", port + 1)]
        results = []
        for label, target in runs:
            if args.only and not label.startswith({"nginx": "through", "gunicorn": "bare"}[args.only]):
                continue
            results.append(run_load(label, target, **load))
            time.sleep(10)  # the first run's after-commit document checks finish before the next
        print(
            f"\n{args.uploaders} uploaders (3 MB at 64 KiB/s) · {args.browsers} browsers ({args.think} s between "
            f"pages) · {args.nodes} node(s) × {args.workers} sync workers · {machine()}\n"
        )
        print("| path | pages | browse p50 | browse p95 | /healthz p99 | browse errors | uploads |")
        print("|---|---:|---:|---:|---:|---|---|")
        for result in results:
            report(result, args)
        killed = len(re.findall(rb"WORKER TIMEOUT", (work / "serve.log").read_bytes()))
        print(f"\ngunicorn WORKER TIMEOUT lines in the stack's log: {killed} ({work / 'serve.log'})")
    finally:
        if stack.poll() is None:
            stack.send_signal(signal.SIGINT)
            try:
                stack.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(stack.pid, signal.SIGKILL)
        log.close()


if __name__ == "__main__":
    main()
