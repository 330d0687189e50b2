"""The rules of a receiving-unit registration (SPEC §7.1), each with its pt-BR message where it is broken.

`check_allocation` judges a whole registration — whatever filled it (the Atende form, a script, later the API)
— and returns the errors keyed by row (the row of "Relação de instalações" that breaks a rule) and by form
field (what is not about one row: the total, the legal instrument, the fast-track unit), together with the
rows cleaned for saving. `first_cycle_for` is the rule of the effective cycle.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from gdportal.brdocs import only_digits
from gdportal.cases.choices import Modality
from gdportal.generation.units import (  # noqa: F401 — the §7.1 rules shared with the APR order's units (§16)
    HUNDRED,
    INSTALLATION_DIGITS,
    AllocationErrors,
    CleanRow,
    RowInput,
    check_percentages,
    check_priorities,
    check_units,
    clean_rows,
    decimal_places,
    installations_of,
    same_titular,
)

from .models import AllocationMode, AllocationSet, AllocationStatus, LegalForm, UnitType

# REN 1.000 art. 73-A §2 II: autoconsumo local up to this power, connected without the flow-inversion study,
# keeps its surplus at the unit itself.
FAST_TRACK_KW = Decimal("7.5")
# Where credits may go to another titular's unit (Lei 14.300 art. 1º: geração compartilhada, EMUC).
OTHER_TITULARS_ALLOWED = {UnitType.SHARED, UnitType.MULTIPLE_UNITS, Modality.SHARED, Modality.MULTIPLE_UNITS}


def is_fast_track(generator):
    return generator.modality == Modality.LOCAL and generator.power_kw <= FAST_TRACK_KW


def needs_legal_instrument(generator, unit_type):
    """Shared generation and multiple consumer units bind several titulars: their instrument is attached."""
    return unit_type in (UnitType.SHARED, UnitType.MULTIPLE_UNITS) or generator.modality in (
        Modality.SHARED,
        Modality.MULTIPLE_UNITS,
    )


MODALITY_UNIT_TYPES = {
    Modality.REMOTE: UnitType.REMOTE,
    Modality.SHARED: UnitType.SHARED,
    Modality.MULTIPLE_UNITS: UnitType.MULTIPLE_UNITS,
}
MINI_FROM_KW = Decimal(75)


def default_unit_type(generator):
    """The seed's "Tipo da unidade" a generating unit starts from: its modality, else its size."""
    if generator.modality in MODALITY_UNIT_TYPES:
        return MODALITY_UNIT_TYPES[generator.modality]
    return UnitType.MINI if generator.power_kw > MINI_FROM_KW else UnitType.MICRO


def month_start(day):
    return day.replace(day=1)


def add_months(day, months):
    years, month = divmod(day.month - 1 + months, 12)
    return date(day.year + years, month + 1, 1)


def first_cycle_for(requested_on, decided_on=None, notice_days=None):
    """The first cycle (month) that starts at least GD_ALLOCATION_NOTICE_DAYS after the request — never the
    request's own cycle (0 days is REN 1.000's "next cycle") — and, when the analyst decides late, not a cycle
    that ended before the decision: a cycle is computed only once it is over, so the one in progress may
    still take the new allocation, but one already billed is never rewritten by it."""
    notice = settings.GD_ALLOCATION_NOTICE_DAYS if notice_days is None else notice_days
    earliest = requested_on + timedelta(days=notice)
    cycle = month_start(earliest)
    if cycle < earliest:
        cycle = add_months(cycle, 1)
    cycle = max(cycle, add_months(month_start(requested_on), 1))
    if decided_on is not None:
        cycle = max(cycle, month_start(decided_on))
    return cycle


def pending_set(generator):
    return (
        AllocationSet.objects.filter(generator=generator, status=AllocationStatus.PENDING)
        .order_by("requested_at", "id")
        .first()
    )


def unit_refusals(generator, *, check_pending=True):
    """Why no registration of this generating unit may be filed now, whatever is typed ([] when one may)."""
    reasons = []
    if is_fast_track(generator):
        reasons.append(
            _(
                "This generating unit (local self-consumption up to 7,5 kW, connected without the "
                "flow-inversion study) may not send credits to other units (REN 1.000 art. 73-A §2 II): "
                "its surplus stays as credit at the unit itself."
            )
        )
    if check_pending:
        pending = pending_set(generator)
        if pending is not None:
            reasons.append(
                _(
                    "A registration for this generating unit, filed on %(date)s, is awaiting Cemig's "
                    "analysis: wait for the answer before filing another."
                )
                # The titular's day (São Paulo), not UTC's: a request filed at 22:00 is not "tomorrow".
                % {"date": timezone.localtime(pending.requested_at).strftime("%d/%m/%Y")}
            )
    return reasons


def check_allocation(
    *,
    generator,
    unit_type,
    legal_form,
    mode,
    rows,
    remainder_to=None,
    has_legal_instrument=False,
    check_pending=True,
):
    """(errors, clean rows, the remainder's installation) for a registration of `generator`'s receivers.

    `rows`: RowInput in the order shown; `remainder_to`: the installation number of the unit that takes what
    is left in priority order (optional: else the one that consumed most, SPEC §7.2 step 2).
    """
    errors = AllocationErrors()
    if unit_type not in UnitType.values:
        errors.at_field("unit_type", _("Choose the type of unit."))
    if mode not in AllocationMode.values:
        errors.at_field("mode", _("Choose how the credits are shared: percentages or priority order."))
    for reason in unit_refusals(generator, check_pending=check_pending):
        errors.at_field(None, reason)
    _check_legal(errors, generator, unit_type, legal_form, has_legal_instrument)
    if not rows:
        errors.at_field(None, _("List at least one receiving unit in “Relação de instalações”."))
        return errors, [], None
    found = installations_of(rows)
    clean = check_units(
        errors,
        generator_number=generator.installation.number,
        titular=generator.installation.customer,
        other_titulars=unit_type in OTHER_TITULARS_ALLOWED or generator.modality in OTHER_TITULARS_ALLOWED,
        rows=rows,
        found=found,
    )
    if mode == AllocationMode.PERCENT:
        check_percentages(errors, rows)
    elif mode == AllocationMode.PRIORITY:
        check_priorities(errors, rows)
    remainder = None
    if mode == AllocationMode.PRIORITY and remainder_to:
        remainder = found.get(only_digits(remainder_to))
        if remainder is None or all(inst.pk != remainder.pk for inst in clean.values()):
            errors.at_field(
                "remainder_to", _("The unit that takes the remainder must be one of the units listed.")
            )
    if errors:
        return errors, [], None
    return errors, clean_rows(mode, rows, clean), remainder


def _check_legal(errors, generator, unit_type, legal_form, has_legal_instrument):
    if legal_form == LegalForm.CONSORTIUM_11795:
        errors.at_field(
            "legal_form",
            _(
                "A consortium under Lei 11.795/2008 (consórcio de bens) cannot form a shared generation "
                "(ANEEL Ofício Circular 15/2021): the participants must be bound by a civil or business "
                "consortium, a cooperative, a condominium or another civil association formed for this "
                "purpose."
            ),
        )
    if not needs_legal_instrument(generator, unit_type):
        return
    if not legal_form:
        errors.at_field("legal_form", _("Choose how the participants of the shared generation are bound."))
    elif legal_form not in LegalForm.values:
        errors.at_field("legal_form", _("Choose one of the legal forms listed."))
    if not has_legal_instrument:
        errors.at_field(
            "legal_instrument",
            _(
                "Attach the legal instrument that binds the participants (the consortium or cooperative "
                "agreement, the condominium's convention…): it is required for shared generation and for "
                "multiple consumer units."
            ),
        )
