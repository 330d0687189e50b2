"""State changes of a case (SPEC §3–4). Views, the admin and tasks call these and nothing else.

Each one: locks the row, checks the state (through the model's transition) and the actor's right, writes the
audit event, opens or closes clocks and queues e-mails — in one transaction, so a refusal changes nothing and
an e-mail exists only if the change committed.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from gdportal.cases import deadline_kinds as apr_clocks
from gdportal.cases.choices import RT_REVOCABLE, CaseKind, CaseState, DocumentKind
from gdportal.cases.documents import identity_kinds, latest_versions
from gdportal.cases.filing_checks import FAST_TRACK_TERM, GRID_ZERO_DECLARATION, filing_facts_apply
from gdportal.cases.gfc import gfc_mark_releasable, gfc_needed, gfc_required
from gdportal.cases.held import held_attach, held_release
from gdportal.cases.models import Case, Guarantee, HeldUpload
from gdportal.cases.services import (
    ServiceError,
    case_check_rules,
    case_event,
    case_lock,
    case_transition,
    email_case,
    new_claim_code,
    next_ns,
    next_protocol,
)
from gdportal.deadlines.services import deadline_close, deadline_start
from gdportal.notifications.services import email_queue
from gdportal.registry.models import Installation

from . import deadline_kinds as clocks


class AlreadySent(ServiceError):
    """The draft was sent meanwhile (a double click, Back then send again): `case` is the sent case."""

    def __init__(self, case):
        self.case = case
        super().__init__(
            _("This request was already sent: protocol %(protocol)s.") % {"protocol": case.protocol}
        )


class DebtsOverdue(ServiceError):
    def __init__(self, debts):
        self.debts = list(debts)
        super().__init__(_("The holder has overdue debts; settle them before requesting access."))


def case_save_draft(*, case, by, uploads=(), held=()):
    """Save what the user typed as a draft (the 'check your answers' step) with its files.

    `uploads`: (kind, file) to attach, a file being an uploaded one or a HeldUpload kept from an earlier
    submit of the form that failed (gdportal/cases/held.py; only `by`'s own). `held`: every file held for the
    form: once the draft is saved, what was not attached is released.
    """
    from gdportal.cases.documents import document_store

    with transaction.atomic():
        if case.pk:
            # The form's copy may be old: a second tab, or Back after sending, posts over a sent case.
            stored = Case.objects.select_for_update().only("state", "protocol").get(pk=case.pk)
            if stored.state != CaseState.DRAFT:
                raise AlreadySent(stored)
        case.filed_by = case.filed_by if case.pk else by
        # The holder's name and CPF/CNPJ are the registry's, whatever a caller put there.
        case.holder_name, case.document = case.customer.name, case.customer.document
        case_check_rules(case)
        filing_facts_apply(case, calculator=False)
        case.save()
        for kind, uploaded in uploads:
            if isinstance(uploaded, HeldUpload):
                held_attach(case=case, kind=kind, row=uploaded, by=by)
            else:
                document_store(case=case, kind=kind, uploaded=uploaded, by=by)
        # Held files the draft did not take (a guarantee no longer needed, a file chosen again) go now.
        held_release([row for row in held if row.owner_id == by.pk])
    return case


def draft_document_kinds(case):
    """What a draft takes as files: the holder's identity papers, and the guarantee proof if it needs one."""
    kinds = list(identity_kinds(case.customer.person_type))
    if gfc_required(case.reason, case.power_kw, case.modality):
        kinds.append(DocumentKind.GFC_PROOF)
    return kinds


def case_draft_attach(*, case, kind, uploaded, by):
    """Attach a file to a saved draft (the API and bulk filing fill the fields first, the files after).

    The same rules as case_save_draft: the filer's own draft, still a draft when the row is locked (a draft
    sent meanwhile is AlreadySent), the file checked by content by document_store — all or nothing.
    """
    from gdportal.cases.documents import document_store

    with transaction.atomic():
        stored = Case.objects.select_for_update().only("state", "protocol", "filed_by").get(pk=case.pk)
        if stored.state != CaseState.DRAFT:
            raise AlreadySent(stored)
        if stored.filed_by_id != by.pk:
            raise PermissionDenied
        kinds = draft_document_kinds(case)
        if kind not in kinds:
            raise ValidationError(
                {
                    "kind": _("This document is not asked for this request: send %(kinds)s.")
                    % {"kinds": ", ".join(kinds)}
                }
            )
        return document_store(case=case, kind=kind, uploaded=uploaded, by=by)


def missing_identity_documents(case):
    if case.is_consultation:
        return []
    have = latest_versions(case)
    return [kind for kind in identity_kinds(case.customer.person_type) if kind not in have]


@transaction.atomic
def case_submit(*, case, by):
    case = case_lock(case)
    if by.pk != case.filed_by_id:
        raise PermissionDenied
    if case.state != CaseState.DRAFT and case.protocol:
        # The second of two clicks (or of two tabs) waited on the lock for the first: the case went out once.
        raise AlreadySent(case)
    overdue = list(case.customer.overdue_debts())
    if overdue:
        raise DebtsOverdue(overdue)
    if case.installation_id:
        # One request under way per installation (rules.open_access_request): two drafts for it sent at once
        # queue on the installation's row, and the second then sees the first as open.
        Installation.objects.select_for_update().only("pk").get(pk=case.installation_id)
    case_check_rules(case)
    # The distance and the art. 73-A ground as of the moment of filing (the registry's readings may have
    # moved since the draft was saved); saved by the transition below.
    filing_facts_apply(case)
    if missing_identity_documents(case):
        raise ServiceError(_("Attach the identification documents before sending."))
    if case.gfc_form and DocumentKind.GFC_PROOF not in latest_versions(case):
        # The form asks for it beside the choice; a draft filed through the API or a CSV gets it afterwards.
        raise ServiceError(_("Attach the proof of the performance guarantee (GFC) before sending."))
    now = timezone.now()
    case.protocol = next_protocol(now)
    case.submitted_at = now
    if case.rt_id is None and case.kind == CaseKind.ACCESS:
        # Filed by the customer: an RT takes the case only with this code, which only the customer has.
        case.claim_code = new_claim_code()
    case_transition(case.submit, by=by, action="submitted")
    declared = [
        str(text)
        for ticked, text in ((case.fast_track_term, FAST_TRACK_TERM), (case.grid_zero, GRID_ZERO_DECLARATION))
        if ticked
    ]
    if declared:
        # Who accepted the term or made the declaration, and when: the event's actor and time.
        case_event(case, by=by, action="flow_dispensation_declared", note=" ".join(declared))
    if case.kind == CaseKind.CONSULTATION:
        deadline_start(subject=case, kind=clocks.CONSULTATION_ANSWER.code, started_at=now)
        email_case(case, "consultation_filed")
    else:
        deadline_start(subject=case, kind=clocks.COMMERCIAL_SLA.code, started_at=now)
        email_case(
            case,
            "case_protocolled",
            commercial_due=case.deadlines.get(kind=clocks.COMMERCIAL_SLA.code).due_at,
        )
    return case


def has_verified_guarantee(case):
    return Guarantee.objects.filter(case=case).exists()


@transaction.atomic
def case_commercial_approve(*, case, by):
    if not by.has_perm("cases.commercial_review"):
        raise PermissionDenied
    case = case_lock(case)
    now = timezone.now()
    if can_proceed(case.commercial_approve) and gfc_needed(case) and not has_verified_guarantee(case):
        # Cemig refuses minigeneration above 500 kW without the guarantee (SPEC §6.5): checked before the NS.
        raise ServiceError(_("Verify the performance guarantee (GFC) on this page before issuing the NS."))
    if can_proceed(case.commercial_approve):
        case.ns = next_ns()
        case.ns_issued_at = now
    case_transition(case.commercial_approve, by=by, action="commercial_approved")
    deadline_close(subject=case, kinds=[clocks.COMMERCIAL_SLA.code], at=now)
    register = deadline_start(subject=case, kind=apr_clocks.APR_REGISTER.code, started_at=now)
    submit = deadline_start(subject=case, kind=apr_clocks.APR_SUBMIT.code, started_at=now)
    email_case(case, "case_ns_issued", register=register, submit=submit)
    return case


def _written_decision(*, case, by, perm, text, required, field, transition, action, clock, template, name):
    """A commercial decision the customer reads as text: a rejection's reason, a consultation's answer."""
    if not by.has_perm(perm):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ServiceError(required)
    case = case_lock(case)
    setattr(case, field, text)
    case_transition(getattr(case, transition), by=by, action=action, note=text)
    deadline_close(subject=case, kinds=[clock.code])
    email_case(case, template, **{name: text})
    return case


@transaction.atomic
def case_commercial_reject(*, case, by, reason):
    return _written_decision(
        case=case,
        by=by,
        perm="cases.commercial_review",
        text=reason,
        required=_("Say why the request is rejected: the customer and the RT will read it."),
        field="decision_note",
        transition="commercial_reject",
        action="commercial_rejected",
        clock=clocks.COMMERCIAL_SLA,
        template="case_commercial_rejected",
        name="reason",
    )


@transaction.atomic
def consultation_answer(*, case, by, answer):
    return _written_decision(
        case=case,
        by=by,
        perm="cases.answer_consultation",
        text=answer,
        required=_("Write the answer to the consultation."),
        field="answer",
        transition="answer_consultation",
        action="consultation_answered",
        clock=clocks.CONSULTATION_ANSWER,
        template="consultation_answered",
        name="answer",
    )


def can_cancel(case, user):
    """Only the holder (the customer user owning the installation) — never the RT — or an analyst."""
    if user.is_staff:
        return user.has_perm("cases.commercial_review") or user.has_perm("cases.technical_review")
    return user.is_customer and user.customer_id == case.customer_id


def can_revoke_rt(case, user):
    """The holder sees who their RT is and may take the case back from them until the plant is connected."""
    return (
        not user.is_staff
        and user.is_customer
        and user.customer_id == case.customer_id
        and case.rt_id is not None
        and case.state in RT_REVOCABLE
    )


@transaction.atomic
def case_rt_revoke(*, case, by):
    """The titular removes the case's RT: the RT loses the case and its orders; a new claim code is issued."""
    case = case_lock(case)
    if not can_revoke_rt(case, by):
        raise PermissionDenied
    former = case.rt
    case.rt = None
    case.claim_code = new_claim_code()
    case.save(update_fields=["rt", "claim_code", "updated_at"])
    case_event(
        case,
        by=by,
        action="rt_revoked",
        note=_("Responsible technician removed by the holder: %(name)s.") % {"name": former.get_full_name()},
    )
    email_queue(
        to=[former.email],
        template="case_rt_revoked",
        context={"case": case, "former": former},
        related_object=f"case:{case.pk}",
    )
    email_case(case, "case_claim_code")
    return case


@transaction.atomic
def case_cancel(*, case, by, reason=""):
    if not can_cancel(case, by):
        raise PermissionDenied
    reason = (reason or "").strip()
    if by.is_staff and not reason:
        raise ServiceError(_("An analyst cancels only with a reason."))
    case = case_lock(case)
    case_transition(case.cancel, by=by, action="cancelled", note=reason)
    from gdportal.deadlines.models import Deadline

    deadline_close(subject=case, state=Deadline.State.CANCELLED)
    gfc_mark_releasable(case=case, reason=_("Request cancelled"))
    email_case(case, "case_cancelled", reason=reason, by_holder=not by.is_staff)
    return case
