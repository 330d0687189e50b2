"""The RT's order (SPEC §5.2, §5.3): register it, attach its documents, send it to analysis (again after
corrections).

Same rules as every stage (gdportal.cases.services): lock, check state and right, audit, clocks,
e-mails — one transaction.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gdportal.cases import deadline_kinds as apr_clocks
from gdportal.cases.choices import CaseState
from gdportal.cases.documents import document_check, document_store, latest_versions
from gdportal.cases.models import Case
from gdportal.cases.services import ServiceError, case_event, case_lock, case_transition
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.services import deadline_close, deadline_start
from gdportal.generation.documents import generated_documents_refresh
from gdportal.generation.validate import submission_errors
from gdportal.notifications.services import email_queue

from . import deadline_kinds as clocks
from . import rules
from .documents import required_kinds
from .models import AprOrder
from .selectors import labels, missing_kinds, order_round, pending_kinds, rt_title


class OrderExists(ServiceError):
    """The case already has its order for this round (a double click, a reload): the caller shows that one."""

    def __init__(self, order):
        self.order = order
        super().__init__(_("The order for this case was already registered; it is shown below."))


@transaction.atomic
def order_register(*, case, rt, order, claim_code=""):
    """Register the order; the case's RT becomes this RT. `order` is an unsaved AprOrder, form or not.

    A case without an RT is taken only with the customer's claim code (checked here, not only at "Buscar").
    The order rules (aprweb.rules) are checked here too: the form's messages are a courtesy, this is the gate.
    """
    if not rt.is_rt:
        raise PermissionDenied
    case = case_lock(case)
    if case.state not in rules.ORDER_STATES or not rules.may_take_case(case, rt, claim_code):
        raise ServiceError(_("This case does not accept an order now."))
    try:
        rules.order_check(order, title=rt_title(rt))
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages)) from exc
    # One order per case and round: registering again (a double click on "Cadastrar") hands back the order
    # already there instead of a second order, event and e-mail. The case lock orders concurrent requests.
    round_number = order_round(case)
    existing = case.orders.filter(round=round_number).first()
    if existing is not None:
        raise OrderExists(existing)
    order.case, order.rt = case, rt
    order.round = round_number
    order.protocol, order.ns, order.ns_date = case.protocol, case.ns, case.ns_issued_at
    order.customer_name, order.customer_number = case.customer.name, case.customer.number
    order.installation_number = case.installation.number if case.installation_id else ""
    order.regional = case.installation.regional_office if case.installation_id else ""
    order.situation = case.state
    order.save()
    if case.rt_id is None:
        # Claimed: the code has done its work; revoking the RT issues a new one.
        Case.objects.filter(pk=case.pk).update(rt=rt, claim_code="")
        case.rt, case.claim_code = rt, ""
    deadline_close(subject=case, kinds=[apr_clocks.APR_REGISTER.code])
    case_event(case, by=rt, action="apr_order_registered", note=_("Order registered in APR Web by the RT."))
    email_queue(
        to=[rt.email],
        template="apr_order_received",
        context={"order": order, "case": case},
        related_object=f"case:{case.pk}",
    )
    return order


def _lock_for_order_rt(order, by):
    """Lock the order's case; only the order's RT, while they still hold the case, may act on it (the holder
    may have revoked them)."""
    case = case_lock(order.case)
    if by.pk != order.rt_id or by.pk != case.rt_id:
        raise PermissionDenied
    return case


@transaction.atomic
def order_upload(*, order, kind, uploaded, by):
    case = _lock_for_order_rt(order, by)
    if case.state not in rules.UPLOAD_STATES:
        raise ServiceError(_("Documents can be sent only while the order awaits them."))
    if kind not in required_kinds(case, order):
        raise ValidationError({"kind": _("This document is not part of this order's checklist.")})
    latest = case.documents.filter(kind=kind).order_by("-uploaded_at", "-id").first()
    checked = document_check(uploaded, kind)  # the service's own check, whatever a caller did
    if latest is not None and latest.sha256 == checked.sha256:
        # Recognised by its hash: the same bytes again would be a new version with nothing new to analyse.
        raise ServiceError(
            _("This file is identical to the version sent on %(date)s: choose the corrected file.")
            % {"date": date_format(timezone.localtime(latest.uploaded_at), "d/m/Y H:i")}
        )
    return document_store(case=case, kind=kind, uploaded=uploaded, by=by)


def start_request_clocks(case, now):
    """A complete request (the order submitted, resubmitted or sent back to analysis) is Day 0 of the
    parecer (SPEC §6.1, REN 1.000 art. 64): its count starts, full, beside the 5-business-day conformity
    check that runs inside it. A resubmission is a new request: an earlier parecer count is replaced."""
    deadline_close(subject=case, kinds=[apr_clocks.PARECER_SLA.code], state=Deadline.State.CANCELLED, at=now)
    deadline_start(subject=case, kind=apr_clocks.PARECER_SLA.code, started_at=now)
    return deadline_start(subject=case, kind=clocks.TECHNICAL_SLA.code, started_at=now)


@transaction.atomic
def order_submit(*, order, by):
    """Send the order to analysis (first time or after corrections)."""
    case = _lock_for_order_rt(order, by)
    latest = latest_versions(case)
    missing = missing_kinds(case, order, latest=latest)
    if missing:
        raise ServiceError(
            _("Attach every required document before sending. Missing: %(kinds)s.")
            % {"kinds": labels(missing)}
        )
    # A suspended order goes back only with a new version of each document marked not conforming: the same
    # file again would be judged the same (SPEC §5.4). The page says so too; this is the gate.
    pending = pending_kinds(case, order, latest=latest)
    if pending:
        raise ServiceError(
            _("Send a new version of the documents marked not conforming before resending: %(kinds)s.")
            % {"kinds": labels(pending)}
        )
    # The plant as data (SPEC §16): complete, declared, and the same power, motivo, GFC and fast track as
    # the access request — else the RT corrects the step, or the customer files a re-analysis.
    refused = submission_errors(case)
    if refused:
        raise ServiceError(" ".join(str(message) for message in refused))
    # The request form and the units list, written from the data step as it is sent (a new version when the
    # data changed since the last sending; SPEC §16).
    generated_documents_refresh(case=case, by=by)
    now = timezone.now()
    if case.state == CaseState.PENDING_CORRECTION:
        case_transition(case.apr_resubmit, by=by, action="apr_resubmitted")
        deadline_close(subject=case, kinds=[clocks.CORRECTION.code], at=now)
    else:
        case_transition(case.apr_submit, by=by, action="apr_submitted")
        deadline_close(subject=case, kinds=[apr_clocks.APR_REGISTER.code, apr_clocks.APR_SUBMIT.code], at=now)
    # Cemig's turn now, with its own clock (SPEC §9: the conformity check), so the RT and the customer see
    # when to expect the answer instead of "no deadline running".
    case.technical_clock = start_request_clocks(case, now)
    AprOrder.objects.filter(pk=order.pk).update(submitted_at=now, situation=case.state)
    return case
