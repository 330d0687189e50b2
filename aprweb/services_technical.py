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
from gdportal.cases.choices import CaseState, FlowDecision, Verdict
from gdportal.cases.documents import latest_versions
from gdportal.cases.flow import flow_study_attach
from gdportal.cases.models import CaseReason, DocumentVersion
from gdportal.cases.reasons import ReasonDecision
from gdportal.cases.reasons_services import (
    ReasonsMissing,
    reasons_give,
    reasons_replace_draft,
    reasons_resolve,
    reasons_send,
)
from gdportal.cases.services import RuleBroken, ServiceError, case_lock, case_transition, email_case
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


def judged_in_an_earlier_round(case, version):
    """Marked Conforme before this round of analysis began (the case's entry into analysis): by REN 1.000
    art. 10 the pendências come "de uma única vez", so it turns Não conforme only as a fato novo."""
    return (
        version.verdict == Verdict.CONFORMING
        and version.verdict_at is not None
        and case.state_changed_at is not None
        and version.verdict_at < case.state_changed_at
    )


@transaction.atomic
def version_verdict(*, version, by, verdict, note="", reasons=(), new_fact=False, new_fact_note=""):
    """Judge one version. Não conforme needs a note and one or more reasons from the catalogue (SPEC §15);
    they stay a draft of the round until the suspension or rejection sends them. A version marked Conforme in
    an earlier round turns Não conforme only with `new_fact` and its explanation (counted apart)."""
    _require_technical(by)
    case = case_lock(version.case)
    if case.state != CaseState.TECHNICAL_REVIEW:
        raise ServiceError(_("Documents are judged only while the order is under analysis."))
    if verdict not in Verdict.values:
        raise ServiceError(_("Choose conforming or not conforming."))
    if verdict == Verdict.NONCONFORMING and not (note or "").strip():
        raise ServiceError(_("Say what is wrong: the RT will read the note."))
    chosen = []
    turned = False
    if verdict == Verdict.NONCONFORMING:
        chosen = reasons_resolve(
            reasons,
            required=_("Choose at least one reason from the catalogue: the RT will read it."),
            field=f"reasons-{version.pk}",
        )
        turned = judged_in_an_earlier_round(case, version) or (
            version.new_fact and version.verdict == verdict
        )
        new_fact_note = (new_fact_note or "").strip()
        if turned and not (new_fact and new_fact_note):
            raise RuleBroken(
                {
                    f"new_fact-{version.pk}": _(
                        "This version was marked conforming in an earlier analysis and has not changed "
                        "since: all pending items must be pointed out at once (REN 1.000 art. 10). Mark it "
                        "not conforming only for a new fact: tick “Fato novo” and explain it."
                    )
                }
            )
    DocumentVersion.objects.filter(pk=version.pk).update(
        verdict=verdict,
        verdict_note=(note or "").strip(),
        verdict_by=by,
        verdict_at=timezone.now(),
        new_fact=turned,
        new_fact_note=new_fact_note if turned else "",
    )
    version.refresh_from_db()
    reasons_replace_draft(
        version=version, decision=ReasonDecision.DOCUMENT, reasons=chosen, by=by, note=version.verdict_note
    )
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
        not_ok_labels = ", ".join([labels(not_ok), str(DATA_STEP)]) if not_ok else str(DATA_STEP)
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


def _flow_study(case, by, decision, flow_inversion, study_file, study_engineer, study_art):
    """A decision "por inversão de fluxo" carries its study (SPEC §15); refused on a dispensed case."""
    if flow_inversion:
        flow_study_attach(
            case=case,
            by=by,
            decision=decision,
            file=study_file,
            engineer=study_engineer,
            art_number=study_art,
        )


@transaction.atomic
def case_technical_suspend(
    *, case, by, note="", reasons=(), flow_inversion=False, study_file=None, study_engineer="", study_art=""
):
    """Suspend with the pending documents; each carries its reasons, and the analyst may add reasons of the
    whole order (`reasons`). Without any reason the suspension is refused (SPEC §15). "Por inversão de
    fluxo" (`flow_inversion`) it carries the study, and is refused on a case dispensed by art. 73-A."""
    _require_technical(by)
    case = case_lock(case)
    latest = latest_versions(case)
    pending = [v for v in latest.values() if v.verdict == Verdict.NONCONFORMING]
    data = GenerationData.objects.filter(case=case).first()
    data_pending = data is not None and data.verdict_current == Verdict.NONCONFORMING
    if can_proceed(case.suspend) and not pending and not data_pending:
        raise ServiceError(_("Suspend only with at least one document marked not conforming."))
    extra = reasons_resolve(reasons)
    if (
        can_proceed(case.suspend)
        and not extra
        and not CaseReason.objects.filter(version__in=pending).exists()
    ):
        raise ReasonsMissing(
            _("Give at least one reason from the catalogue: the RT and the customer read it.")
        )
    lines = [f"{v.kind_label}: {v.verdict_note}" for v in pending]
    if data_pending:
        lines.insert(0, f"{DATA_STEP}: {data.verdict_note}")
    if can_proceed(case.suspend):
        _flow_study(
            case, by, FlowDecision.TECHNICAL_SUSPEND, flow_inversion, study_file, study_engineer, study_art
        )
    event = case_transition(
        case.suspend, by=by, action="suspended", note="\n".join(lines + ([note] if note else []))
    )
    reasons_send(case=case, event=event, versions=pending)
    reasons_give(case=case, decision=ReasonDecision.SUSPENSION, reasons=extra, by=by, note=note, event=event)
    deadline_start(subject=case, kind=clocks.CORRECTION.code)
    _answer(case, by, note)
    email_case(
        case,
        "case_suspended",
        pending=pending,
        note=note,
        reasons=list(event.reasons.order_by("version__kind", "id")),
        correction=case.deadlines.get(kind=clocks.CORRECTION.code, state=Deadline.State.OPEN),
    )
    return case


@transaction.atomic
def case_technical_reject(
    *, case, by, reason, reasons=(), flow_inversion=False, study_file=None, study_engineer="", study_art=""
):
    """Reject with one or more reasons from the catalogue and the note (`reason`) the customer reads; "por
    inversão de fluxo" (`flow_inversion`) with the study (SPEC §15)."""
    _require_technical(by)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Say why the order is rejected: the customer and the RT will read it."))
    chosen = reasons_resolve(
        reasons, required=_("Choose at least one reason from the catalogue: the customer and the RT read it.")
    )
    case = case_lock(case)
    if can_proceed(case.technical_reject):
        _flow_study(
            case, by, FlowDecision.TECHNICAL_REJECT, flow_inversion, study_file, study_engineer, study_art
        )
    case.decision_note = reason
    event = case_transition(case.technical_reject, by=by, action="technical_rejected", note=reason)
    # The documents marked not conforming in this round are told with the rejection too.
    pending = [v for v in latest_versions(case).values() if v.verdict == Verdict.NONCONFORMING]
    reasons_send(case=case, event=event, versions=pending)
    reasons_give(
        case=case,
        decision=ReasonDecision.TECHNICAL_REJECTION,
        reasons=chosen,
        by=by,
        note=reason,
        event=event,
    )
    _answer(case, by, reason)
    email_case(
        case,
        "case_technical_rejected",
        reason=reason,
        reasons=list(event.reasons.order_by("version__kind", "id")),
    )
    return case


DECISIONS = ("approve", "suspend", "reject")


@transaction.atomic
def case_technical_review(
    *,
    case,
    by,
    verdicts,
    decision="",
    note="",
    grid_works_needed=False,
    reasons=(),
    verdict_reasons=None,
    new_facts=None,
    flow_inversion=False,
    study_file=None,
    study_engineer="",
    study_art="",
    generation_verdict=None,
):
    """The analyst's whole review in one go (SPEC §5.4): every verdict, then the decision, all or nothing.

    `verdicts` is {version id: (verdict, note)} for latest versions of the case's documents; `decision` is
    "approve", "suspend", "reject" or "" (save the verdicts only); `note` is the note to the RT of a
    suspension or the reason of a rejection, and `reasons` its reasons from the catalogue (SPEC §15).
    `verdict_reasons` is {version id: reasons} of the versions marked not conforming; `new_facts` is
    {version id: explanation} of those ticked "Fato novo". `flow_inversion` says a suspension or rejection is
    "por inversão de fluxo": then the study (PDF, engineer, ART) is required, and refused on a case dispensed
    by art. 73-A. One transaction: when the decision is refused (approve with a non-conforming document,
    reject without a reason), the verdicts of the same form are not kept either.
    """
    _require_technical(by)
    verdict_reasons = verdict_reasons or {}
    new_facts = new_facts or {}
    if decision and decision not in DECISIONS:
        raise ServiceError(_("Choose approve, suspend or reject."))
    case = case_lock(case)
    if case.state != CaseState.TECHNICAL_REVIEW:
        # Another analyst decided meanwhile, or the RT withdrew: the form on the page is stale.
        raise ServiceError(_("This order is no longer under analysis: reload the page."))
    latest = {version.pk: version for version in latest_versions(case).values()}
    drafts = {}
    for version_id, reason_id in CaseReason.objects.filter(
        version__in=list(latest), decided_at__isnull=True
    ).values_list("version", "reason"):
        drafts.setdefault(version_id, set()).add(reason_id)
    errors = {}
    for pk, (verdict, verdict_note) in verdicts.items():
        version = latest.get(pk)
        if version is None:
            # An older version (a stale page after the RT replaced it) or another case's: judge the newest.
            raise ServiceError(_("Judge only the latest version of each document: reload the page."))
        given = verdict_reasons.get(pk, ())
        given_ids = {getattr(r, "pk", r) for r in given}
        unchanged = (verdict, (verdict_note or "").strip()) == (version.verdict, version.verdict_note)
        if unchanged and given_ids == drafts.get(pk, set()) and (pk in new_facts) == version.new_fact:
            continue  # unchanged: keep who judged it and when
        try:
            version_verdict(
                version=version,
                by=by,
                verdict=verdict,
                note=verdict_note,
                reasons=given,
                new_fact=pk in new_facts,
                new_fact_note=new_facts.get(pk, ""),
            )
        except RuleBroken as exc:
            errors.update(exc.errors)  # every document's refusal at once, each at its field
    if errors:
        raise RuleBroken(errors)
    if generation_verdict is not None:
        data_verdict(case=case, by=by, verdict=generation_verdict[0], note=generation_verdict[1])
    if decision == "approve":
        return case_technical_approve(case=case, by=by, grid_works_needed=grid_works_needed)
    study = {
        "flow_inversion": flow_inversion,
        "study_file": study_file,
        "study_engineer": study_engineer,
        "study_art": study_art,
    }
    if flow_inversion and decision not in ("suspend", "reject"):
        raise ServiceError(_("Flow inversion is a reason to suspend or to reject: choose one of them."))
    if decision == "suspend":
        return case_technical_suspend(case=case, by=by, note=(note or "").strip(), reasons=reasons, **study)
    if decision == "reject":
        return case_technical_reject(case=case, by=by, reason=note, reasons=reasons, **study)
    return case
