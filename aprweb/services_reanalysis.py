"""Re-analysis (SPEC §6.2): a rejected or lapsed case gets a new NS and goes back to analysis, or to a new
order.

Same rules as every stage (gdportal.cases.services): lock, check state and right, audit, clocks,
e-mails — one transaction.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from gdportal.cases import deadline_kinds as apr_clocks
from gdportal.cases.choices import CaseState
from gdportal.cases.services import ServiceError, case_lock, case_transition, email_case, next_ns
from gdportal.deadlines.services import deadline_close, deadline_start

from . import deadline_kinds as clocks
from .models import AprOrder
from .services_orders import start_request_clocks


@transaction.atomic
def case_reanalysis_request(*, case, by, rejected_ns):
    """'Reanálise do projeto/processo elétrico': a new NS and back to analysis; the earlier round stays."""
    case = case_lock(case)
    if not (
        by.has_perm("cases.technical_review")
        or by.pk in (case.rt_id, case.filed_by_id)
        or (by.is_customer and by.customer_id == case.customer_id)
    ):
        raise PermissionDenied
    if rejected_ns != case.ns:
        raise ServiceError(_("The NS informed is not this case's rejected NS."))
    old_ns = case.ns
    now = timezone.now()
    if can_proceed(case.reanalysis_review) or can_proceed(case.reanalysis_restart):
        case.ns, case.ns_issued_at = next_ns(), now
    note = _("Re-analysis NS %(new)s replaces %(old)s.") % {"new": case.ns, "old": old_ns}
    if case.state == CaseState.EXPIRED:
        case_transition(case.reanalysis_restart, by=by, action="reanalysis", note=note)
        deadline_start(subject=case, kind=apr_clocks.APR_REGISTER.code, started_at=now)
        deadline_start(subject=case, kind=apr_clocks.APR_SUBMIT.code, started_at=now)
    else:
        case_transition(case.reanalysis_review, by=by, action="reanalysis", note=note)
        # Back under analysis: a suspended case's correction clock stops, and a new conformity check starts
        # with a full count (SPEC §9).
        deadline_close(subject=case, kinds=[clocks.CORRECTION.code], at=now)
        start_request_clocks(case, now)
    AprOrder.objects.filter(case=case).update(ns=case.ns, ns_date=now)
    email_case(case, "case_reanalysis", old_ns=old_ns)
    return case
