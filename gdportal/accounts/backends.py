from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from gdportal.cache import cache_delete, cache_get, cache_set

from .identifiers import cpf_key, identifier_key

ATENDE = "atende"
APR = "apr"


def user_cache_key(user_id):
    return f"gd:user:{user_id}"


def forget_cached_user(sender, instance, **kwargs):
    """post_save / post_delete of the user: the next request reads the row again (a new password, a user
    deactivated). A bulk update() sends no signal; GD_USER_CACHE_SECONDS bounds how long it goes unseen."""
    if settings.GD_USER_CACHE_SECONDS:
        cache_delete(user_cache_key(instance.pk))


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

    def get_user(self, user_id):
        """The signed-in user of every request, from the cache when GD_USER_CACHE_SECONDS is set (issue 15: a
        query per request otherwise). The session's hash is still checked against it by Django."""
        seconds = settings.GD_USER_CACHE_SECONDS
        if not seconds:
            return super().get_user(user_id)
        user = cache_get(user_cache_key(user_id))
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache_set(user_cache_key(user_id), user, seconds)
            return user
        return user if self.user_can_authenticate(user) else None
