"""Outbox rows that cannot be sent (issue 9): every failure counts, the row gives up, the operator sees it.

Before, a row whose template or context failed stayed "sending": the periodic resend claimed it again every
ten minutes for ever, the error went nowhere, and nobody learnt that a customer was never told.
"""

import datetime as dt
import logging

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from gdportal.notifications import services
from gdportal.notifications.models import OutboundEmail
from gdportal.notifications.tasks import send_pending
from tests import factories
from tests.test_notifications import CONTEXT as RESET_CONTEXT

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
# Longer than a stale claim, so a row left "sending" by a failed attempt would be taken again next run.
NEXT_RUN = services.STALE_CLAIM + dt.timedelta(minutes=1)


@pytest.fixture
def broken_template(settings, tmp_path):
    """A deploy shipped an e-mail template that does not compile."""
    folder = tmp_path / "templates" / "emails"
    folder.mkdir(parents=True)
    for name in ("broken_subject.txt", "broken.txt", "broken.html"):
        (folder / name).write_text("{% if %}oops{% endif %}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    return "broken"


@pytest.fixture
def registry_offline(monkeypatch):
    """A context loader whose source is down: it raises until `state["up"]` is set."""
    state = {"up": False}

    def load(pk):
        if not state["up"]:
            raise RuntimeError("registry offline")
        return dict(RESET_CONTEXT)

    monkeypatch.setitem(services.CONTEXT_LOADERS, "registry_id", load)
    return state


@pytest.fixture
def errors_logged(caplog):
    caplog.set_level(logging.WARNING, logger="gdportal.notifications.services")
    return caplog


def queue_bulk(template, context):
    services.email_queue_bulk([{"template": template, "context": context, "to": ["maria@example.com"]}])
    return OutboundEmail.objects.get()


def queue_rendered():
    """A row rendered when queued, as most are: only its delivery can fail."""
    return services.email_queue(to=["maria@example.com"], template="password_reset", context=RESET_CONTEXT)


def run_resend(times):
    """Beat's send_pending, `times` runs apart (each later than a stale claim)."""
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(times):
            send_pending()
            clock.shift(NEXT_RUN)


def logged_with_traceback(caplog, email):
    return [r for r in caplog.records if f"e-mail {email.pk} " in r.getMessage() and r.exc_info]


@pytest.mark.parametrize("cause", ["template", "loader"])
def test_a_row_that_cannot_be_rendered_is_retried_up_to_the_cap_then_failed(
    cause, broken_template, registry_offline, errors_logged
):
    if cause == "template":
        email, error = queue_bulk(broken_template, {}), "TemplateSyntaxError"
    else:
        email, error = queue_bulk("password_reset", {"registry_id": 7}), "registry offline"
    run_resend(services.MAX_ATTEMPTS + 3)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED and email.attempts == services.MAX_ATTEMPTS
    assert email.last_error.startswith("rendering:") and error in email.last_error
    assert email.claimed_at is None and mail.outbox == []
    # Every attempt logged with the row id and the traceback; the last one as an error.
    logged = logged_with_traceback(errors_logged, email)
    assert len(logged) == services.MAX_ATTEMPTS and logged[-1].levelno == logging.ERROR
    assert services.email_pending_ids() == []  # the resend no longer picks it up


@pytest.mark.parametrize("context", [{"case_id": 987654}, {"deadline_id": 987654}], ids=["case", "deadline"])
def test_a_row_whose_case_was_deleted_fails_at_once(context, errors_logged):
    email = queue_bulk("case_expired", context)
    run_resend(3)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED and email.attempts == 1
    assert "DoesNotExist" in email.last_error
    assert [r.levelno for r in logged_with_traceback(errors_logged, email)] == [logging.ERROR]


def test_a_missing_template_fails_at_once(errors_logged):
    email = queue_bulk("no_such_template", {})
    assert services.email_send(email.pk) is False  # nothing for the task to retry
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED and "TemplateDoesNotExist" in email.last_error
    assert logged_with_traceback(errors_logged, email)


def test_a_delivery_failure_follows_the_same_cap(monkeypatch, errors_logged):
    email = queue_rendered()

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    run_resend(services.MAX_ATTEMPTS + 3)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED and email.attempts == services.MAX_ATTEMPTS
    assert email.last_error == "delivery: ConnectionRefusedError('smtp down')"
    assert len(logged_with_traceback(errors_logged, email)) == services.MAX_ATTEMPTS


def test_a_row_whose_worker_dies_on_every_attempt_is_failed_after_the_last(errors_logged):
    """A template that kills the worker (memory, hard time limit) leaves the row "sending" each time."""
    email = queue_rendered()
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(services.MAX_ATTEMPTS):
            assert services.email_claim(email.pk) is not None  # the worker dies before it records anything
            clock.shift(NEXT_RUN)
        send_pending()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED and email.attempts == services.MAX_ATTEMPTS
    assert email.last_error.startswith("abandoned:") and mail.outbox == []
    assert any(str(email.pk) in r.getMessage() for r in errors_logged.records if r.levelno == logging.ERROR)


@pytest.fixture
def superuser(db):
    return factories.StaffFactory(username="root", is_superuser=True)


def resend(client, *emails):
    return client.post(
        reverse("admin:notifications_outboundemail_changelist"),
        {"action": "resend", "_selected_action": [e.pk for e in emails]},
    )


def test_superuser_resends_a_failed_row_once_the_cause_is_fixed(
    client, superuser, registry_offline, django_capture_on_commit_callbacks
):
    email = queue_bulk("password_reset", {"registry_id": 7})
    run_resend(services.MAX_ATTEMPTS)
    client.force_login(superuser)
    listing = client.get(reverse("admin:notifications_outboundemail_changelist") + "?status__exact=failed")
    assert "registry offline" in listing.content.decode()  # the operator sees why

    registry_offline["up"] = True
    with django_capture_on_commit_callbacks() as callbacks:
        assert resend(client, email).status_code == 302
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED and email.attempts == 0
    for callback in callbacks:  # the nudge to the resend job, after the commit
        callback()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and len(mail.outbox) == 1


def test_resend_leaves_a_sent_row_alone(client, superuser):
    email = queue_rendered()
    assert services.email_send(email.pk) is True
    client.force_login(superuser)
    resend(client, email)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 1 and len(mail.outbox) == 1


def test_staff_who_may_read_the_outbox_cannot_resend(client):
    from django.contrib.auth.models import Permission

    staff = factories.StaffFactory(username="suporte")
    staff.user_permissions.add(Permission.objects.get(codename="view_outboundemail"))
    email = queue_bulk("no_such_template", {})
    services.email_send(email.pk)
    client.force_login(staff)
    listing = client.get(reverse("admin:notifications_outboundemail_changelist"))
    assert listing.status_code == 200 and 'value="resend"' not in listing.content.decode()
    resend(client, email)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED


def test_the_deadlines_board_counts_failed_emails_for_staff(client, commercial_analyst, superuser):
    failed_list = reverse("admin:notifications_outboundemail_changelist") + "?status__exact=failed"
    client.force_login(commercial_analyst)
    assert "errornote" not in client.get(reverse("sla_board")).content.decode()

    queue_bulk("no_such_template", {})
    send_pending()
    html = client.get(reverse("sla_board")).content.decode()
    assert "errornote" in html and "1 e-mail" in html
    assert failed_list not in html  # an analyst may not read the outbox: the count only
    client.force_login(superuser)
    assert failed_list in client.get(reverse("sla_board")).content.decode()
