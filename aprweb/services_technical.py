"""The technical decision (SPEC §5.4): a verdict on each document version, then approve, suspend or reject
the case.

Same rules as every stage (gdportal.cases.services): lock, check state and right, audit, clocks,
e-mails — one transaction.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from gdportal.cases import deadline_kinds as apr_clocks
from gdportal.cases.choices import CaseState, Verdict
from gdportal.cases.documents import latest_versions
from gdportal.cases.models import DocumentVersion
from gdportal.cases.services import ServiceError, case_lock, case_transition, email_case
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.services import deadline_close, deadline_recompute, deadline_start
from gdportal.generation.models import GenerationData

from . import deadline_kinds as clocks
from .documents import required_kinds
from .models import AprOrder
from .selectors import current_order, labels
from .services_generation import data_verdict

DATA_STEP = gettext_lazy("Generation technical data")


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


def _answer(case, by, note=""):
    """The decision is the answer: the conformity check's clock stops, the order shows the date."""
    deadline_close(subject=case, kinds=[clocks.TECHNICAL_SLA.code])
    if case.state != CaseState.APPROVED:
        # Suspended or rejected: this request will get no parecer; the corrected one starts its own count.
        deadline_close(subject=case, kinds=[apr_clocks.PARECER_SLA.code], state=Deadline.State.CANCELLED)
    order = current_order(case)
    if order:
        AprOrder.objects.filter(pk=order.pk).update(
            answered_at=timezone.now(), observation=note, situation=case.state
        )


@transaction.atomic
def case_technical_approve(*, case, by, grid_works_needed=False):
    _require_technical(by)
    case = case_lock(case)
    latest = latest_versions(case)
    order = current_order(case)
    not_ok = [
        k for k in required_kinds(case, order) if k not in latest or latest[k].verdict != Verdict.CONFORMING
    ]
    data = GenerationData.objects.filter(case=case).first()
    if data is not None and data.verdict_current != Verdict.CONFORMING:
        # The plant's data are judged like a document (SPEC §16): named with the documents still not ok.
        not_ok_labels = ", ".join([str(DATA_STEP), labels(not_ok)]) if not_ok else str(DATA_STEP)
        if can_proceed(case.technical_approve):
            raise ServiceError(
                _("To approve, every required document must be conforming. Still not: %(kinds)s.")
                % {"kinds": not_ok_labels}
            )
    if can_proceed(case.technical_approve) and not_ok:
        # Named, not counted: the analyst goes straight to the documents still missing a conforming version.
        raise ServiceError(
            _("To approve, every required document must be conforming. Still not: %(kinds)s.")
            % {"kinds": labels(not_ok)}
        )
    case.grid_works_needed = grid_works_needed
    case_transition(case.technical_approve, by=by, action="technical_approved")
    if grid_works_needed:
        # Works found by the studies: 30 days instead of 15, from the same Day 0 (SPEC §6.1).
        deadline_recompute(subject=case, kind=apr_clocks.PARECER_SLA.code)
    if not case.deadlines.filter(kind=apr_clocks.PARECER_SLA.code, state=Deadline.State.OPEN).exists():
        # A case approved before the parecer's count started at the order (older data): start it now.
        deadline_start(subject=case, kind=apr_clocks.PARECER_SLA.code)
    _answer(case, by)
    email_case(case, "case_technical_approved")
    return case


@transaction.atomic
def case_technical_suspend(*, case, by, note=""):
    _require_technical(by)
    case = case_lock(case)
    latest = latest_versions(case)
    pending = [v for v in latest.values() if v.verdict == Verdict.NONCONFORMING]
    data = GenerationData.objects.filter(case=case).first()
    data_pending = data is not None and data.verdict_current == Verdict.NONCONFORMING
    if can_proceed(case.suspend) and not pending and not data_pending:
        raise ServiceError(_("Suspend only with at least one document marked not conforming."))
    lines = [f"{v.kind_label}: {v.verdict_note}" for v in pending]
    if data_pending:
        lines.insert(0, f"{DATA_STEP}: {data.verdict_note}")
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
def case_technical_reject(*, case, by, reason):
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


DECISIONS = ("approve", "suspend", "reject")


@transaction.atomic
def case_technical_review(
    *, case, by, verdicts, decision="", note="", grid_works_needed=False, generation_verdict=None
):
    """The analyst's whole review in one go (SPEC §5.4): every verdict, then the decision, all or nothing.

    `verdicts` is {version id: (verdict, note)} for latest versions of the case's documents; `decision` is
    "approve", "suspend", "reject" or "" (save the verdicts only); `note` is the note to the RT of a
    suspension or the reason of a rejection. One transaction: when the decision is refused (approve with a
    non-conforming document, reject without a reason), the verdicts of the same form are not kept either.
    """
    _require_technical(by)
    if decision and decision not in DECISIONS:
        raise ServiceError(_("Choose approve, suspend or reject."))
    case = case_lock(case)
    if case.state != CaseState.TECHNICAL_REVIEW:
        # Another analyst decided meanwhile, or the RT withdrew: the form on the page is stale.
        raise ServiceError(_("This order is no longer under analysis: reload the page."))
    latest = {version.pk: version for version in latest_versions(case).values()}
    for pk, (verdict, verdict_note) in verdicts.items():
        version = latest.get(pk)
        if version is None:
            # An older version (a stale page after the RT replaced it) or another case's: judge the newest.
            raise ServiceError(_("Judge only the latest version of each document: reload the page."))
        if (verdict, (verdict_note or "").strip()) == (version.verdict, version.verdict_note):
            continue  # unchanged: keep who judged it and when
        version_verdict(version=version, by=by, verdict=verdict, note=verdict_note)
    if generation_verdict is not None:
        data_verdict(case=case, by=by, verdict=generation_verdict[0], note=generation_verdict[1])
    if decision == "approve":
        return case_technical_approve(case=case, by=by, grid_works_needed=grid_works_needed)
    if decision == "suspend":
        return case_technical_suspend(case=case, by=by, note=(note or "").strip())
    if decision == "reject":
        return case_technical_reject(case=case, by=by, reason=note)
    return case
