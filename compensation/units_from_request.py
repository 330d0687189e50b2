"""The participating units filed with the request's data step (SPEC §7.1, §16) become the plant's allocation:
once the titular confirms them on the case, at the connection (or at the confirmation, if the plant is already
connected), with no analyst's acceptance and no notice period, from the cycle after the connection.

The units were judged by the §7.1 rules when the RT filed them (gdportal.generation.units); what the
registry may have changed since (a unit closed) is judged again here, and then nothing is applied: the
titular registers the units through "Sistema de compensação" like any later change.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gdportal.cases.choices import CaseKind, CaseState, EventAction
from gdportal.cases.selectors import case_for_user
from gdportal.cases.services import ServiceError, case_event, case_lock
from gdportal.generation.models import GenerationData, ParticipatingUnit
from gdportal.generation.services import units_confirm
from gdportal.registry.models import Installation

from .allocation_rules import add_months, default_unit_type, month_start
from .models import Allocation, AllocationSet, AllocationStatus, Generator

# Where the units still count as "filed with the request": from the order to the connection.
CONFIRMABLE_STATES = [
    CaseState.TECHNICAL_REVIEW,
    CaseState.PENDING_CORRECTION,
    CaseState.APPROVED,
    CaseState.PARECER_ISSUED,
    CaseState.PARECER_ACCEPTED,
    CaseState.INSPECTION_REQUESTED,
    CaseState.INSPECTION_FAILED,
    CaseState.CONNECTED,
]


def _units(case):
    data = GenerationData.objects.filter(case=case).prefetch_related("units").first()
    return (data, list(data.units.all())) if data is not None else (None, [])


def allocation_from_request(generator, case, now=None):
    """The confirmed units as the generator's allocation, from the cycle after the connection (or, confirmed
    later, from the cycle of the confirmation: a computed cycle is never rewritten). None when the case has
    no units, they are not all confirmed, they were applied already, or the registry no longer allows them."""
    now = now or timezone.now()
    data, units = _units(case)
    if not units or any(u.confirmed_at is None for u in units):
        return None
    if AllocationSet.objects.filter(
        generator=generator, requested_at=max(u.confirmed_at for u in units)
    ).exists():
        return None  # already applied (a second confirmation or a repeated signal)
    found = {
        i.number: i
        for i in Installation.objects.filter(number__in=[u.installation_number for u in units]).active()
    }
    gone = [u.installation_number for u in units if u.installation_number not in found]
    if gone:
        case_event(
            case,
            by=None,
            action=EventAction.UNITS_NOT_APPLIED,
            note=_("Participating units not applied (no longer active: %(units)s); register them again.")
            % {"units": ", ".join(gone)},
        )
        return None
    first = max(add_months(month_start(generator.connected_on), 1), month_start(timezone.localdate(now)))
    # The allocation in force until then ends the month before, as an accepted registration does.
    AllocationSet.objects.filter(generator=generator, status=AllocationStatus.ACCEPTED).filter(
        Q(last_cycle__isnull=True) | Q(last_cycle__gte=first)
    ).update(last_cycle=add_months(first, -1))
    last = max(units, key=lambda u: u.confirmed_at)
    allocation_set = AllocationSet.objects.create(
        generator=generator,
        mode=data.units_mode,
        status=AllocationStatus.ACCEPTED,
        first_cycle=first,
        requested_at=last.confirmed_at,
        requested_by=last.confirmed_by,
        decided_at=now,
        decided_by=None,  # no analyst: the units were filed with the request (SPEC §7.1)
        unit_type=default_unit_type(generator),
    )
    Allocation.objects.bulk_create(
        [
            Allocation(
                allocation_set=allocation_set,
                installation=found[u.installation_number],
                percent=u.percentage,
                priority=u.priority if u.priority is not None else position,
            )
            for position, u in enumerate(units, start=1)
        ]
    )
    return allocation_set


# --- the titular's confirmation on the case page ------------------------------------------------------------


def units_panel_present(case_id):
    """When the section may show something (gdportal.cases.extensions): the request's data list units."""
    return [ParticipatingUnit.objects.filter(data__case_id=case_id)]


def units_panel_context(case, user):
    """The case page's section: the units filed with the request and, for the titular, "Confirmar"."""
    if case.kind != CaseKind.ACCESS:
        return None
    # One query whatever the case holds or its state (the case page runs a fixed number of them).
    units = list(ParticipatingUnit.objects.filter(data__case=case))
    if not units or case.state not in CONFIRMABLE_STATES:
        return None
    holders = dict(
        Installation.objects.filter(number__in=[u.installation_number for u in units]).values_list(
            "number", "customer__name"
        )
    )
    confirmed = all(u.confirmed_at for u in units)
    return {
        "units": [(u, holders.get(u.installation_number, "")) for u in units],
        "confirmed": confirmed,
        "confirmed_at": max((u.confirmed_at for u in units if u.confirmed_at), default=None),
        "can_confirm": not confirmed and user.customer_id == case.customer_id and not user.is_staff,
    }


@transaction.atomic
def units_confirm_on_case(*, case, by):
    """The titular confirms; a plant already connected gets the allocation now."""
    case = case_lock(case)
    if case.state not in CONFIRMABLE_STATES:
        raise ServiceError(_("The participating units of this request can no longer be confirmed here."))
    units_confirm(case=case, by=by)
    case_event(case, by=by, action=EventAction.UNITS_CONFIRMED)
    generator = Generator.objects.filter(case=case).first() or (
        Generator.objects.filter(installation_id=case.installation_id).first()
        if case.state == CaseState.CONNECTED
        else None
    )
    if case.state == CaseState.CONNECTED and generator is not None:
        allocation_from_request(generator, case)


@login_required
@require_POST
def confirm_units(request, protocol):
    case = case_for_user(request.user, protocol)
    try:
        units_confirm_on_case(case=case, by=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Participating units confirmed: they receive credits from the cycle after the connection."),
        )
    return redirect("atende:status_detail", protocol=case.protocol)
