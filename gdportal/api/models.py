"""Personal API tokens and the answers kept for `Idempotency-Key` retries (SPEC §14)."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "gdp_"  # noqa: S105  (the public marker of a token, not a secret)


def token_digest(raw):
    # A token carries ~190 random bits: one SHA-256 is enough (a slow hash guards guessable passwords), and it
    # lets the lookup be a unique index instead of trying every row.
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token: shown once at creation, kept only as its SHA-256 and its first characters."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    # The first characters, kept in clear so the owner recognises the token in the list and in logs.
    prefix = models.CharField(_("starts with"), max_length=16, db_index=True)
    digest = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, user, name):
        """Create a token; returns (row, the token in clear — the only time it exists outside the client)."""
        raw = f"{TOKEN_PREFIX}{secrets.token_urlsafe(32)}"
        row = cls.objects.create(user=user, name=name.strip(), prefix=raw[:12], digest=token_digest(raw))
        return row, raw

    @property
    def is_live(self):
        return self.revoked_at is None

    def revoke(self, *, by):
        if self.revoked_at is None:
            self.revoked_at, self.revoked_by = timezone.now(), by
            self.save(update_fields=["revoked_at", "revoked_by"])


class IdempotentAnswer(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`, replayed to a retry for 24 hours.

    Written before the view runs (status 0: in progress), so that two copies of one request arriving together
    do not both file; the answer is filled in after the view, or the row removed when it failed with a 5xx.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    path = models.CharField(max_length=255)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(blank=True, default=b"")
    headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotent answer")
        verbose_name_plural = _("idempotent answers")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")]

    def __str__(self):
        return f"{self.key} → {self.status}"
