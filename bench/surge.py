"""Benchmark: the cut-off rush (issue 15) — access requests filed through the real pages, and a mixed soak.

    python bench/surge.py                                  # 1,000 filings in 10 minutes
    python bench/surge.py --requests 60 --minutes 1        # the same at a small size
    python bench/surge.py --soak --clients 20 --minutes 3  # mixed traffic, 20 clients without pause

Starts `make serve`'s stack (deploy/serve.py: nginx, two gunicorn nodes, a Celery worker and beat) with the
production settings — DEBUG off, Argon2 passwords, the manifest static files — on PostgreSQL (its own database,
gdportal_bench_surge, created afresh) and Redis (BENCH_REDIS_URL, default db 7 of 127.0.0.1:6379).

Surge: each filing is a person: sign in, the installation lookup, the request form with a 3 MB identity PDF of
their own (random pixels: a unique SHA-256 each), the check-your-answers page and "send", the receipt. Arrivals
are spread evenly over the time given (open loop: a slow server makes clients pile up, it does not slow the
arrivals). Afterwards it checks: no error on any step, one case per filing with a unique protocol, each
stored file's bytes hash to the SHA-256 of what was sent, and the gunicorn workers' RSS (sampled every 2 s)
compared with a baseline taken after a warm-up.

Soak: `--clients` clients without pause for `--minutes`: browse (the status list, a case page), search (the
analysts' case list by protocol), file (as above), upload (a new file on a draft) and an analyst's commercial
approval, in that mix. Zero 5xx required, and each worker's RSS growth within --rss-bound-mb.

The load generator runs on the same machine (two cores here): its CPU is the server's loss, so the figures are
pessimistic. Exit status 1 when a requirement is not met.
"""

import argparse
import hashlib
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _setup import ROOT, machine, percentile

PASSWORD = "Surge@2026-bench"  # noqa: S105  # nosec B105 — the bench's own throwaway accounts
DBNAME = "gdportal_bench_surge"
PDF_BYTES = 3_000_000  # under GD_UPLOAD_MAX_BYTES (3 MiB = 3,145,728)


def identity_pdf(size=PDF_BYTES):
    """A one-page PDF holding a scan-like image of random pixels: `size` bytes, unique each time."""
    width = 1000
    height = (size - 1200) // (3 * width)
    pixels = os.urandom(width * height * 3)
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
        b"/Length %d >>\nstream\n" % (width, height, len(pixels)) + pixels + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- Data ----------------------------------------------------------------------------------------------------


def fresh_database():
    import psycopg

    base = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DBNAME}")
    name = base.rsplit("/", 1)[1]
    with psycopg.connect(base.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    os.environ["BENCH_DATABASE_URL"] = base
    from _setup import configure

    configure(name)
    return base


def seed(people, staff=1):
    """`people` customers, each with a portal account and one installation; one commercial analyst."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import Argon2PasswordHasher
    from django.contrib.auth.models import Group

    from gdportal.accounts import roles
    from gdportal.accounts.identifiers import identifier_key
    from gdportal.brdocs import cpf_with_check_digits
    from gdportal.registry.models import Customer, Installation
    from tests.factories import InstallationFactory

    User = get_user_model()
    # Production's hasher (this process runs with the tests' fast one): signing in costs what it costs.
    argon2 = Argon2PasswordHasher()
    hashed = argon2.encode(PASSWORD, argon2.salt())
    customers = Customer.objects.bulk_create(
        Customer(
            number=f"8{i:09d}",
            name=f"Cliente Surto {i}",
            document=cpf_with_check_digits(f"{400000000 + i * 7919:09d}"),
            person_type="PF",
            email=f"surto{i}@example.com",
            phone="31988887777",
        )
        for i in range(people)
    )
    Installation.objects.bulk_create(
        InstallationFactory.build(customer=c, number=f"9{i:09d}") for i, c in enumerate(customers)
    )
    User.objects.bulk_create(
        User(
            username=identifier_key(c.email),
            email=c.email,
            email_key=identifier_key(c.email),  # what User.save() sets, which bulk_create does not call
            password=hashed,
            kind="customer",
            customer=c,
            first_name="Surto",
        )
        for c in customers
    )
    analyst = User.objects.create(
        username="analista.surto",
        email="analista.surto@example.com",
        password=hashed,
        kind="staff",
        is_staff=True,
    )
    analyst.groups.add(Group.objects.get(name=roles.COMMERCIAL_ANALYST))
    return [
        {"email": c.email, "number": f"9{i:09d}", "document": c.document_display}
        for i, c in enumerate(customers)
    ]


# --- The stack -------------------------------------------------------------------------------------------------


def free_base_port(count=3):
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count < 65535 and all(_free(p) for p in range(base, base + count)):
            return base
    raise RuntimeError("no free ports")


def _free(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def start_stack(database_url, var):
    import secrets

    port = free_base_port()
    env = {k: v for k, v in os.environ.items() if k not in ("GDPORTAL_TESTING", "DATABASE_URL")}
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
            "CELERY_BROKER_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"),
            "GDPORTAL_VAR_DIR": str(var),
            "PORT": str(port),
            "GDPORTAL_SERVE_LISTEN": f"127.0.0.1:{port}",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    log = open(var / "serve.log", "wb")  # noqa: SIM115 — the stack's life is the benchmark's
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "deploy" / "serve.py")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    import requests

    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the stack stopped:\n{(var / 'serve.log').read_text()[-4000:]}")
        try:
            if all(
                requests.get(f"http://127.0.0.1:{p}/healthz", timeout=2).ok
                for p in (port, port + 1, port + 2)
            ):
                return process, f"http://127.0.0.1:{port}"
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit("the stack did not answer /healthz")


def stop_stack(process):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # as Ctrl-C on `make serve`: honcho stops every process
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def gunicorn_workers():
    """{pid: RSS in MiB} of every gunicorn worker: a gunicorn process whose parent is a gunicorn master (not
    the shell honcho starts it with)."""
    gunicorns, parents, rss = set(), {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().split(b"\0")
            if not any(b"gunicorn" in part for part in cmd[:2]) or b"gdportal.wsgi:application" not in cmd:
                continue
            status = (entry / "status").read_text()
        except OSError:
            continue
        pid = int(entry.name)
        gunicorns.add(pid)
        parents[pid] = int(re.search(r"PPid:\s+(\d+)", status)[1])
        rss[pid] = int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024
    return {pid: rss[pid] for pid in gunicorns if parents[pid] in gunicorns}


class Sampler(threading.Thread):
    def __init__(self, every=2.0):
        super().__init__(daemon=True)
        self.every, self.samples, self.done = every, defaultdict(list), threading.Event()

    def run(self):
        while not self.done.wait(self.every):
            for pid, rss in gunicorn_workers().items():
                self.samples[pid].append(rss)


# --- A person --------------------------------------------------------------------------------------------------


class Person:
    def __init__(self, base):
        import requests

        self.base, self.session = base, requests.Session()

    def request(self, method, path, **kwargs):
        response = self.session.request(method, self.base + path, allow_redirects=False, timeout=60, **kwargs)
        for cookie in self.session.cookies:
            cookie.secure = False  # production cookies are Secure; this is plain HTTP on loopback
        return response

    def token(self, path):
        page = self.request("GET", path)
        if page.status_code != 200:
            raise Failed(f"GET {path}: {page.status_code}")
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]

    def post(self, path, data, expect=302, **kwargs):
        answer = self.request("POST", path, data={**data, "csrfmiddlewaretoken": self.token(path)}, **kwargs)
        if answer.status_code != expect:
            raise Failed(f"POST {path}: {answer.status_code} {answer.text[:300]!r}")
        return answer

    def sign_in(self, username, path="/accounts/login/"):
        return self.post(path, {"username": username, "password": PASSWORD})


class Failed(Exception):
    pass


def form_data(document):
    sys.path.insert(0, str(ROOT))
    from tests.atende.conftest import request_data

    return request_data(document=document)


def file_request(person, who, timings, pdf=None):
    """Lookup, form with the PDF, confirm, receipt; (case pk, protocol, sha256 sent)."""

    def step(name, call):
        started = time.monotonic()
        try:
            return call()
        finally:
            timings[name].append(time.monotonic() - started)

    pdf = pdf or identity_pdf()
    step("lookup", lambda: _ok(person.request("GET", "/atende/gd/solicitar/")))
    form = f"/atende/gd/solicitar/instalacao/{who['number']}/"
    files = {"file_identity": ("rg-cpf.pdf", pdf, "application/pdf")}
    filed = step("form + 3 MB PDF", lambda: person.post(form, form_data(who["document"]), files=files))
    draft = filed.headers["Location"]
    sent = step("confirm", lambda: person.post(draft, {}))
    receipt = sent.headers["Location"]
    page = step("receipt", lambda: _ok(person.request("GET", receipt)))
    protocol = re.search(r"/servicos/(\d+)/comprovante/", receipt)[1]
    sha = hashlib.sha256(pdf).hexdigest()
    if protocol not in page.text or sha not in page.text:
        raise Failed(f"the receipt of {protocol} does not show the protocol and the file's SHA-256")
    return int(re.search(r"/rascunho/(\d+)/", draft)[1]), protocol, sha


def _ok(response):
    if response.status_code != 200:
        raise Failed(f"{response.request.method} {response.url}: {response.status_code}")
    return response


# --- Reports ---------------------------------------------------------------------------------------------------


def step_table(timings):
    lines = ["| step | n | p50 ms | p95 ms | max ms |", "|---|---:|---:|---:|---:|"]
    for name, values in timings.items():
        if values:
            lines.append(
                f"| {name} | {len(values)} | {percentile(values, 0.5) * 1000:.0f} | "
                f"{percentile(values, 0.95) * 1000:.0f} | {max(values) * 1000:.0f} |"
            )
    return "\n".join(lines)


def rss_report(baseline, sampler, after, bound_mb):
    lines = ["| worker | baseline MiB | peak MiB | after MiB | growth MiB |", "|---|---:|---:|---:|---:|"]
    worst = 0.0
    for pid in sorted(baseline):
        peak = max(sampler.samples.get(pid, [baseline[pid]]))
        if pid not in after:
            lines.append(f"| {pid} | {baseline[pid]:.0f} | {peak:.0f} | (replaced) | — |")
            continue
        growth = after[pid] - baseline[pid]
        worst = max(worst, growth)
        lines.append(f"| {pid} | {baseline[pid]:.0f} | {peak:.0f} | {after[pid]:.0f} | {growth:+.0f} |")
    lines.append(f"\nLargest growth {worst:.0f} MiB per worker (bound {bound_mb} MiB).")
    return "\n".join(lines), worst <= bound_mb


def verify_stored(filed, media):
    """Every filing is one submitted case with its protocol, its file stored with the SHA-256 sent."""
    from gdportal.cases.models import Case, DocumentVersion

    problems = []
    protocols = [p for _, p, _ in filed]
    if len(set(protocols)) != len(protocols):
        problems.append("duplicate protocols")
    cases = dict(Case.objects.filter(pk__in=[pk for pk, _, _ in filed]).values_list("pk", "protocol"))
    for pk, protocol, sha in filed:
        if cases.get(pk) != protocol:
            problems.append(f"case {pk}: protocol {cases.get(pk)} in the database, {protocol} on the receipt")
            continue
        versions = list(DocumentVersion.objects.filter(case_id=pk).values_list("sha256", "file"))
        if [v[0] for v in versions] != [sha]:
            problems.append(f"case {protocol}: versions {versions}, sent {sha}")
            continue
        with open(media / versions[0][1], "rb") as stored:
            if hashlib.file_digest(stored, "sha256").hexdigest() != sha:
                problems.append(f"case {protocol}: the stored bytes do not hash to {sha}")
    return problems


# --- Runs ------------------------------------------------------------------------------------------------------


def surge(args, base, people):
    warm, crowd = people[: args.warmup], people[args.warmup :]
    timings = defaultdict(list)
    for who in warm:  # every code path loaded before the baseline
        person = Person(base)
        person.sign_in(who["email"])
        file_request(person, who, defaultdict(list))
    time.sleep(3)
    baseline = gunicorn_workers()
    sampler = Sampler()
    sampler.start()
    filed, errors, late = [], [], []
    spacing = args.minutes * 60 / args.requests
    started = time.monotonic()

    def one(index):
        due = started + index * spacing
        time.sleep(max(0.0, due - time.monotonic()))
        late.append(time.monotonic() - due)
        who, person = crowd[index], Person(base)
        try:
            begin = time.monotonic()
            person.sign_in(who["email"])
            timings["sign in"].append(time.monotonic() - begin)
            filed.append(file_request(person, who, timings))
        except Exception as exc:  # noqa: BLE001 — every failure is counted and shown
            errors.append(f"{who['email']}: {exc!r}"[:400])
        finally:
            timings["whole filing"].append(time.monotonic() - due)

    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(one, range(args.requests)))
    elapsed = time.monotonic() - started
    time.sleep(10)  # idle: what the workers keep after the surge
    sampler.done.set()
    after = gunicorn_workers()
    problems = verify_stored(filed, args.var / "media")
    rss, within = rss_report(baseline, sampler, after, args.rss_bound_mb)
    print(
        f"\n## Surge: {args.requests} filings in {args.minutes} min · {machine()}\n\n"
        f"Took {elapsed:.0f} s; {len(filed)} filed, {len(errors)} errors, "
        f"{len({p for _, p, _ in filed})} unique protocols; start lateness p95 "
        f"{percentile(late, 0.95):.2f} s, max {max(late):.2f} s.\n\n{step_table(timings)}\n\n{rss}\n"
    )
    for line in (errors + problems)[:20]:
        print("-", line)
    return not errors and not problems and len(filed) == args.requests and within


def soak(args, base, people):
    from django.urls import reverse

    for who in people[
        args.clients : args.clients + args.warmup
    ]:  # every code path loaded before the baseline
        person = Person(base)
        person.sign_in(who["email"])
        file_request(person, who, defaultdict(list))
    time.sleep(3)
    pool_of_people = iter(people[args.clients + args.warmup :])
    lock = threading.Lock()
    submitted = []  # (pk, protocol) filed and not yet decided, shared between clients
    timings, statuses, errors = defaultdict(list), defaultdict(int), []
    analyst = Person(base)
    analyst.sign_in("analista.surto", path="/admin/login/")
    analyst_lock = threading.Lock()  # one analyst session, deciding one case at a time

    def next_person():
        with lock:
            return next(pool_of_people, None)

    def act(kind, call):
        begin = time.monotonic()
        try:
            call()
        except Failed as exc:
            errors.append(f"{kind}: {exc}"[:400])
            status = re.search(r": (\d{3})", str(exc))
            statuses[status[1] if status else "error"] += 1
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{kind}: {exc!r}"[:400])
            statuses["error"] += 1
        else:
            statuses["ok"] += 1
        timings[kind].append(time.monotonic() - begin)

    def client(index):
        rng = random.Random(index)  # noqa: S311  # nosec B311 — a traffic mix, not a secret
        me = people[index]
        person = Person(base)
        person.sign_in(me["email"])
        while time.monotonic() < deadline:
            kind = rng.choices(["browse", "search", "file", "upload", "decide"], [45, 20, 15, 10, 10])[0]
            if kind == "browse":
                act(kind, lambda: [_ok(person.request("GET", p)) for p in ("/atende/servicos/", "/atende/")])
            elif kind == "search" and submitted:
                protocol = rng.choice(submitted)[1]
                url = reverse("admin:cases_case_changelist") + f"?q={protocol}"
                act(kind, lambda url=url: _ok(analyst.request("GET", url)))
            elif kind == "file":
                who = next_person()
                if who is None:
                    continue

                def filing(who=who):
                    other = Person(base)
                    other.sign_in(who["email"])
                    pk, protocol, _ = file_request(other, who, timings)
                    with lock:
                        submitted.append((pk, protocol))

                act(kind, filing)
            elif kind == "upload":
                who = next_person()
                if who is None:
                    continue

                def upload(who=who):
                    other = Person(base)
                    other.sign_in(who["email"])
                    form = f"/atende/gd/solicitar/instalacao/{who['number']}/"
                    files = {"file_identity": ("rg-cpf.pdf", identity_pdf(), "application/pdf")}
                    draft = other.post(form, form_data(who["document"]), files=files).headers["Location"]
                    files = {"file_identity": ("rg-cpf-2.pdf", identity_pdf(), "application/pdf")}
                    other.post(draft + "editar/", form_data(who["document"]), files=files)

                act(kind, upload)
            elif kind == "decide":
                with lock:
                    case = submitted.pop(0) if submitted else None
                if case is None:
                    continue

                def decide(pk=case[0]):
                    change = reverse("admin:cases_case_change", args=[pk])
                    with analyst_lock:
                        token = analyst.token(change)
                        url = reverse("admin:cases_case_decide", args=[pk, "approve"])
                        answer = analyst.request(
                            "POST", url, data={"csrfmiddlewaretoken": token, "reason": ""}
                        )
                    if answer.status_code != 302:
                        raise Failed(f"decide {pk}: {answer.status_code}")

                act(kind, decide)

    baseline = gunicorn_workers()
    sampler = Sampler()
    sampler.start()
    deadline = time.monotonic() + args.minutes * 60
    with ThreadPoolExecutor(args.clients) as pool:
        list(pool.map(client, range(args.clients)))
    time.sleep(10)
    sampler.done.set()
    after = gunicorn_workers()
    rss, within = rss_report(baseline, sampler, after, args.rss_bound_mb)
    five = sum(n for s, n in statuses.items() if s.startswith("5"))
    print(
        f"\n## Soak: {args.clients} clients, {args.minutes} min · {machine()}\n\n"
        f"Outcomes: {dict(statuses)}; 5xx: {five}.\n\n{step_table(timings)}\n\n{rss}\n"
    )
    for line in errors[:20]:
        print("-", line)
    return five == 0 and not errors and within


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000, help="filings in the surge")
    parser.add_argument("--minutes", type=float, default=10, help="the surge's (or the soak's) duration")
    parser.add_argument("--clients", type=int, default=None, help="concurrent clients (surge 100, soak 20)")
    parser.add_argument("--warmup", type=int, default=5, help="filings before the RSS baseline")
    parser.add_argument("--rss-bound-mb", type=float, default=50)
    parser.add_argument("--soak", action="store_true", help="mixed traffic instead of the surge")
    args = parser.parse_args()
    args.clients = args.clients or (20 if args.soak else 100)
    os.environ["GDPORTAL_VAR_DIR"] = str(ROOT / "bench" / "data" / "surge")
    args.var = Path(os.environ["GDPORTAL_VAR_DIR"])
    import shutil

    shutil.rmtree(args.var, ignore_errors=True)
    args.var.mkdir(parents=True)
    database_url = fresh_database()
    # Soak: a filing or an upload per ~2 s per client at most, plus the clients' own accounts.
    people = seed(
        args.warmup + (args.requests if not args.soak else args.clients + int(args.minutes * 60 * 10))
    )
    process, base = start_stack(database_url, args.var)
    try:
        passed = soak(args, base, people) if args.soak else surge(args, base, people)
    finally:
        stop_stack(process)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
