"""Redis down, from the user's side (outside test, defects 4 and 5).

In production one Redis is both the Celery broker and the cache. When it stops, nothing of record is lost:
cases, outbox rows, sessions and login lockouts live in the database. So filing, approving, registering and
resetting a password must keep working; the e-mails wait in the outbox for the periodic resend.

The outage is real, not a mock: the broker and the cache point at 127.0.0.1:1, where nothing listens, so every
connection is refused at once. The publishing tests are transactional so that `on_commit` runs inside the
request, after the commit, as it does in production.
"""

import datetime
import logging
import os
import re
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gdportal import cache as gdportal_cache
from gdportal import publish
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.notifications.models import OutboundEmail
from gdportal.notifications.tasks import send_pending
from tests.aprweb.test_registration import FORM as RT_FORM
from tests.atende.conftest import make_case
from tests.atende.test_request_flow import file_request
from tests.files import pdf_bytes

UNREACHABLE = "redis://127.0.0.1:1/0"


@contextmanager
def broker_down():
    """Tasks are published for real (not run in-process) to a broker that refuses connections."""
    from gdportal.celery import app

    outage = {"task_always_eager": False, "broker_url": UNREACHABLE}
    saved = {key: app.conf[key] for key in outage}
    # Celery prefers the CELERY_BROKER_URL environment variable (CI sets it) to its configuration.
    saved_env = os.environ.pop("CELERY_BROKER_URL", None)
    app.conf.update(outage)
    app._after_fork()  # forget pooled connections, as a forked worker does, so the new URL is used
    try:
        yield
    finally:
        if saved_env is not None:
            os.environ["CELERY_BROKER_URL"] = saved_env
        app.conf.update(saved)
        app._after_fork()
        publish._paused_until = 0.0  # the broker is back: the next test publishes at once


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": UNREACHABLE}
    }
    yield
    gdportal_cache._paused_until = 0.0


@pytest.fixture
def identity_pdf():
    return SimpleUploadedFile("rg-cpf.pdf", pdf_bytes(), content_type="application/pdf")


@pytest.fixture
def case(customer, installation):
    return make_case(customer, installation)


@pytest.fixture
def warnings_logged(caplog):
    caplog.set_level(logging.WARNING)
    return caplog


def publish_failures(caplog):
    return [r for r in caplog.records if r.name == "gdportal.publish" and r.levelno == logging.WARNING]


def assert_queued_then_delivered(caplog, template):
    """The row waits in the outbox, the failed publish is logged with its id, and the periodic job sends it
    (the broker is back by then)."""
    email = OutboundEmail.objects.get(template=template)
    assert email.status == OutboundEmail.Status.QUEUED and mail.outbox == []
    # A row rendered in the request names itself; a row the sender renders (bulk) is published as the
    # resend of everything pending.
    published = (f"notifications.send_email({email.pk},)", "notifications.send_pending()")
    assert any(
        any(p in r.getMessage() for p in published) and "Connection refused" in r.getMessage()
        for r in publish_failures(caplog)
    )
    send_pending()  # beat's resend, once the broker is back
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and len(mail.outbox) == 1


# --- Defect 4: broker down after the commit --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_customer_files_a_request_while_the_broker_is_down(
    client, customer, installation, identity_pdf, warnings_logged
):
    client.force_login(customer)
    draft = file_request(client, installation, identity_pdf)
    with broker_down():
        sent = client.post(draft["Location"])
    case = Case.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("atende:receipt", args=[case.protocol])
    assert case.state == CaseState.SUBMITTED
    assert_queued_then_delivered(warnings_logged, "case_protocolled")


@pytest.mark.django_db(transaction=True)
def test_password_reset_while_the_broker_is_down(client, customer, warnings_logged):
    with broker_down():
        response = client.post(reverse("accounts:password_reset"), {"email": customer.email})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert_queued_then_delivered(warnings_logged, "password_reset")


@pytest.mark.django_db(transaction=True)
def test_rt_registers_while_the_broker_is_down(client, warnings_logged):
    with broker_down():
        response = client.post(reverse("aprweb:register"), RT_FORM)
    assert response.status_code == 200 and "Cadastro recebido" in response.content.decode()
    assert_queued_then_delivered(warnings_logged, "rt_registration_received")


@pytest.mark.django_db(transaction=True)
def test_analyst_approves_commercially_while_the_broker_is_down(
    client, commercial_analyst, customer, installation, warnings_logged
):
    case = make_case(customer, installation)
    OutboundEmail.objects.all().delete()  # the filing's own e-mail, sent while the broker was up
    mail.outbox.clear()
    client.force_login(commercial_analyst)
    url = reverse("admin:cases_case_decide", args=[case.pk, "approve"])
    with broker_down():
        response = client.post(url, {"reason": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_TECHNICAL and case.ns
    assert_queued_then_delivered(warnings_logged, "case_ns_issued")


@pytest.mark.django_db(transaction=True)
def test_rt_approval_with_the_broker_down_tries_it_once_for_its_three_emails(client, warnings_logged):
    from aprweb.models import RTRegistration
    from tests import factories

    client.post(reverse("aprweb:register"), RT_FORM)
    registration = RTRegistration.objects.get()
    client.force_login(factories.StaffFactory(username="analista.cadastro", role="Analista de cadastro"))
    url = reverse("admin:aprweb_rtregistration_decide", args=[registration.pk, "approve"])
    with broker_down():
        response = client.post(url)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "approved"
    queued = OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED)
    assert queued.count() == 3
    messages = [r.getMessage() for r in publish_failures(warnings_logged)]
    # One refused connection, then the pause: a broker that hangs instead of refusing costs one timeout.
    assert sum("could not publish" in m for m in messages) == 1
    assert sum("broker recently unavailable" in m for m in messages) == 2
    send_pending()
    assert not OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED).exists()


# --- Defect 5: Redis down, so the cache and the broker both ----------------------------------------------


def cache_fallbacks(caplog):
    return [r for r in caplog.records if r.name == "gdportal.cache" and r.levelno == logging.WARNING]


@pytest.mark.django_db(transaction=True)
def test_filing_works_with_redis_down(
    client, customer, installation, identity_pdf, cache_down, warnings_logged
):
    from gdportal.deadlines.models import NonWorkingDay

    client.force_login(customer)
    with broker_down():
        draft = file_request(client, installation, identity_pdf)
        sent = client.post(draft["Location"])
    case = Case.objects.get()
    assert sent.status_code == 302 and case.state == CaseState.SUBMITTED
    assert (
        case.deadlines.get(kind="commercial_sla").due_at > case.submitted_at
    )  # the calendar, from the table
    # The outage was met and logged, then the cache left alone for a while (gdportal/cache.py): by the
    # calendar's read, or — with sessions read through Redis (GD_AUTH_CACHE, on wherever REDIS_URL is
    # set) — by the request's session just before it.
    logged = [r.getMessage() for r in cache_fallbacks(warnings_logged)]
    assert any(key in m for m in logged for key in ("deadlines:non-working-days", "gd:session:", "gd:user:"))
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.QUEUED
    # Staff can still close a day; the calendar reads it from the database at once.
    day = NonWorkingDay.objects.create(date=datetime.date(2031, 3, 4), description="Carnaval")
    assert day.date in NonWorkingDay.cached_dates()


@pytest.mark.django_db
def test_public_lookup_works_with_redis_down(client, case, cache_down, settings, warnings_logged):
    settings.GD_PUBLIC_LOOKUP_LIMIT = 1
    url = reverse("tracking:public_lookup")
    assert client.get(url).status_code == 200
    for _ in range(2):  # the limit cannot be counted, so the lookup stays open rather than failing
        wrong = client.post(url, {"protocol": case.protocol, "document": "390.533.447-05"})
        assert wrong.status_code == 400 and "Nenhuma solicitação encontrada" in wrong.content.decode()
    found = client.post(url, {"protocol": case.protocol, "document": case.customer.document_display})
    assert found.status_code == 200 and "Protocolada — em análise comercial" in found.content.decode()
    assert any("public-lookup:" in r.getMessage() for r in cache_fallbacks(warnings_logged))


@pytest.mark.django_db(transaction=True)
def test_password_reset_and_sign_in_work_with_redis_down(client, customer, cache_down):
    from tests import factories

    with broker_down():
        response = client.post(reverse("accounts:password_reset"), {"email": customer.email})
    assert response.status_code == 302
    send_pending()  # the sender renders the reset row (it looks the account up), with the cache still down
    link = re.search(r"/accounts/reset/\S+/", OutboundEmail.objects.get().body_text).group(0)
    form = client.get(link, follow=True)
    assert form.status_code == 200  # the token moves into the session, which lives in the database
    login = client.post(
        reverse("accounts:login"), {"username": customer.email, "password": factories.PASSWORD}
    )
    assert login.status_code == 302  # sessions and axes' lockout counts do not need the cache


@pytest.mark.django_db
def test_admin_regional_filter_comes_from_the_database_with_redis_down(
    client, technical_analyst, installation, cache_down
):
    client.force_login(technical_analyst)
    response = client.get(reverse("admin:aprweb_aprorder_changelist"))
    assert response.status_code == 200 and installation.regional_office in response.content.decode()


@pytest.mark.django_db
def test_healthz_stays_200_and_deep_check_names_the_failed_parts(client, cache_down):
    assert client.get("/healthz").status_code == 200  # SPEC §12: 200 when the database answers
    with broker_down():
        deep = client.get("/healthz/deep")
    assert deep.status_code == 503
    assert deep.json() == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
        "broker": "unavailable",
        "storage": "ok",
    }
    assert "no-cache" in deep["Cache-Control"]


@pytest.mark.django_db
def test_deep_health_is_200_when_everything_answers(client):
    deep = client.get("/healthz/deep")
    assert deep.status_code == 200
    assert deep.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok", "storage": "ok"}


@pytest.mark.django_db
def test_deep_health_reports_the_broker_alone(client):
    with broker_down():
        deep = client.get("/healthz/deep")
    assert deep.status_code == 503 and deep.json()["broker"] == "unavailable"
    assert deep.json()["cache"] == "ok"


# --- Guards: every caller goes through the safe helpers --------------------------------------------------


def _app_sources():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for app in ("gdportal", "atende", "aprweb", "compensation"):
        for path in (root / app).rglob("*.py"):
            if "migrations" not in path.parts:
                code = "\n".join(
                    line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
                )
                yield path.relative_to(root).as_posix(), code


def test_no_code_publishes_a_task_except_through_the_safe_helper():
    offenders = [
        name
        for name, text in _app_sources()
        if name != "gdportal/publish.py"
        and re.search(r"\.delay\(|\.delay\b\)|apply_async|delay_on_commit", text)
    ]
    assert offenders == []


def test_no_code_uses_the_cache_except_through_the_safe_helpers():
    allowed = {"gdportal/cache.py", "gdportal/web/health.py"}
    offenders = [
        name
        for name, text in _app_sources()
        if name not in allowed and re.search(r"from django\.core\.cache import (cache|caches)\b", text)
    ]
    assert offenders == []
