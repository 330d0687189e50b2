"""Faults survived (issue 15): the services a utility's portal will lose, broken on purpose.

- Redis stops while customers file: the filings succeed, the e-mails wait in the outbox and go exactly once
  when Redis is back (the periodic resend).
- A worker is killed in the middle of sending an e-mail: the next one sends it, once, after the dead worker's
  claim has gone stale (and not before).
- PostgreSQL restarts while customers file: requests in flight get the portal's pt-BR error page, nothing is
  half-saved, and the same gunicorn workers serve again without being restarted.

Every service broken here is the test's own (tests/integration/services.py): a redis-server and a PostgreSQL
cluster on ports of their own, gunicorn and Celery started by the test. The disk-full case is
tests/test_storage_full.py; the worker killed mid-sweep is tests/integration/test_celery_worker.py.
"""

import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.notifications.models import OutboundEmail
from tests import factories
from tests.atende.conftest import request_data
from tests.files import pdf_bytes
from tests.integration.services import (
    ROOT,
    Gunicorn,
    PostgresCluster,
    RedisServer,
    SilentSMTP,
    Worker,
    database_url_under_test,
    mails,
    production_env,
    wait_for,
)
from tests.integration.test_front_door import Browser

pytestmark = [pytest.mark.services, pytest.mark.slow]
ERROR_PAGE = ("Erro no portal", 'lang="pt-br"')


@pytest.fixture
def redis(tmp_path):
    """A redis-server of the test's own, stopped at the end whatever happened."""
    owned = RedisServer(tmp_path)
    try:
        yield owned.start()
    finally:
        owned.stop()


def sign_in(base, email):
    browser = Browser()
    token = browser.form_token(f"{base}/accounts/login/")
    signed = browser.post(
        f"{base}/accounts/login/",
        {"csrfmiddlewaretoken": token, "username": email, "password": factories.PASSWORD},
        allow_redirects=False,
        timeout=15,
    )
    assert signed.status_code == 302, signed.text[:2000]
    return browser


def file_and_send(browser, base, number, document):
    """The form with the identity PDF, then 'send' on the check-your-answers page; the receipt's path.

    Any answer other than the expected redirect is returned as it is, for the caller to judge."""
    form = f"{base}/atende/gd/solicitar/instalacao/{number}/"
    page = browser.get(form, timeout=15)
    if page.status_code != 200:
        return page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    filed = browser.post(
        form,
        {**request_data(document=document), "csrfmiddlewaretoken": token},
        files={"file_identity": ("rg-cpf.pdf", pdf_bytes(), "application/pdf")},
        allow_redirects=False,
        timeout=15,
    )
    if filed.status_code != 302:
        return filed
    draft = base + filed.headers["Location"]
    page = browser.get(draft, timeout=15)
    if page.status_code != 200:
        return page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    return browser.post(draft, {"csrfmiddlewaretoken": token}, allow_redirects=False, timeout=15)


def receipt_protocol(answer):
    location = answer.headers.get("Location", "") if answer.status_code == 302 else ""
    found = re.search(r"/servicos/(\d+)/comprovante/$", location)
    return found and found[1]


# --- Redis stopped while customers submit ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_customers_file_while_redis_is_stopped_and_each_email_goes_once_when_it_returns(
    postgres, redis, tmp_path
):
    env = production_env(
        tmp_path,
        database_url=database_url_under_test(),
        redis_url=redis.url,
        GD_EMAIL_RESEND_INTERVAL_SECONDS=1,
        GD_SWEEP_INTERVAL_SECONDS=3600,
    )
    people = []
    for index in range(4):
        record = factories.CustomerFactory()
        user = factories.UserFactory(customer=record, email=f"cliente{index}@example.com")
        people.append((user, factories.InstallationFactory(customer=record)))
    web, worker = Gunicorn(env, tmp_path), None
    try:
        web.wait_ready()
        browsers = [sign_in(web.url, user.email) for user, _ in people]
        redis.stop()  # broker and cache gone at once, as when the one Redis of production stops

        def file(pair):
            browser, (_, installation) = pair
            started = time.monotonic()
            answer = file_and_send(
                browser, web.url, installation.number, installation.customer.document_display
            )
            return answer, time.monotonic() - started

        with ThreadPoolExecutor(len(people)) as pool:
            answers = list(pool.map(file, zip(browsers, people, strict=True)))
        for answer, seconds in answers:
            assert receipt_protocol(answer), (answer.status_code, answer.text[:2000], web.output())
            assert seconds < 20  # each refused connection costs little: no request waits on the broker
        protocols = {receipt_protocol(answer) for answer, _ in answers}
        cases = Case.objects.filter(state=CaseState.SUBMITTED)
        assert set(cases.values_list("protocol", flat=True)) == protocols and len(protocols) == len(people)
        waiting = OutboundEmail.objects.filter(template="case_protocolled")
        assert (
            waiting.count() == len(people)
            and not waiting.exclude(status=OutboundEmail.Status.QUEUED).exists()
        )
        assert list((tmp_path / "var" / "mail").glob("*.eml")) == []

        redis.start()  # back, and empty: every message published before is gone
        worker = Worker(env, tmp_path, "after-outage")
        assert wait_for(lambda: not waiting.exclude(status=OutboundEmail.Status.SENT).exists(), timeout=90), (
            worker.output()
        )
        time.sleep(3)  # three more resends: none sends a row again
    finally:
        if worker:
            worker.stop()
        web.stop()
    sent = Counter(m["subject"] for m in mails(tmp_path / "var" / "mail"))
    for protocol in protocols:
        assert [n for subject, n in sent.items() if protocol in subject and "protocolo" in subject] == [1]


# --- A worker killed mid-send ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_email_whose_worker_was_killed_mid_send_is_sent_once_by_the_next(postgres, redis, tmp_path):
    stale = 4  # seconds a claim belongs to its worker (production: ten minutes)
    smtp = SilentSMTP()
    base = production_env(
        tmp_path,
        database_url=database_url_under_test(),
        redis_url=redis.url,
        GD_EMAIL_RESEND_INTERVAL_SECONDS=1,
        GD_EMAIL_STALE_CLAIM_SECONDS=stale,
        GD_SWEEP_INTERVAL_SECONDS=3600,
    )
    rows = [
        OutboundEmail.objects.create(
            to=[f"pessoa{i}@example.com"], subject=f"Aviso {i}", body_text="Olá.", template="notice"
        )
        for i in range(3)
    ]
    first = Worker({**base, "EMAIL_URL": f"smtp://127.0.0.1:{smtp.port}"}, tmp_path, "first")
    second = None
    try:
        sending = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING)
        # In the middle of the send: the row claimed, the mail server's connection open, no answer yet.
        assert wait_for(lambda: smtp.connections and sending.exists(), timeout=60), first.output()
        first.kill()
        stuck = sending.get()
        assert stuck.attempts == 1 and OutboundEmail.objects.filter(status="queued").count() == len(rows) - 1

        second = Worker(base, tmp_path, "second")  # the mail server works again (files in var/mail)
        done = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT)
        assert wait_for(lambda: done.count() == len(rows), timeout=90), second.output()
        time.sleep(3)
    finally:
        for worker in (first, second):
            if worker:
                worker.stop()
        smtp.close()
    retaken = OutboundEmail.objects.get(pk=stuck.pk)
    assert retaken.attempts == 2
    # Taken again only once the dead worker's claim was stale, not while it might still have been sending.
    assert (retaken.claimed_at - stuck.claimed_at).total_seconds() >= stale
    assert (
        OutboundEmail.objects.filter(pk__in=[r.pk for r in rows if r.pk != stuck.pk], attempts=1).count() == 2
    )
    subjects = Counter(m["subject"] for m in mails(tmp_path / "var" / "mail"))
    assert subjects == Counter({f"[GD Portal] Aviso {i}": 1 for i in range(3)})


# --- PostgreSQL restarted under load ---------------------------------------------------------------------

SEED = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdportal.settings")
django.setup()
from tests import factories
out = []
for index in range({people}):
    record = factories.CustomerFactory()
    user = factories.UserFactory(customer=record, email=f"cliente{{index}}@example.com")
    numbers = [factories.InstallationFactory(customer=record).number for _ in range({each})]
    out.append({{"email": user.email, "document": record.document_display, "numbers": numbers}})
print(json.dumps(out))
"""


@pytest.fixture
def cluster():
    owned = PostgresCluster().init()
    try:
        yield owned
    finally:
        owned.destroy()


def test_postgresql_restarted_under_load_fails_requests_cleanly_and_the_app_recovers(
    cluster, redis, tmp_path
):
    env = production_env(
        tmp_path, database_url=cluster.url, redis_url=redis.url, GD_SWEEP_INTERVAL_SECONDS=3600
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    seeded = subprocess.run(
        [sys.executable, "-c", SEED.format(people=4, each=40)], cwd=ROOT, env=env, capture_output=True
    )
    assert seeded.returncode == 0, seeded.stderr.decode()[-3000:]
    people = json.loads(seeded.stdout.decode().strip().splitlines()[-1])
    web = Gunicorn(env, tmp_path, workers=2)
    results, stop, restarted = [], threading.Event(), {}

    def customer(person):
        browser = sign_in(web.url, person["email"])
        for number in person["numbers"]:
            if stop.is_set():
                return
            started = time.monotonic()
            try:
                answer = file_and_send(browser, web.url, number, person["document"])
                results.append((started, answer.status_code, receipt_protocol(answer), answer.text))
            except requests.RequestException as exc:  # a reset or a hang: what a clean failure is not
                results.append((started, None, None, repr(exc)))

    try:
        web.wait_ready()
        threads = [threading.Thread(target=customer, args=(p,)) for p in people]
        for thread in threads:
            thread.start()
        assert wait_for(lambda: len(results) >= 4, timeout=60), web.output()
        cluster.restart()
        restarted["at"] = time.monotonic()
        assert wait_for(lambda: sum(r[0] > restarted["at"] for r in results) >= 8, timeout=60), web.output()
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        assert all(r.process.poll() is None for r in [web])  # the same gunicorn: nobody restarted it
    finally:
        stop.set()
        web.stop()

    failed = [r for r in results if r[1] != 302]
    print(f"{len(results)} filings, {len(failed)} failed by the restart: {Counter(r[1] for r in failed)}")
    assert failed, "the restart must catch requests in flight, or this test proves nothing"
    for started, status, _, text in failed:
        assert status == 500 and all(mark in text for mark in ERROR_PAGE), (status, text[:1500])
        assert started < restarted["at"], "a request after the restart failed: the app did not recover"
    after = [r for r in results if r[0] > restarted["at"]]
    assert after and all(r[1] == 302 and r[2] for r in after)

    # Nothing half-saved: every case is whole in the state it reached, and the client was told the truth.
    told = {r[2] for r in results if r[2]}
    submitted = dict(cluster.query("SELECT protocol, id FROM atende_accessrequest WHERE state = 'submitted'"))
    assert set(submitted) == told
    assert not cluster.query(
        "SELECT c.id FROM atende_accessrequest c WHERE NOT EXISTS "
        "(SELECT 1 FROM atende_documentversion d WHERE d.case_id = c.id)"
    )  # a draft or a filed case without its identity document
    assert not cluster.query(
        "SELECT c.id FROM atende_accessrequest c WHERE c.state = 'submitted' AND (c.submitted_at IS NULL OR "
        "(SELECT count(*) FROM atende_caseevent e WHERE e.case_id = c.id AND e.action = 'submitted') <> 1 OR "
        "(SELECT count(*) FROM notifications_outboundemail o WHERE o.template = 'case_protocolled' "
        "AND o.related_object = 'case:' || c.id) <> 1)"
    )
    media = Path(env["DJANGO_MEDIA_ROOT"])
    for (name,) in cluster.query("SELECT file FROM atende_documentversion"):
        assert (media / name).is_file(), name
