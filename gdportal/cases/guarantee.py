"""The garantia de fiel cumprimento of a case (SPEC §6.5), as the commercial analyst verified it.

The request carries what the customer declared (Case.gfc_form, gfc_bank, gfc_amount); this row is what Cemig
checked before the NS — form, amount, bank and the guarantee's own expiry date — and then its life: kept until
30 days after the connection, releasable then (or at once when the case ends without a plant), released by
staff. It lives in the kernel because the commercial stage verifies it and the later stages release it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import GfcBank, GfcForm


class Guarantee(models.Model):
    class Status(models.TextChoices):
        HELD = "held", _("Held")
        RELEASABLE = "releasable", _("Releasable")
        RELEASED = "released", _("Released")

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="guarantee"
    )
    form = models.CharField(_("guarantee form"), max_length=10, choices=GfcForm.choices)
    bank = models.CharField(_("guarantor bank"), max_length=20, choices=GfcBank.choices, blank=True)
    amount = models.DecimalField(_("amount (R$)"), max_digits=14, decimal_places=2)
    expires_on = models.DateField(_("the guarantee's own expiry date"))
    note = models.TextField(_("analyst's note"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verified by"), on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.HELD)
    releasable_at = models.DateTimeField(_("releasable since"), null=True, blank=True)
    releasable_reason = models.CharField(_("why releasable"), max_length=200, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    release_note = models.TextField(_("release note"), blank=True)

    class Meta:
        verbose_name = _("performance guarantee (GFC)")
        verbose_name_plural = _("performance guarantees (GFC)")
        indexes = [models.Index(fields=["status", "releasable_at"])]

    def __str__(self):
        return f"GFC {self.case}"
