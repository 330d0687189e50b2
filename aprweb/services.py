"""State changes of APR Web (SPEC §5, §6.2): registrations, orders, documents, the technical decision.

Same rules as every stage (gdportal.cases.services): lock, check state and right, audit, clocks,
e-mails — one transaction.
"""

import secrets
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from gdportal.accounts.identifiers import identifier_key
from gdportal.cases import deadline_kinds as apr_clocks
from gdportal.cases.choices import CaseState
from gdportal.cases.documents import document_store
from gdportal.cases.models import Case, DocumentVersion, Verdict
from gdportal.cases.services import (
    ServiceError,
    case_event,
    case_lock,
    case_transition,
    claim_code_matches,
    email_case,
    next_ns,
)
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.services import deadline_close, deadline_start
from gdportal.notifications.services import email_queue

from . import deadline_kinds as clocks
from .documents import missing_kinds, required_kinds
from .models import TECHNICIAN_MAX_KVA, AprOrder, RTRegistration, Title
from .tokens import apr_password_token

# States in which an RT may (re)register the order for a case (SPEC §5.2).
ORDER_STATES = [CaseState.AWAITING_TECHNICAL, CaseState.PENDING_CORRECTION]
# Corrected files may also be attached to a rejected case before its re-analysis is requested (SPEC §6.2).
UPLOAD_STATES = [*ORDER_STATES, CaseState.TECHNICAL_REJECTED]


# --- RT registration (SPEC §5.1) ---
@transaction.atomic
def rt_registration_submit(*, registration):
    now = timezone.now()
    registration.save()
    # The analysis SLA (GD_RT_REVIEW_BUSINESS_DAYS), on the staff board like every other clock.
    registration.review_clock = deadline_start(
        subject=registration, kind=clocks.RT_REGISTRATION_REVIEW.code, started_at=now
    )
    email_queue(
        to=[registration.email],
        template="rt_registration_received",
        context={"registration": registration},
        related_object=f"rt-registration:{registration.pk}",
    )
    return registration


def _lock_registration(registration):
    return RTRegistration.objects.select_for_update().get(pk=registration.pk)


@transaction.atomic
def rt_registration_approve(*, registration, by):
    if not by.has_perm("aprweb.review_registration"):
        raise PermissionDenied
    registration = _lock_registration(registration)
    if registration.status != RTRegistration.Status.PENDING:
        raise ServiceError(_("This registration was already decided."))
    User = get_user_model()
    key = identifier_key(registration.email)
    if User.objects.filter(Q(cpf=registration.cpf) | Q(email_key=key) | Q(username=key)).exists():
        raise ServiceError(_("An account with this CPF or e-mail already exists."))
    if len(key) > User._meta.get_field("username").max_length:
        raise ServiceError(_("This e-mail is too long."))
    first, _sep, last = registration.name.partition(" ")
    user = User(
        username=key,
        email=registration.email,
        first_name=first[:150],
        last_name=last[:150],
        kind=User.Kind.RT,
        cpf=registration.cpf,
    )
    initial_password = secrets.token_urlsafe(9)
    user.set_password(initial_password)
    user.save()
    registration.status = RTRegistration.Status.APPROVED
    registration.user = user
    registration.decided_at = timezone.now()
    registration.decided_by = by
    registration.save()
    deadline_close(
        subject=registration, kinds=[clocks.RT_REGISTRATION_REVIEW.code], at=registration.decided_at
    )
    context = {"registration": registration, "user": user}
    related = f"rt-registration:{registration.pk}"
    # The seed's three e-mails, in this order.
    email_queue(
        to=[user.email],
        template="rt_atende_login",
        related_object=related,
        context={**context, "initial_password": initial_password},
    )
    email_queue(to=[user.email], template="rt_apr_approved", context=context, related_object=related)
    email_queue(
        to=[user.email],
        template="rt_apr_password_link",
        related_object=related,
        context={**context, "link": apr_password_link(user)},
    )
    return registration


def apr_password_link(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("aprweb:set_password", args=[uid, apr_password_token.make_token(user)])


@transaction.atomic
def rt_registration_reject(*, registration, by, reason):
    if not by.has_perm("aprweb.review_registration"):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the registration is rejected."))
    registration = _lock_registration(registration)
    if registration.status != RTRegistration.Status.PENDING:
        raise ServiceError(_("This registration was already decided."))
    registration.status = RTRegistration.Status.REJECTED
    registration.rejection_reason = reason
    registration.decided_at = timezone.now()
    registration.decided_by = by
    registration.save()
    deadline_close(
        subject=registration, kinds=[clocks.RT_REGISTRATION_REVIEW.code], at=registration.decided_at
    )
    email_queue(
        to=[registration.email],
        template="rt_registration_rejected",
        context={"registration": registration},
        related_object=f"rt-registration:{registration.pk}",
    )
    return registration


# --- Orders (SPEC §5.2) ---
def find_case_for_order(*, rt, protocol, document, claim_code=""):
    """'Buscar': the case only if it accepts an order now, the CPF/CNPJ matches, and it is this RT's to take.

    A case filed by an RT is that RT's; a case the customer filed is taken only with the claim code the
    customer received. Every miss looks the same, whether the protocol exists or not.
    """
    case = (
        Case.objects.select_related("customer", "installation")
        .filter(protocol=protocol, document=document, state__in=ORDER_STATES, kind="access")
        .first()
    )
    if case is None or not may_take_case(case, rt, claim_code):
        return None
    return case


def may_take_case(case, rt, claim_code):
    if case.rt_id:
        return case.rt_id == rt.pk
    return claim_code_matches(case, claim_code)


class OrderExists(ServiceError):
    """The case already has its order for this round (a double click, a reload): the caller shows that one."""

    def __init__(self, order):
        self.order = order
        super().__init__(_("The order for this case was already registered; it is shown below."))


def order_round(case):
    """The analysis round the case is in: one more each time it enters a state that takes an order (the NS,
    a suspension, a re-analysis after a lapse). Counted from the case's own events, so two requests that race
    compute the same round and the (case, round) unique constraint lets only one order in."""
    return max(1, case.events.filter(to_state__in=ORDER_STATES).count())


def rt_title(rt):
    registration = getattr(rt, "rt_registration", None)
    return registration.title if registration else None


@transaction.atomic
def order_register(*, case, rt, order, claim_code=""):
    """Register the order; the case's RT becomes this RT. `order` is an unsaved AprOrder from the form.

    A case without an RT is taken only with the customer's claim code (checked here, not only at "Buscar").
    """
    if not rt.is_rt:
        raise PermissionDenied
    case = case_lock(case)
    if case.state not in ORDER_STATES or not may_take_case(case, rt, claim_code):
        raise ServiceError(_("This case does not accept an order now."))
    if rt_title(rt) == Title.ELECTROTECHNICIAN and Decimal(str(order.demand_kva)) > TECHNICIAN_MAX_KVA:
        raise ServiceError(
            _("An electrotechnical technician signs projects up to 800 kVA (Decreto 90.922/85).")
        )
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


def current_order(case):
    return case.orders.order_by("-round", "-id").first()


@transaction.atomic
def order_upload(*, order, kind, uploaded, checked, by):
    case = case_lock(order.case)
    if by.pk != order.rt_id or by.pk != case.rt_id:
        # The order's RT, while they still hold the case (the holder may have revoked them).
        raise PermissionDenied
    if case.state not in UPLOAD_STATES:
        raise ServiceError(_("Documents can be sent only while the order awaits them."))
    if kind not in required_kinds(case, order):
        raise ServiceError(_("This document is not part of this order's checklist."))
    latest = case.documents.filter(kind=kind).order_by("-uploaded_at", "-id").first()
    if latest is not None and latest.sha256 == checked.sha256:
        # Recognised by its hash: the same bytes again would be a new version with nothing new to analyse.
        raise ServiceError(
            _("This file is identical to the version sent on %(date)s: choose the corrected file.")
            % {"date": date_format(timezone.localtime(latest.uploaded_at), "d/m/Y H:i")}
        )
    return document_store(case=case, kind=kind, uploaded=uploaded, checked=checked, by=by)


@transaction.atomic
def order_submit(*, order, by):
    """Send the order to analysis (first time or after corrections)."""
    case = case_lock(order.case)
    if by.pk != order.rt_id or by.pk != case.rt_id:
        # The order's RT, while they still hold the case (the holder may have revoked them).
        raise PermissionDenied
    missing = missing_kinds(case, order)
    if missing:
        raise ServiceError(
            _("Attach every required document before sending (%(count)d missing).") % {"count": len(missing)}
        )
    now = timezone.now()
    if case.state == CaseState.PENDING_CORRECTION:
        case_transition(case.apr_resubmit, by=by, action="apr_resubmitted")
        deadline_close(subject=case, kinds=[clocks.CORRECTION.code], at=now)
    else:
        case_transition(case.apr_submit, by=by, action="apr_submitted")
        deadline_close(subject=case, kinds=[apr_clocks.APR_REGISTER.code, apr_clocks.APR_SUBMIT.code], at=now)
    AprOrder.objects.filter(pk=order.pk).update(submitted_at=now, situation=case.state)
    return case


# --- Technical analysis (SPEC §5.4) ---
def _require_technical(user):
    if not user.has_perm("cases.technical_review"):
        raise PermissionDenied


@transaction.atomic
def version_verdict(*, version, by, verdict, note=""):
    _require_technical(by)
    case = case_lock(version.case)
    if case.state != CaseState.TECHNICAL_REVIEW:
        raise ServiceError(_("Documents are judged only while the order is under analysis."))
    if verdict not in Verdict.values:
        raise ServiceError(_("Choose conforming or not conforming."))
    if verdict == Verdict.NONCONFORMING and not (note or "").strip():
        raise ServiceError(_("Say what is wrong: the RT will read the note."))
    DocumentVersion.objects.filter(pk=version.pk).update(
        verdict=verdict, verdict_note=(note or "").strip(), verdict_by=by, verdict_at=timezone.now()
    )
    version.refresh_from_db()
    return version


def _latest(case):
    from gdportal.cases.documents import latest_versions

    return latest_versions(case)


def _answer(case, by, note=""):
    order = current_order(case)
    if order:
        AprOrder.objects.filter(pk=order.pk).update(
            answered_at=timezone.now(), observation=note, situation=case.state
        )


@transaction.atomic
def technical_approve(*, case, by, grid_works_needed=False):
    _require_technical(by)
    case = case_lock(case)
    latest = _latest(case)
    order = current_order(case)
    not_ok = [
        k for k in required_kinds(case, order) if k not in latest or latest[k].verdict != Verdict.CONFORMING
    ]
    if can_proceed(case.technical_approve) and not_ok:
        raise ServiceError(
            _("Approve only when the latest version of every required document conforms (%(count)d do not).")
            % {"count": len(not_ok)}
        )
    case.grid_works_needed = grid_works_needed
    case_transition(case.technical_approve, by=by, action="technical_approved")
    deadline_start(subject=case, kind=clocks.PARECER_SLA.code)
    _answer(case, by)
    email_case(case, "case_technical_approved")
    return case


@transaction.atomic
def technical_suspend(*, case, by, note=""):
    _require_technical(by)
    case = case_lock(case)
    latest = _latest(case)
    pending = [v for v in latest.values() if v.verdict == Verdict.NONCONFORMING]
    if can_proceed(case.suspend) and not pending:
        raise ServiceError(_("Suspend only with at least one document marked not conforming."))
    lines = [f"{v.kind_label}: {v.verdict_note}" for v in pending]
    case_transition(case.suspend, by=by, action="suspended", note="\n".join(lines + ([note] if note else [])))
    deadline_start(subject=case, kind=clocks.CORRECTION.code)
    _answer(case, by, note)
    email_case(
        case,
        "case_suspended",
        pending=pending,
        note=note,
        correction=case.deadlines.get(kind=clocks.CORRECTION.code, state=Deadline.State.OPEN),
    )
    return case


@transaction.atomic
def technical_reject(*, case, by, reason):
    _require_technical(by)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the order is rejected: the customer and the RT will read it."))
    case = case_lock(case)
    case.decision_note = reason
    case_transition(case.technical_reject, by=by, action="technical_rejected", note=reason)
    _answer(case, by, reason)
    email_case(case, "case_technical_rejected", reason=reason)
    return case


# --- Re-analysis (SPEC §6.2) ---
@transaction.atomic
def reanalysis_request(*, case, by, rejected_ns):
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
    AprOrder.objects.filter(case=case).update(ns=case.ns, ns_date=now)
    email_case(case, "case_reanalysis", old_ns=old_ns)
    return case
