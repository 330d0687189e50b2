"""Password reset from the public form (/accounts/password_reset/).

The view answers the same way whether or not an account exists: it counts the request and writes one outbox
row naming the e-mail's key (password_reset_request); the sender looks the account up when it renders the
row. The request never reads the account, so its timing says nothing about it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from gdportal.notifications.services import email_queue_bulk

from .identifiers import identifier_key


def password_reset_recipients(key):
    """Accounts the public form may reset: customers and RTs, never staff (they use the admin's reset)."""
    User = get_user_model()
    users = User.objects.filter(email_key=key, is_active=True, is_staff=False)
    users = users.exclude(kind=User.Kind.STAFF).exclude(is_superuser=True)
    return [user for user in users if user.has_usable_password()]


def password_reset_context(key):
    """The outbox's loader for a reset row: the account's link, or no recipient when there is no account the
    public form may reset (the row is then closed unsent). Runs in the sender, never in the request."""
    users = password_reset_recipients(key)
    if not users:
        return {"_to": []}
    user = users[0]
    return {
        "_to": [user.email],
        "user": user,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }


def password_reset_request(*, email):
    """One outbox row for any e-mail typed, account or not: the same work, the same timing, durable.

    The sender resolves the account (password_reset_context); a broker outage only delays the e-mail (the
    periodic resend delivers the row) and never turns into an error page.
    """
    email_queue_bulk(
        [
            {
                "template": "password_reset",
                "context": {"password_reset_for": identifier_key(email)},
                "related_object": "password_reset",
            }
        ]
    )
