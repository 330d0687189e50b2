"""Password reset from the public form (/accounts/password_reset/).

The view answers the same way whether or not an account exists: it only counts the request and queues one
job (password_reset_request); the worker looks the account up and writes the e-mail to the outbox. No
database work happens in the request, so its timing says nothing about the account.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from gdportal.notifications.services import email_queue

from .identifiers import identifier_key

logger = logging.getLogger(__name__)


def password_reset_recipients(email):
    """Accounts the public form may reset: customers and RTs, never staff (they use the admin's reset)."""
    User = get_user_model()
    users = User.objects.filter(email_key=identifier_key(email), is_active=True, is_staff=False)
    users = users.exclude(kind=User.Kind.STAFF).exclude(is_superuser=True)
    return [user for user in users if user.has_usable_password()]


@transaction.atomic
def password_reset_send(*, email):
    """Queue a reset link for every account the public form may reset under `email` (usually one or none)."""
    for user in password_reset_recipients(email):
        email_queue(
            to=[user.email],
            template="password_reset",
            context={
                "user": user,
                "uid": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
            related_object=f"user:{user.pk}",
        )


def password_reset_request(*, email):
    """Queue the job after the surrounding transaction (if any) commits; called the same way for any e-mail.

    A broker outage must not turn into an error page that only appears for some e-mails, nor into a 500:
    the publish failure is logged and the person can ask again.
    """

    def publish():
        from .tasks import password_reset_send as task

        try:
            task.delay(email)
        except Exception:  # noqa: BLE001 — any broker failure; see the docstring
            logger.warning("password reset job not queued", exc_info=True)

    transaction.on_commit(publish)
