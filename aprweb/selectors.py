"""Reading stage 2 (SPEC §5): the case an RT may order for, the current order and its checklist, the technical
queue (the order search is search.py). Nothing here writes; the services (services_*.py) use these too."""

from dataclasses import dataclass

from gdportal.cases.choices import CaseState, Verdict
from gdportal.cases.documents import latest_versions
from gdportal.cases.models import Case

from .documents import LABELS, required_kinds
from .rules import ORDER_STATES, may_take_case


# --- Orders (SPEC §5.2) ---
def case_for_order(*, rt, protocol, document, claim_code=""):
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


def order_round(case):
    """The analysis round the case is in: one more each time it enters a state that takes an order (the NS,
    a suspension, a re-analysis after a lapse). Counted from the case's own events, so two requests that race
    compute the same round and the (case, round) unique constraint lets only one order in."""
    return max(1, case.events.filter(to_state__in=ORDER_STATES).count())


def current_order(case):
    return case.orders.order_by("-round", "-id").first()


def rt_title(rt):
    """The RT's professional title (aprweb.models.Title) from their registration, or None."""
    registration = getattr(rt, "rt_registration", None)
    return registration.title if registration else None


# --- Checklist (SPEC §5.3) ---
@dataclass
class ChecklistRow:
    kind: str
    label: str
    latest: object  # DocumentVersion or None
    history: list

    @property
    def missing(self):
        return self.latest is None

    @property
    def conforming(self):
        return self.latest is not None and self.latest.verdict == Verdict.CONFORMING

    @property
    def pending(self):
        return self.latest is not None and self.latest.verdict == Verdict.NONCONFORMING


def case_versions(case):
    """{kind: [versions, newest first]} of every document of the case, with their findings, in two queries."""
    versions = {}
    documents = case.documents.select_related("uploaded_by").prefetch_related("findings")
    for version in documents.order_by("kind", "-uploaded_at", "-id"):
        versions.setdefault(version.kind, []).append(version)
    return versions


def checklist(case, order=None, *, versions=None, generated=None):
    """One row per required kind with its latest version and the older ones (the seed's '(Histórico)').
    `versions` (case_versions) and `generated` (whether the data step is filled) when the caller has them."""
    versions = case_versions(case) if versions is None else versions
    rows = []
    for kind in required_kinds(case, order, generated=generated):
        history = versions.get(kind, [])
        rows.append(
            ChecklistRow(
                kind=kind, label=LABELS[kind], latest=history[0] if history else None, history=history[1:]
            )
        )
    return rows


def missing_kinds(case, order=None, *, latest=None):
    have = latest_versions(case) if latest is None else latest
    return [kind for kind in required_kinds(case, order) if kind not in have]


def pending_kinds(case, order=None, *, latest=None):
    """The pendências still open: required kinds whose latest version the analyst marked not conforming.
    Sending a new version closes one (its verdict is blank until the next analysis)."""
    have = latest_versions(case) if latest is None else latest
    return [
        kind
        for kind in required_kinds(case, order)
        if kind in have and have[kind].verdict == Verdict.NONCONFORMING
    ]


def labels(kinds):
    """'ART/TRT…, Memorial…': the documents a message names, in checklist order."""
    return ", ".join(str(LABELS[kind]) for kind in kinds)


# --- Technical analysis (SPEC §5.4) ---
def technical_queue(user):
    """Cases under technical analysis that `user` may see, oldest sent first."""
    return (
        Case.objects.for_user(user)
        .filter(state=CaseState.TECHNICAL_REVIEW)
        .order_by("state_changed_at", "id")
    )


# --- Order search (SPEC §5.5): every filter maps to an indexed column of AprOrder; no join, no full count ---


def rt_credentials(user):
    """The RT's council and registration number for the generated request form (SPEC §16)."""
    from .models import RTRegistration

    registration = (
        RTRegistration.objects.filter(cpf=user.cpf, status=RTRegistration.Status.APPROVED)
        .order_by("-decided_at")
        .first()
        if user.cpf
        else None
    )
    if registration is None:
        return {"council": "", "number": ""}
    return {"council": registration.get_council_display(), "number": registration.council_number}
