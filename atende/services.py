"""State changes of a case (SPEC §3–4). Views, the admin and tasks call these and nothing else.

Each one: locks the row, checks the state (through the model's transition) and the actor's right, writes the
audit event, opens or closes clocks and queues e-mails — in one transaction, so a refusal changes nothing and
an e-mail exists only if the change committed.
"""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from gdportal.deadlines.services import deadline_close, deadline_start
from gdportal.notifications.services import email_queue

from . import deadline_kinds as clocks
from .choices import RT_REVOCABLE, CaseKind, CaseState
from .documents import identity_kinds, latest_versions
from .models import AccessRequest, CaseEvent, NumberSequence
from .signals import case_moved


class CaseError(Exception):
    """A refusal with a message for the user; nothing was changed."""


class DebtsOverdue(CaseError):
    def __init__(self, debts):
        self.debts = list(debts)
        super().__init__(_("The holder has overdue debts; settle them before requesting access."))


def next_number(name):
    """Take the next value of a locked counter. Inside the caller's transaction: a rollback returns it."""
    NumberSequence.objects.get_or_create(name=name)
    # The UPDATE takes the row lock and holds it to the end of the caller's transaction: concurrent callers
    # queue here, each reads its own value, and a rollback gives the number back.
    NumberSequence.objects.filter(name=name).update(last_value=F("last_value") + 1)
    return NumberSequence.objects.get(name=name).last_value


def next_protocol(now=None):
    year = timezone.localtime(now or timezone.now()).year
    return f"{year}{next_number(f'protocol-{year}'):09d}"


def next_ns():
    return f"{2_000_000_000 + next_number('ns'):010d}"


# No 0/O, 1/I/L: the customer reads the code to their RT over the phone.
CLAIM_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_claim_code():
    """What the customer hands to the RT of their choice: 8 characters (~40 bits), shown as XXXX-XXXX."""
    return "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(8))


def claim_code_matches(case, typed):
    typed = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    return bool(case.claim_code) and secrets.compare_digest(case.claim_code, typed)


def lock_case(case):
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the RT.
    return (
        AccessRequest.objects.select_for_update(of=("self",)).select_related("customer", "rt").get(pk=case.pk)
    )


def move_case(case, method_name, *, by, action, note=""):
    method = getattr(case, method_name)
    if not can_proceed(method):
        raise CaseError(
            _(
                "This action is not possible while the case is “%(state)s”. Reload the page to see "
                "its current state."
            )
            % {"state": case.get_state_display()}
        )
    old = case.state
    method()
    case.state_changed_at = timezone.now()
    try:
        case.save()
    except ConcurrentTransition as exc:
        raise CaseError(_("Someone else changed this case at the same time. Reload the page.")) from exc
    event = CaseEvent.objects.create(
        case=case, actor=by, action=action, from_state=old, to_state=case.state, note=note
    )
    case_moved.send(sender=AccessRequest, case=case, event=event)
    return event


def email_case(case, template, **context):
    email_queue(
        to=case.notify_emails,
        template=template,
        context={"case": case, **context},
        related_object=f"case:{case.pk}",
    )


def case_save_draft(*, case, by, uploads=()):
    """Save what the user typed as a draft (the 'check your answers' step) with its uploaded files."""
    from .documents import document_store

    with transaction.atomic():
        if case.pk and case.state != CaseState.DRAFT:
            raise CaseError(_("This request was already sent."))
        case.filed_by = case.filed_by if case.pk else by
        # The holder's name and CPF/CNPJ are the registry's, whatever a caller put there.
        case.holder_name, case.document = case.customer.name, case.customer.document
        case.save()
        for kind, uploaded, checked in uploads:
            document_store(case=case, kind=kind, uploaded=uploaded, checked=checked, by=by)
    return case


def missing_identity_documents(case):
    if case.is_consultation:
        return []
    have = latest_versions(case)
    return [kind for kind in identity_kinds(case.customer.person_type) if kind not in have]


@transaction.atomic
def case_submit(*, case, by):
    case = lock_case(case)
    if by.pk != case.filed_by_id:
        raise PermissionDenied
    overdue = list(case.customer.overdue_debts())
    if overdue:
        raise DebtsOverdue(overdue)
    if missing_identity_documents(case):
        raise CaseError(_("Attach the identification documents before sending."))
    now = timezone.now()
    case.protocol = next_protocol(now)
    case.submitted_at = now
    if case.rt_id is None and case.kind == CaseKind.ACCESS:
        # Filed by the customer: an RT takes the case only with this code, which only the customer has.
        case.claim_code = new_claim_code()
    move_case(case, "submit", by=by, action="submitted")
    if case.kind == CaseKind.CONSULTATION:
        deadline_start(case=case, kind=clocks.CONSULTATION_ANSWER.code, started_at=now)
        email_case(case, "consultation_filed")
    else:
        deadline_start(case=case, kind=clocks.COMMERCIAL_SLA.code, started_at=now)
        email_case(
            case,
            "case_protocolled",
            commercial_due=case.deadlines.get(kind=clocks.COMMERCIAL_SLA.code).due_at,
        )
    return case


@transaction.atomic
def case_commercial_approve(*, case, by):
    if not by.has_perm("atende.commercial_review"):
        raise PermissionDenied
    case = lock_case(case)
    now = timezone.now()
    if can_proceed(case.commercial_approve):
        case.ns = next_ns()
        case.ns_issued_at = now
    move_case(case, "commercial_approve", by=by, action="commercial_approved")
    deadline_close(case=case, kinds=[clocks.COMMERCIAL_SLA.code], at=now)
    register = deadline_start(case=case, kind=clocks.APR_REGISTER.code, started_at=now)
    submit = deadline_start(case=case, kind=clocks.APR_SUBMIT.code, started_at=now)
    email_case(case, "case_ns_issued", register=register, submit=submit)
    return case


@transaction.atomic
def case_commercial_reject(*, case, by, reason):
    if not by.has_perm("atende.commercial_review"):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("Say why the request is rejected: the customer and the RT will read it."))
    case = lock_case(case)
    case.decision_note = reason
    move_case(case, "commercial_reject", by=by, action="commercial_rejected", note=reason)
    deadline_close(case=case, kinds=[clocks.COMMERCIAL_SLA.code])
    email_case(case, "case_commercial_rejected", reason=reason)
    return case


@transaction.atomic
def consultation_answer(*, case, by, answer):
    if not by.has_perm("atende.answer_consultation"):
        raise PermissionDenied
    answer = (answer or "").strip()
    if not answer:
        raise CaseError(_("Write the answer to the consultation."))
    case = lock_case(case)
    case.answer = answer
    move_case(case, "answer_consultation", by=by, action="consultation_answered", note=answer)
    deadline_close(case=case, kinds=[clocks.CONSULTATION_ANSWER.code])
    email_case(case, "consultation_answered", answer=answer)
    return case


def can_cancel(case, user):
    """Only the holder (the customer user owning the installation) — never the RT — or an analyst."""
    if user.is_staff:
        return user.has_perm("atende.commercial_review") or user.has_perm("atende.technical_review")
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
    case = lock_case(case)
    if not can_revoke_rt(case, by):
        raise PermissionDenied
    former = case.rt
    case.rt = None
    case.claim_code = new_claim_code()
    case.save(update_fields=["rt", "claim_code", "updated_at"])
    CaseEvent.objects.create(
        case=case,
        actor=by,
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
        raise CaseError(_("An analyst cancels only with a reason."))
    case = lock_case(case)
    move_case(case, "cancel", by=by, action="cancelled", note=reason)
    from gdportal.deadlines.models import Deadline

    deadline_close(case=case, state=Deadline.State.CANCELLED)
    email_case(case, "case_cancelled", reason=reason, by_holder=not by.is_staff)
    return case
