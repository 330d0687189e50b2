"""The vistoria (SPEC §6.3): requested in Atende, scheduled, visited and judged by the inspector in the admin.

A passed inspection connects the plant; a failed one lists the pending items and gives the customer 120 days
to ask again, after which the sweep cancels the case.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from gdportal.brdocs import normalize_document, only_digits
from gdportal.brformats import datetime_br
from gdportal.cases.choices import CaseState, EventAction
from gdportal.cases.documents import document_store
from gdportal.cases.gfc import gfc_connected, gfc_mark_releasable
from gdportal.cases.services import (
    RuleBroken,
    ServiceError,
    case_event,
    case_lock,
    case_transition,
    email_case,
)
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.services import deadline_close, deadline_start
from gdportal.generation.declared import ready_for_inspection
from gdportal.uploads import check_upload

from . import deadline_kinds as clocks
from .documents import PARECER_COPY, PARECER_COPY_MAX_BYTES
from .models import Inspection, InspectionPeriod
from .services import current_parecer, inspection_blockers, is_holder

# The seed's Vistoria form, as Inspection fields; the required ones.
FORM_FIELDS = [
    "holder_name",
    "document",
    "street",
    "cep",
    "street_number",
    "complement",
    "district",
    "municipality",
    "email",
    "phone",
    "mobile",
]
REQUIRED = ["holder_name", "document", "street", "cep", "street_number", "district", "municipality", "email"]


def may_request_inspection(case, user):
    """The titular, or the RT who holds the case (RTs use Atende on the customer's behalf)."""
    if user.is_staff:
        return False
    return is_holder(user, case) or (user.is_rt and case.rt_id == user.pk)


def current_inspection(case):
    return case.inspections.order_by("-requested_at", "-id").first()


def _require_inspector(user):
    if not user.has_perm("cases.inspect"):
        raise PermissionDenied


@transaction.atomic
def inspection_request(*, case, by, data, declaration, attachment=None):
    """File the seed's Vistoria form. `data`: the FORM_FIELDS; `attachment`: an optional copy of the parecer
    (PDF ≤ 3 MB) — without it the parecer the portal issued is the one attached."""
    if not may_request_inspection(case, by):
        raise PermissionDenied
    case = case_lock(case)
    blockers = inspection_blockers(case)
    if blockers:
        raise ServiceError(" ".join(str(b) for b in blockers))
    values = {name: (data.get(name) or "").strip() for name in FORM_FIELDS}
    values["document"] = normalize_document(values["document"])
    values["cep"] = only_digits(values["cep"])
    errors = {name: _("This field is required.") for name in REQUIRED if not values[name]}
    if not declaration:
        errors["declaration"] = _("Tick the declaration to request the inspection.")
    if values["document"] and values["document"] != case.document:
        errors["document"] = _("The CPF/CNPJ must be the holder's of this request.")
    if errors:
        raise RuleBroken(errors)
    now = timezone.now()
    copy = None
    if attachment is not None:
        check_upload(attachment, allowed=("pdf",), max_bytes=PARECER_COPY_MAX_BYTES)
        copy = document_store(case=case, kind=PARECER_COPY, uploaded=attachment, by=by)
    return _file(case, values, requested_by=by, actor=by, attachment=copy, now=now)


def inspection_request_declared(case, *, now):
    """Declaration 8.1 (SPEC §16): the RT declared the entrance ready and the plant installed, asking for the
    inspection right after the approval. Called in the transaction that accepts the parecer (by the titular
    or tacitly), records a payment or closes the works: when the case may ask for the inspection and nothing
    is pending, the portal files it with the case's own data, in the declarant's name. None otherwise."""
    declared = ready_for_inspection(case)
    if declared is None or case.state != CaseState.PARECER_ACCEPTED or inspection_blockers(case):
        return None
    values = {name: getattr(case, name, "") or "" for name in FORM_FIELDS}
    note = _("Automatic: declaration 8.1 by %(by)s on %(at)s") % {
        "by": declared.by.get_full_name() or declared.by.username,
        "at": datetime_br(declared.at),
    }
    return _file(case, values, requested_by=declared.by, actor=None, attachment=None, now=now, note=note)


def _file(case, values, *, requested_by, actor, attachment, now, note=""):
    first = case.state == CaseState.PARECER_ACCEPTED
    inspection = Inspection.objects.create(
        case=case,
        parecer=current_parecer(case),
        requested_at=now,
        requested_by=requested_by,
        attachment=attachment,
        declaration=True,
        **values,
    )
    case_transition(case.request_inspection, by=actor, action=EventAction.INSPECTION_REQUESTED, note=note)
    if first:
        # The parecer is in use: its validity stops counting at the first request (SPEC §6.3).
        deadline_close(subject=case, kinds=[clocks.VALIDITY.code], at=now)
    else:
        deadline_close(subject=case, kinds=[clocks.NEW_INSPECTION.code], at=now)
    deadline_start(subject=case, kind=clocks.INSPECTION.code, started_at=now)
    email_case(case, "inspection_requested", inspection=inspection)
    return inspection


def _open_inspection(case):
    inspection = current_inspection(case)
    if case.state != CaseState.INSPECTION_REQUESTED or inspection is None or inspection.result:
        raise ServiceError(_("This request has no inspection awaiting the inspector. Reload the page."))
    return inspection


@transaction.atomic
def inspection_schedule(*, case, by, date, period):
    _require_inspector(by)
    case = case_lock(case)
    inspection = _open_inspection(case)
    errors = {}
    if date is None or date < timezone.localdate():
        errors["date"] = _("Choose a visit date from today on.")
    if period not in InspectionPeriod.values:
        errors["period"] = _("Choose the period of the visit.")
    if errors:
        raise RuleBroken(errors)
    rescheduled = inspection.scheduled_for is not None
    inspection.scheduled_for, inspection.period, inspection.scheduled_by = date, period, by
    inspection.save(update_fields=["scheduled_for", "period", "scheduled_by"])
    note = f"{date_format(date, 'd/m/Y')} — {inspection.get_period_display()}"
    case_event(case, by=by, action=EventAction.INSPECTION_SCHEDULED, note=note)
    email_case(case, "inspection_scheduled", inspection=inspection, rescheduled=rescheduled)
    return inspection


def _visited(case, inspection, visited_on, by):
    if visited_on is None or visited_on > timezone.localdate():
        raise RuleBroken({"visited_on": _("Enter the date of the visit (today or before).")})
    if inspection.visited_on is None:
        inspection.visited_on = visited_on
        inspection.save(update_fields=["visited_on"])
        # The inspection is done (art. 91); the report, if it fails, has 3 business days (art. 94).
        deadline_close(subject=case, kinds=[clocks.INSPECTION.code])
        case_event(case, by=by, action=EventAction.INSPECTION_VISITED, note=date_format(visited_on, "d/m/Y"))
        return True
    return False


@transaction.atomic
def inspection_record_visit(*, case, by, visited_on):
    """ "Registrar visita": the visit happened; the result follows within 3 business days."""
    _require_inspector(by)
    case = case_lock(case)
    inspection = _open_inspection(case)
    if not _visited(case, inspection, visited_on, by):
        raise ServiceError(_("The visit of this inspection was already recorded."))
    deadline_start(subject=case, kind=clocks.INSPECTION_REPORT.code)
    return inspection


@transaction.atomic
def inspection_pass(*, case, by, visited_on, meter_number, connected_on):
    """Aprovada: the bidirectional meter is installed; the plant is connected from `connected_on`."""
    _require_inspector(by)
    case = case_lock(case)
    inspection = _open_inspection(case)
    meter_number = (meter_number or "").strip()
    errors = {}
    if not meter_number:
        errors["meter_number"] = _("Enter the number of the bidirectional meter installed.")
    if connected_on is None or connected_on > timezone.localdate():
        errors["connected_on"] = _("Enter the connection date (today or before).")
    elif visited_on and connected_on < visited_on:
        errors["connected_on"] = _("The connection cannot come before the visit.")
    if errors:
        raise RuleBroken(errors)
    _visited(case, inspection, visited_on, by)
    now = timezone.now()
    inspection.result, inspection.meter_number, inspection.connected_on = "passed", meter_number, connected_on
    inspection.decided_at, inspection.decided_by = now, by
    inspection.save(update_fields=["result", "meter_number", "connected_on", "decided_at", "decided_by"])
    case_transition(
        case.inspection_pass,
        by=by,
        action=EventAction.INSPECTION_PASSED,
        note=_("Meter %(meter)s; connected on %(date)s")
        % {"meter": meter_number, "date": date_format(connected_on, "d/m/Y")},
    )
    deadline_close(subject=case, kinds=[clocks.INSPECTION.code, clocks.INSPECTION_REPORT.code], at=now)
    gfc_connected(case, connected_on)
    email_case(case, "inspection_passed", inspection=inspection)
    return inspection


@transaction.atomic
def inspection_fail(*, case, by, visited_on, report):
    """Reprovada, with the report of each pending item (one per line)."""
    _require_inspector(by)
    case = case_lock(case)
    inspection = _open_inspection(case)
    items = [line.strip() for line in (report or "").splitlines() if line.strip()]
    if not items:
        raise RuleBroken({"report": _("List each pending item, one per line: the customer fixes them.")})
    _visited(case, inspection, visited_on, by)
    now = timezone.now()
    inspection.result, inspection.report = "failed", "\n".join(items)
    inspection.decided_at, inspection.decided_by = now, by
    inspection.save(update_fields=["result", "report", "decided_at", "decided_by"])
    case_transition(case.inspection_fail, by=by, action=EventAction.INSPECTION_FAILED, note=inspection.report)
    deadline_close(subject=case, kinds=[clocks.INSPECTION.code, clocks.INSPECTION_REPORT.code], at=now)
    deadline_start(subject=case, kind=clocks.NEW_INSPECTION.code, started_at=now)
    email_case(case, "inspection_failed", inspection=inspection)
    return inspection


def inspection_lapse(case, now):
    """The sweep, 120 days after a failed inspection with no new request: the case is cancelled."""
    if case.state != CaseState.INSPECTION_FAILED or not can_proceed(case.cancel):
        return
    case_transition(case.cancel, by=None, action=EventAction.INSPECTION_LAPSED)
    deadline_close(subject=case, state=Deadline.State.CANCELLED, at=now)
    gfc_mark_releasable(case=case, reason=_("Cancelled after a failed inspection"), at=now)
    email_case(case, "inspection_lapsed")
