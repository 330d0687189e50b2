"""Garantia de fiel cumprimento (SPEC §6.5)."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from .choices import GFC_THRESHOLD_KW, Modality, Reason

EXEMPT_MODALITIES = {Modality.SHARED, Modality.MULTIPLE_UNITS}


def gfc_required(reason, power_kw, modality):
    return (
        reason == Reason.MINI
        and power_kw is not None
        and power_kw > GFC_THRESHOLD_KW
        and modality not in EXEMPT_MODALITIES
    )


def gfc_percentage(power_kw):
    return Decimal("0.05") if power_kw >= Decimal("1000") else Decimal("0.025")


def gfc_amount(power_kw):
    """2.5 % above 500 kW and below 1,000 kW, 5 % from 1,000 kW, of power × reference price."""
    price = Decimal(str(settings.GD_GFC_REFERENCE_PRICE))
    return (gfc_percentage(power_kw) * power_kw * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
