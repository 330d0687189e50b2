"""Giving reasons from the catalogue (SPEC §15), for every stage's decisions: the stages' services call these
inside their own transaction, so a refused decision leaves no row."""

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from .reasons import KIND_OF_DECISION, CaseReason, DecisionReason
from .services import RuleBroken


class ReasonsMissing(RuleBroken):
    """A pendência or refusal without a valid reason from the catalogue, flagged at the form's `field`."""

    def __init__(self, message, field="reasons"):
        super().__init__({field: message})


def active_reasons():
    return DecisionReason.objects.filter(active=True)


def reasons_resolve(reasons, *, required=None, field="reasons"):
    """The catalogue rows for `reasons` (rows, ids or codes), in catalogue order, each once.

    An unknown or inactive reason is refused; with `required` (the message), so is an empty choice."""
    wanted = list(reasons or [])
    rows = [r for r in wanted if isinstance(r, DecisionReason)]
    keys = [r for r in wanted if not isinstance(r, DecisionReason)]
    if keys:
        ids = [k for k in keys if isinstance(k, int) or (isinstance(k, str) and k.isdigit())]
        codes = [k for k in keys if isinstance(k, str) and not k.isdigit()]
        found = list(
            DecisionReason.objects.filter(pk__in=[int(i) for i in ids])
            | DecisionReason.objects.filter(code__in=codes)
        )
        if len({r.pk for r in found}) < len(set(map(str, keys))):
            raise ReasonsMissing(_("Choose the reasons from the catalogue."), field)
        rows += found
    unique = {row.pk: row for row in rows}
    if any(not row.active for row in unique.values()):
        raise ReasonsMissing(_("This reason is no longer in use: choose another from the catalogue."), field)
    if required and not unique:
        raise ReasonsMissing(required, field)
    return sorted(unique.values(), key=lambda row: (row.position, row.code))


def reasons_give(*, case, decision, reasons, by, note="", version=None, event=None):
    """One CaseReason per reason. With an event the decision is sent (decided now); without one (a document's
    verdict) the rows wait for the suspension or rejection that sends them."""
    now = timezone.now()
    return CaseReason.objects.bulk_create(
        CaseReason(
            case=case,
            reason=reason,
            kind=KIND_OF_DECISION[decision],
            decision=decision,
            text=reason.text,
            norm_reference=reason.norm_reference,
            note=(note or "").strip(),
            version=version,
            event=event,
            created_by=by,
            created_at=now,
            decided_at=now if event is not None else None,
        )
        for reason in reasons
    )


def reasons_of_version(version, *, drafts_only=True):
    rows = CaseReason.objects.filter(version=version)
    return rows.filter(decided_at__isnull=True) if drafts_only else rows


def reasons_replace_draft(*, version, decision, reasons, by, note=""):
    """A document's verdict changed within its round: its draft reasons become the new ones (none when
    conforming)."""
    reasons_of_version(version).delete()
    if reasons:
        reasons_give(case=version.case, decision=decision, reasons=reasons, by=by, note=note, version=version)


def reasons_send(*, case, event, versions):
    """The decision `event` sends the draft reasons of these document versions (the pendências)."""
    return CaseReason.objects.filter(case=case, version__in=versions, decided_at__isnull=True).update(
        event=event, decided_at=event.created_at
    )


def draft_reason_counts(versions):
    """{version id: number of draft reasons} in one query."""
    rows = (
        CaseReason.objects.filter(version__in=versions, decided_at__isnull=True)
        .values("version")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["version"]: row["n"] for row in rows}


def draft_reason_codes(versions):
    """{version id: [reason ids]} of the drafts, in one query (the review form shows them chosen)."""
    chosen = {}
    for version_id, reason_id in (
        CaseReason.objects.filter(version__in=versions, decided_at__isnull=True)
        .order_by("reason__position", "reason__code")
        .values_list("version", "reason")
    ):
        chosen.setdefault(version_id, []).append(reason_id)
    return chosen


def case_reasons_sent(case):
    """What the customer and the RT read: every reason a decision sent, newest decision first."""
    return list(
        CaseReason.objects.decided()
        .filter(case=case)
        .select_related("version", "reason")
        .order_by("-decided_at", "-event_id", "version__kind", "id")
    )


def case_reason_groups(case):
    """The reasons sent, grouped by the decision that sent them (newest first), for the case pages:
    [{"decided_at", "decision", "kind", "items": [CaseReason]}] — one query."""
    groups = []
    for row in case_reasons_sent(case):
        key = (row.event_id, row.decided_at)
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "decided_at": row.decided_at, "decisions": [], "items": []})
        group = groups[-1]
        label = row.get_decision_display()
        if row.decision != "document" and label not in group["decisions"]:
            group["decisions"].append(label)
        group["items"].append(row)
    for group in groups:
        if not group["decisions"]:
            group["decisions"].append(_("Pending items"))
    return groups


def case_panel_present(case_id):
    """When the "Motivos" section may show something (gdportal.cases.extensions): a decision gave reasons."""
    return [CaseReason.objects.decided().filter(case_id=case_id)]


def case_panel_context(case, user):
    """The case page's "Motivos" section (gdportal.cases.extensions): None when no decision gave reasons."""
    groups = case_reason_groups(case)
    return {"groups": groups} if groups else None
