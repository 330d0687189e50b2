"""'Esqueci minha senha' of APR Web (the seed's login screen): an RT asks by CPF for a new APR password link.

As Atende's reset (gdportal.accounts.services): the request writes one outbox row naming the CPF, whatever
was typed, and the sender looks the RT up when it renders the row. The answer, the work and the timing are the
same for an RT's CPF and for any other, so the form tells nobody who has an APR Web account.
"""

from django.contrib.auth import get_user_model

from gdportal.notifications.services import email_queue_bulk

from .tokens import apr_password_path

CONTEXT_KEY = "apr_password_reset_for"


def apr_password_reset_request(*, cpf):
    email_queue_bulk(
        [
            {
                "template": "rt_apr_password_reset",
                "context": {CONTEXT_KEY: cpf},
                "related_object": "apr_password_reset",
            }
        ]
    )


def apr_password_reset_context(cpf):
    """The outbox's loader: the RT's link, or no recipient (the row is closed unsent). Runs in the sender."""
    User = get_user_model()
    user = User.objects.filter(cpf=cpf, kind=User.Kind.RT, is_active=True).first()
    if user is None or not user.email:
        return {"_to": []}
    return {"_to": [user.email], "user": user, "link": apr_password_path(user)}
