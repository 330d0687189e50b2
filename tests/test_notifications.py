import pytest
from django.core import mail
from django.db import transaction

from gdportal.notifications import services
from gdportal.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


class Person:
    email = "ana@example.com"

    def get_full_name(self):
        return "Ana"


CONTEXT = {"user": Person(), "protocol": "http", "domain": "testserver", "uid": "MQ", "token": "abc"}


def test_email_is_written_in_the_transaction_and_sent_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.email_queue(
            to=["A@Example.com", "a@example.com"], template="password_reset", context=CONTEXT
        )
        assert len(mail.outbox) == 0  # nothing leaves before the commit
    assert len(callbacks) == 1
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.SENT and email.to == ["a@example.com"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[GD Portal] Redefina sua senha"


def test_rolled_back_transaction_leaves_no_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.email_queue(to=["a@example.com"], template="password_reset", context=CONTEXT)
            raise RuntimeError("the state change failed")
    assert callbacks == [] and not OutboundEmail.objects.exists() and mail.outbox == []


def test_a_row_is_sent_only_once():
    email = services.email_queue(to=["a@example.com"], template="password_reset", context=CONTEXT)
    assert services.email_send(email.pk) is True
    assert services.email_send(email.pk) is False
    assert len(mail.outbox) == 1


def test_failed_send_stays_queued_for_the_periodic_job(monkeypatch):
    email = services.email_queue(to=["a@example.com"], template="password_reset", context=CONTEXT)

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        services.email_send(email.pk)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED and "smtp down" in email.last_error
    assert services.email_pending_ids() == [email.pk]
    monkeypatch.undo()
    from gdportal.notifications.tasks import send_pending

    send_pending()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 2


def test_empty_recipient_list_queues_nothing():
    assert services.email_queue(to=["", None], template="password_reset", context=CONTEXT) is None
