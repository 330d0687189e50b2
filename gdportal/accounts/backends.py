from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .identifiers import cpf_key, identifier_key

ATENDE = "atende"
APR = "apr"


class PortalBackend(ModelBackend):
    """Authenticates by realm: Atende by e-mail, APR Web by CPF + APR password, the admin by username.

    It replaces ModelBackend in AUTHENTICATION_BACKENDS (ModelBackend accepts **kwargs and would otherwise let
    an RT into APR Web with the Atende password).
    """

    def authenticate(self, request, username=None, password=None, realm=None, **kwargs):
        if username is None or password is None:
            return None
        if realm is None:
            return super().authenticate(request, username=username, password=password, **kwargs)
        User = get_user_model()
        if realm == ATENDE:
            # Exactly by the key (see identifiers): the lockout counts failures under this same key.
            user = (
                User.objects.filter(email_key=identifier_key(username)).exclude(kind=User.Kind.STAFF).first()
            )
            ok = user is not None and user.check_password(password)
        elif realm == APR:
            user = User.objects.filter(cpf=cpf_key(username), kind=User.Kind.RT).first()
            ok = user is not None and user.check_apr_password(password)
        else:
            return None
        if user is None:
            # Spend the same hashing time as a real check so response times do not reveal who has an account.
            User().set_password(password)
            return None
        if ok and self.user_can_authenticate(user):
            return user
        return None
