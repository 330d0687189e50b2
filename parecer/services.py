"""The parecer de acesso (SPEC §6.1, §6.4): issue it as a PDF, accept it (or let silence accept it), record
the payment and the works, cancel it, let it expire.

Same rules as every stage (gdportal.cases.services): lock, check state and right, audit, clocks, e-mails —
one transaction. Who may act is checked here, not only by the pages.
"""

import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_fsm import can_proceed

from gdportal.brdocs import format_document
from gdportal.cases import deadline_kinds as case_clocks
from gdportal.cases.choices import CaseState, EventAction, FlowDecision, Reason
from gdportal.cases.documents import document_store
from gdportal.cases.flow import dispensed_message, flow_study_attach, study_errors
from gdportal.cases.gfc import gfc_mark_releasable
from gdportal.cases.reasons import ReasonDecision
from gdportal.cases.reasons_services import reasons_give, reasons_resolve
from gdportal.cases.services import (
    CLAIM_ALPHABET,
    RuleBroken,
    ServiceError,
    case_event,
    case_lock,
    case_transition,
    email_case,
)
from gdportal.deadlines import calendar
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.services import deadline_close, deadline_pause, deadline_resume, deadline_start
from gdportal.registry.models import Phases, Voltage

from . import deadline_kinds as clocks
from .documents import PARECER_PDF
from .models import Parecer, TariffGroup


def is_holder(user, case):
    """The titular: the customer user of the case's customer — never an RT, never staff (SPEC §6.4)."""
    return bool(user.is_authenticated and not user.is_staff and user.customer_id == case.customer_id)


def current_parecer(case):
    return case.pareceres.order_by("-issued_at", "-id").first()


def _require(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied


def new_verification_code():
    """12 characters without look-alikes (~59 bits): typed from paper, guessed by nobody."""
    while True:
        code = "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(12))
        if not Parecer.objects.filter(verification_code=code).exists():
            return code


def _text(value):
    return (value or "").strip()


def _content_errors(case, favourable, fields):
    errors = {}
    if fields["voltage"] not in Voltage.values:
        errors["voltage"] = _("Choose the connection voltage.")
    if fields["phases"] not in Phases.values:
        errors["phases"] = _("Choose the phases.")
    if fields["tariff_group"] not in TariffGroup.values:
        errors["tariff_group"] = _("Choose the tariff group.")
    if not favourable:
        if not fields["unfavourable_reason"]:
            errors["unfavourable_reason"] = _(
                "Say why the opinion is unfavourable: the customer will read it."
            )
        return errors
    if not fields["connection_point"]:
        errors["connection_point"] = _("Describe the connection point (e.g. feeder and transformer).")
    if fields["works_needed"]:
        if not fields["works_description"]:
            errors["works_description"] = _("Describe the grid works needed.")
        if not fields["works_deadline_days"]:
            errors["works_deadline_days"] = _("Give the works' deadline in days.")
    try:
        amount = Decimal(fields["financial_participation"] or 0)
    except (InvalidOperation, TypeError):
        amount = Decimal("-1")
    if amount < 0:
        errors["financial_participation"] = _("Enter an amount in R$, zero or more.")
    elif amount > 0 and case.reason != Reason.MINI:
        # Lei 14.300 art. 8 §6: the utility pays microgeneration's reinforcement.
        errors["financial_participation"] = _(
            "Microgeneration has no financial participation: the utility pays the grid reinforcement."
        )
    return errors


def _flow_errors(case, favourable, flow_inversion, injection_limit_kw, study):
    """An unfavourable opinion or an injection limit "por inversão de fluxo" needs its study (SPEC §15), and
    is impossible on a case art. 73-A dispenses; the limit must limit something."""
    errors = {}
    limited = favourable and injection_limit_kw is not None
    if not (limited or flow_inversion):
        return errors
    if case.flow_dispensation:
        field = "injection_limit_kw" if limited else "flow_inversion"
        return {field: dispensed_message()}
    if favourable and injection_limit_kw is None:
        errors["injection_limit_kw"] = _(
            "A favourable opinion for flow inversion limits the injection: give the limit in kW."
        )
    elif limited and not (0 <= injection_limit_kw < case.power_kw):
        errors["injection_limit_kw"] = _(
            "The injection limit must be zero or more and below the installed power (%(kw)s kW)."
        ) % {"kw": case.power_kw}
    errors.update(study_errors(*study))
    return errors


def _sheet(case, parecer, study=None, reasons=()):
    from .pdf import ParecerSheet

    installation = case.installation.number if case.installation_id else ""
    return ParecerSheet(
        protocol=case.protocol,
        ns=case.ns or "",
        holder_name=case.holder_name,
        holder_document=format_document(case.document),
        installation=installation,
        address=case.address,
        latitude=case.latitude,
        longitude=case.longitude,
        source=case.get_source_display(),
        power_kw=case.power_kw,
        modality=case.get_modality_display(),
        flow_dispensation=case.get_flow_dispensation_display() if case.flow_dispensation else "",
        favourable=parecer.favourable,
        unfavourable_reason=parecer.unfavourable_reason,
        voltage=parecer.get_voltage_display(),
        phases=parecer.get_phases_display(),
        connection_point=parecer.connection_point,
        metering=parecer.metering,
        protection=parecer.protection,
        works_needed=parecer.works_needed,
        works_description=parecer.works_description,
        works_deadline_days=parecer.works_deadline_days,
        financial_participation=parecer.financial_participation,
        tariff_group=parecer.get_tariff_group_display(),
        customer_works=parecer.customer_works,
        issued_at=parecer.issued_at,
        valid_until=parecer.valid_until or calendar.local_date(parecer.issued_at),
        validity_days=settings.GD_PARECER_VALID_DAYS,
        analyst_name=parecer.issued_by.get_full_name() or parecer.issued_by.get_username(),
        verification_code=parecer.code_display,
        verify_url=settings.GDPORTAL_BASE_URL + reverse("verify:code", args=[parecer.verification_code]),
        flow_inversion=parecer.flow_inversion,
        injection_limit_kw=parecer.injection_limit_kw,
        study_engineer=study.engineer if study else "",
        study_art=study.art_number if study else "",
        reasons="; ".join(f"{row.text} ({row.norm_reference})" for row in reasons),
    )


@transaction.atomic
def parecer_issue(
    *,
    case,
    by,
    favourable,
    voltage,
    phases,
    tariff_group,
    connection_point="",
    metering="",
    protection="",
    works_needed=False,
    works_description="",
    works_deadline_days=None,
    financial_participation=Decimal("0"),
    customer_works="",
    unfavourable_reason="",
    reasons=(),
    flow_inversion=False,
    injection_limit_kw=None,
    study_file=None,
    study_engineer="",
    study_art="",
):
    """Issue the parecer of an approved case: the PDF is rendered, stored and hashed like any document.

    An unfavourable one names one or more reasons from the catalogue (SPEC §15) besides its text. For flow
    inversion — `flow_inversion` on an unfavourable opinion, or an `injection_limit_kw` on a favourable one —
    the study PDF, its engineer and ART number are required, and the decision is refused on a case dispensed
    by art. 73-A.
    """
    _require(by, "cases.technical_review")
    case = case_lock(case)
    transition = case.issue_parecer if favourable else case.issue_unfavourable_parecer
    if not can_proceed(transition):
        raise ServiceError(
            _("An access opinion is issued only for an approved request (now “%(state)s”). Reload the page.")
            % {"state": case.get_state_display()}
        )
    fields = {
        "voltage": voltage,
        "phases": phases,
        "tariff_group": tariff_group,
        "connection_point": _text(connection_point),
        "metering": _text(metering),
        "protection": _text(protection),
        "works_needed": bool(works_needed) and favourable,
        "works_description": _text(works_description),
        "works_deadline_days": works_deadline_days,
        "financial_participation": financial_participation,
        "customer_works": _text(customer_works),
        "unfavourable_reason": _text(unfavourable_reason),
    }
    if not favourable:
        injection_limit_kw = None
    study_input = (study_file, study_engineer, study_art)
    errors = {
        **_content_errors(case, favourable, fields),
        **_flow_errors(case, favourable, flow_inversion, injection_limit_kw, study_input),
    }
    chosen = []
    if not favourable:
        try:
            chosen = reasons_resolve(
                reasons, required=_("Choose at least one reason from the catalogue: the customer reads it.")
            )
        except RuleBroken as exc:
            errors.update(exc.errors)
    if errors:
        raise RuleBroken(errors)
    fields["flow_inversion"] = bool(flow_inversion) or injection_limit_kw is not None
    fields["injection_limit_kw"] = injection_limit_kw
    now = timezone.now()
    fields["financial_participation"] = Decimal(fields["financial_participation"] or 0) if favourable else 0
    if not fields["works_needed"]:
        fields["works_description"], fields["works_deadline_days"] = "", None
    parecer = Parecer.objects.create(
        case=case,
        favourable=favourable,
        issued_at=now,
        issued_by=by,
        verification_code=new_verification_code(),
        **fields,
    )
    event = case_transition(
        transition,
        by=by,
        action=EventAction.PARECER_ISSUED if favourable else EventAction.PARECER_UNFAVOURABLE,
        note="" if favourable else parecer.unfavourable_reason,
    )
    given = reasons_give(
        case=case,
        decision=ReasonDecision.UNFAVOURABLE_PARECER,
        reasons=chosen,
        by=by,
        note=parecer.unfavourable_reason,
        event=event,
    )
    deadline_close(subject=case, kinds=[case_clocks.PARECER_SLA.code], at=now)
    if favourable:
        validity = deadline_start(subject=case, kind=clocks.VALIDITY.code, started_at=now)
        parecer.valid_until = calendar.local_date(validity.due_at)
        paid = parecer.has_financial_participation
        acceptance = clocks.EXPRESS_ACCEPTANCE if paid else clocks.TACIT_ACCEPTANCE
        deadline_start(subject=case, kind=acceptance.code, started_at=now)
    else:
        case.decision_note = parecer.unfavourable_reason
        case.save(update_fields=["decision_note", "updated_at"])
        gfc_mark_releasable(case=case, reason=_("Unfavourable access opinion"), at=now)
    study = None
    if parecer.flow_inversion:
        decision = FlowDecision.INJECTION_LIMIT if favourable else FlowDecision.PARECER_UNFAVOURABLE
        study = flow_study_attach(
            case=case,
            by=by,
            decision=decision,
            file=study_file,
            engineer=study_engineer,
            art_number=study_art,
        )
    from .pdf import render_parecer_pdf

    with override(settings.LANGUAGE_CODE):
        pdf = render_parecer_pdf(_sheet(case, parecer, study, given))
    parecer.document = document_store(
        case=case, kind=PARECER_PDF, uploaded=ContentFile(pdf, name=f"parecer-{case.protocol}.pdf"), by=by
    )
    parecer.save(update_fields=["valid_until", "document"])
    email_case(
        case, "parecer_issued" if favourable else "parecer_unfavourable", parecer=parecer, reasons=given
    )
    return parecer


def _accepted(case, parecer, *, by, tacitly, now):
    parecer.accepted_at, parecer.accepted_by, parecer.accepted_tacitly = now, by, tacitly
    parecer.save(update_fields=["accepted_at", "accepted_by", "accepted_tacitly"])
    case_transition(
        case.accept_parecer,
        by=by,
        action=EventAction.PARECER_ACCEPTED_TACITLY if tacitly else EventAction.PARECER_ACCEPTED,
    )
    deadline_close(subject=case, kinds=[clocks.TACIT_ACCEPTANCE.code, clocks.EXPRESS_ACCEPTANCE.code], at=now)
    if parecer.works_needed:
        # The utility's works run on their own clock; the validity stands still meanwhile (SPEC §6.3).
        deadline_start(subject=case, kind=clocks.GRID_WORKS.code, started_at=now)
        deadline_pause(
            subject=case, kind=clocks.VALIDITY.code, reason=_("awaiting the utility's grid works"), at=now
        )
    email_case(case, "parecer_accepted", parecer=parecer, tacitly=tacitly)
    _declared_inspection(case, now)


def _declared_inspection(case, now):
    """Declaration 8.1 (SPEC §16): the inspection request files itself once nothing is pending."""
    from .services_inspection import inspection_request_declared  # it builds on this module

    inspection_request_declared(case, now=now)


@transaction.atomic
def parecer_accept(*, case, by):
    """ "Aceitar o parecer": the titular only."""
    if not is_holder(by, case):
        raise PermissionDenied
    case = case_lock(case)
    parecer = current_parecer(case)
    if case.state != CaseState.PARECER_ISSUED or parecer is None:
        raise ServiceError(_("This access opinion is not awaiting acceptance. Reload the page."))
    _accepted(case, parecer, by=by, tacitly=False, now=timezone.now())
    return parecer


def parecer_accept_tacitly(case, now):
    """The sweep, 10 business days after a parecer without financial participation (REN 1.000 art. 83)."""
    parecer = current_parecer(case)
    if case.state != CaseState.PARECER_ISSUED or parecer is None or parecer.has_financial_participation:
        return
    _accepted(case, parecer, by=None, tacitly=True, now=now)


def parecer_expire(case, now):
    """The sweep, at the end of the validity with no inspection requested."""
    if not can_proceed(case.expire_parecer):
        return
    case_transition(case.expire_parecer, by=None, action=EventAction.PARECER_EXPIRED)
    deadline_close(
        subject=case,
        kinds=[clocks.TACIT_ACCEPTANCE.code, clocks.EXPRESS_ACCEPTANCE.code, clocks.GRID_WORKS.code],
        state=Deadline.State.CANCELLED,
        at=now,
    )
    gfc_mark_releasable(case=case, reason=_("Access opinion expired"), at=now)
    email_case(case, "parecer_expired", parecer=current_parecer(case))


@transaction.atomic
def parecer_record_payment(*, case, by, reference=""):
    """Staff record the financial participation paid: the inspection may then be requested."""
    _require(by, "cases.manage_guarantee")
    case = case_lock(case)
    parecer = current_parecer(case)
    if case.state not in (CaseState.PARECER_ISSUED, CaseState.PARECER_ACCEPTED) or parecer is None:
        raise ServiceError(_("A payment is recorded only while the access opinion is in force."))
    if not parecer.payment_pending:
        raise ServiceError(_("This access opinion has no financial participation awaiting payment."))
    parecer.paid_at, parecer.payment_note = timezone.now(), _text(reference)[:200]
    parecer.save(update_fields=["paid_at", "payment_note"])
    case_event(case, by=by, action=EventAction.PAYMENT_RECORDED, note=parecer.payment_note)
    _declared_inspection(case, parecer.paid_at)
    return parecer


@transaction.atomic
def parecer_works_done(*, case, by, note=""):
    """The utility's grid works are done: their clock stops, the validity counts again."""
    _require(by, "cases.technical_review")
    case = case_lock(case)
    parecer = current_parecer(case)
    if parecer is None or not parecer.works_pending or case.state != CaseState.PARECER_ACCEPTED:
        raise ServiceError(_("No grid works are pending on this request."))
    now = timezone.now()
    parecer.works_done_at = now
    parecer.save(update_fields=["works_done_at"])
    deadline_close(subject=case, kinds=[clocks.GRID_WORKS.code], at=now)
    deadline_resume(subject=case, kind=clocks.VALIDITY.code, at=now)
    case_event(case, by=by, action=EventAction.WORKS_DONE, note=_text(note))
    _declared_inspection(case, now)
    return parecer


def may_cancel_parecer(case, user):
    """The titular; staff only to record the titular's written request (SPEC §6.4). Never the RT."""
    if case.state not in (CaseState.PARECER_ISSUED, CaseState.PARECER_ACCEPTED):
        return False
    if user.is_staff:
        return user.has_perm("cases.commercial_review") or user.has_perm("cases.technical_review")
    return is_holder(user, case)


@transaction.atomic
def parecer_cancel(*, case, by, reason=""):
    if not may_cancel_parecer(case, by):
        raise PermissionDenied
    reason = _text(reason)
    if by.is_staff and not reason:
        raise ServiceError(
            _("Staff cancel a delivered access opinion only at the holder's written request: describe it.")
        )
    case = case_lock(case)
    now = timezone.now()
    note = (
        reason if not by.is_staff else _("At the holder's written request: %(reason)s") % {"reason": reason}
    )
    case_transition(case.cancel_parecer, by=by, action=EventAction.PARECER_CANCELLED, note=note)
    deadline_close(subject=case, state=Deadline.State.CANCELLED, at=now)
    gfc_mark_releasable(case=case, reason=_("Access opinion cancelled"), at=now)
    email_case(case, "parecer_cancelled", parecer=current_parecer(case), reason=reason)
    return case


@transaction.atomic
def parecer_clock_pause(*, case, by, reason):
    """Pause the parecer's count for an ONS / other distributor consultation or a public authority
    (REN 1.000 art. 64 §2–§4), with the notice to the customer the regulation asks for."""
    _require(by, "cases.technical_review")
    reason = _text(reason)
    if not reason:
        raise ServiceError(_("Say why the count is paused: the customer is told."))
    case = case_lock(case)
    if not deadline_pause(subject=case, kind=case_clocks.PARECER_SLA.code, reason=reason[:200]):
        raise ServiceError(_("The access opinion's count is not running on this request."))
    case_event(case, by=by, action=EventAction.PARECER_CLOCK_PAUSED, note=reason)
    email_case(case, "parecer_clock_paused", reason=reason)
    return case


@transaction.atomic
def parecer_clock_resume(*, case, by):
    _require(by, "cases.technical_review")
    case = case_lock(case)
    if not deadline_resume(subject=case, kind=case_clocks.PARECER_SLA.code):
        raise ServiceError(_("The access opinion's count is not paused."))
    case_event(case, by=by, action=EventAction.PARECER_CLOCK_RESUMED)
    return case


def validity_open(case):
    """The validity clock, if the parecer is still in force (open and not past its date)."""
    clock = case.deadlines.filter(kind=clocks.VALIDITY.code, state=Deadline.State.OPEN).first()
    if clock is None or (clock.paused_at is None and clock.due_at < timezone.now()):
        return None
    return clock


def inspection_blockers(case):
    """Why this case may not ask for the inspection now ([] when it may), in the customer's words."""
    parecer = current_parecer(case)
    if case.state not in (CaseState.PARECER_ACCEPTED, CaseState.INSPECTION_FAILED) or parecer is None:
        if case.state == CaseState.PARECER_ISSUED:
            return [_("Accept the access opinion first.")]
        # The two ends a customer most needs named, rather than "accept it first" (the Vistoria page).
        if case.state == CaseState.PARECER_UNFAVOURABLE:
            return [_("An unfavourable access opinion does not authorise the connection.")]
        if case.state == CaseState.PARECER_EXPIRED:
            return [_("The access opinion is no longer valid.")]
        return [_("The inspection is requested after the access opinion is accepted.")]
    reasons = []
    if not parecer.favourable:
        reasons.append(_("An unfavourable access opinion does not authorise the connection."))
    if case.state == CaseState.PARECER_ACCEPTED and validity_open(case) is None:
        reasons.append(_("The access opinion is no longer valid."))
    if parecer.works_pending:
        reasons.append(_("The utility's grid works are still pending."))
    if parecer.payment_pending:
        reasons.append(_("The financial participation has not been recorded as paid."))
    return reasons
