from django.db import models
from django.utils.translation import gettext_lazy as _


class TransparencySnapshot(models.Model):
    """The public figures as one recomputation found them (SPEC §14): the page reads only the newest one, so
    it answers the same at a thousand cases or a million. `figures` is compute.py's JSON, aggregates only —
    nothing in it names a case, a protocol or a person."""

    computed_at = models.DateTimeField(_("computed at"), db_index=True)
    seconds = models.FloatField(_("seconds to compute"), default=0)
    figures = models.JSONField(_("figures"))

    class Meta:
        verbose_name = _("transparency snapshot")
        verbose_name_plural = _("transparency snapshots")
        ordering = ["-computed_at", "-id"]

    def __str__(self):
        return f"{self.computed_at:%Y-%m-%d %H:%M}"
