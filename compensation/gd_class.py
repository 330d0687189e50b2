"""GD classes and what compensated energy still pays (SPEC §7.2 item 5; Lei 14.300 art. 26–27, REN 655-O/P/Q).

Every figure that regulation may change is a setting (gdportal/settings.py, "The credit ledger").
"""

from datetime import date
from decimal import Decimal

from django.conf import settings

from gdportal.cases.choices import Modality

from .models import AllocationMode, GdClass

# Lei 14.300 art. 26: requests filed up to 12 months after the law (2023-01-07) keep the old rule until 2045.
GD_I_FILED_UNTIL = date(2023, 1, 7)
GD_III_MIN_POWER_KW = Decimal("500")
GD_III_MIN_SHARE_PERCENT = Decimal("25")
ZERO = Decimal("0")


def gd_class(*, requested_on, power_kw, dispatchable, modality, allocation=None):
    """The GD class of a generating unit.

    GD I: filed up to 2023-01-07. GD III (art. 27 §1): minigeneration above 500 kW from a non-dispatchable
    source, in autoconsumo remoto, or in geração compartilhada where one unit holds ≥ 25 % of the surplus.
    GD II: every other. `allocation` is the allocation set in force (or an iterable of percentages); a
    priority order may send the whole surplus to its first unit, so it counts as ≥ 25 %. Without an
    allocation a geração compartilhada stays GD II until one is accepted.
    """
    if requested_on <= GD_I_FILED_UNTIL:
        return GdClass.GD_I
    if Decimal(power_kw) > GD_III_MIN_POWER_KW and not dispatchable:
        if modality == Modality.REMOTE:
            return GdClass.GD_III
        if modality == Modality.SHARED and _one_unit_holds_a_quarter(allocation):
            return GdClass.GD_III
    return GdClass.GD_II


def _one_unit_holds_a_quarter(allocation):
    if allocation is None:
        return False
    if hasattr(allocation, "rows"):  # an AllocationSet
        if allocation.mode == AllocationMode.PRIORITY:
            return True
        percents = [row.percent for row in allocation.rows.all()]
    else:
        percents = list(allocation)
    return any(p is not None and Decimal(p) >= GD_III_MIN_SHARE_PERCENT for p in percents)


def generator_gd_class(generator, allocation=None):
    return gd_class(
        requested_on=generator.requested_on,
        power_kw=generator.power_kw,
        dispatchable=generator.dispatchable,
        modality=generator.modality,
        allocation=allocation,
    )


def in_late_window(requested_on):
    """Filed in art. 27 §2's window (13th to 18th month of the law): the GD II table runs until 2030."""
    if requested_on is None:
        return False
    start, end = (date.fromisoformat(d) for d in settings.GD_II_LATE_FILING_WINDOW)
    return start <= requested_on <= end


def paid_share(gd_class, year, requested_on=None):
    """(share of TUSD Fio B, share of TUSD Fio A) that compensated energy of this class pays in `year`."""
    after = (
        Decimal(settings.GD_FIO_B_SHARE_AFTER_TRANSITION),
        Decimal(settings.GD_FIO_A_SHARE_AFTER_TRANSITION),
    )
    if gd_class == GdClass.GD_I:
        return (ZERO, ZERO) if year <= settings.GD_I_TRANSITION_END_YEAR else after
    if gd_class == GdClass.GD_III:
        return Decimal(settings.GD_III_FIO_B_SHARE), Decimal(settings.GD_III_FIO_A_SHARE)
    table = {int(y): Decimal(share) for y, share in settings.GD_II_FIO_B_SHARES.items()}
    first, last = min(table), max(table)
    if year < first:
        return ZERO, ZERO
    if year <= last:
        return table[year], ZERO
    # After the table: art. 17's rule — except that the late-window requests keep the last share until 2030.
    if in_late_window(requested_on) and year <= settings.GD_II_LATE_TRANSITION_END_YEAR:
        return table[last], ZERO
    return after


def paid_rate(tariff, gd_class, year, requested_on=None):
    """t (R$/kWh): the part of the tariff that a compensated kWh of this class still pays in `year`."""
    share_b, share_a = paid_share(gd_class, year, requested_on)
    return tariff.fio_b * share_b + tariff.fio_a * share_a
