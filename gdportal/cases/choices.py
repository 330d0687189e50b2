from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Filed — under commercial analysis")
    COMMERCIAL_REJECTED = "commercial_rejected", _("Rejected in the commercial analysis")
    AWAITING_TECHNICAL = "awaiting_technical", _("Service note issued — awaiting technical documents")
    TECHNICAL_REVIEW = "technical_review", _("Under analysis")
    PENDING_CORRECTION = "pending_correction", _("Suspended — pending items")
    TECHNICAL_REJECTED = "technical_rejected", _("Rejected")
    EXPIRED = "expired", _("Rejected because the deadline lapsed")
    APPROVED = "approved", _("Approved — access opinion being prepared")
    PARECER_ISSUED = "parecer_issued", _("Access opinion issued — awaiting acceptance")
    PARECER_UNFAVOURABLE = "parecer_unfavourable", _("Unfavourable access opinion")
    PARECER_ACCEPTED = "parecer_accepted", _("Access opinion accepted")
    PARECER_EXPIRED = "parecer_expired", _("Access opinion expired")
    INSPECTION_REQUESTED = "inspection_requested", _("Inspection requested")
    INSPECTION_FAILED = "inspection_failed", _("Inspection failed")
    CONNECTED = "connected", _("Plant connected")
    CANCELLED = "cancelled", _("Cancelled")
    CONSULTATION_ANSWERED = "consultation_answered", _("Consultation answered")


# The states in which the case waits for the RT's APR Web step (register the order, send or correct its
# documents) under an enforcing clock: the only states `Case.expire` leaves, and so the only ones the
# deadline sweep's lapse moves (gdportal/cases/lapse.py) — one list for both.
AWAITING_RT_STATES = [CaseState.AWAITING_TECHNICAL, CaseState.PENDING_CORRECTION]


class EventAction(models.TextChoices):
    """What happened on a case's timeline. Stored as the code; people read the label (issue 10)."""

    SUBMITTED = "submitted", _("Request filed")
    COMMERCIAL_APPROVED = "commercial_approved", _("Approved in the commercial analysis; service note issued")
    COMMERCIAL_REJECTED = "commercial_rejected", _("Rejected in the commercial analysis")
    CONSULTATION_ANSWERED = "consultation_answered", _("Consultation answered")
    CANCELLED = "cancelled", _("Request cancelled")
    RT_REVOKED = "rt_revoked", _("Responsible technician removed from the request")
    APR_ORDER_REGISTERED = "apr_order_registered", _("Order registered in APR Web")
    APR_SUBMITTED = "apr_submitted", _("Technical documents sent for analysis")
    APR_RESUBMITTED = "apr_resubmitted", _("Corrected documents sent for analysis again")
    SUSPENDED = "suspended", _("Order suspended with pending items")
    TECHNICAL_APPROVED = "technical_approved", _("Project approved in the technical analysis")
    TECHNICAL_REJECTED = "technical_rejected", _("Rejected in the technical analysis")
    REANALYSIS = "reanalysis", _("Re-analysis requested")
    EXPIRED = "expired", _("Deadline lapsed")
    # After the technical approval (SPEC §6, issue 11).
    PARECER_CLOCK_PAUSED = "parecer_clock_paused", _("Access opinion deadline paused")
    PARECER_CLOCK_RESUMED = "parecer_clock_resumed", _("Access opinion deadline resumed")
    PARECER_ISSUED = "parecer_issued", _("Access opinion issued")
    PARECER_UNFAVOURABLE = "parecer_unfavourable", _("Unfavourable access opinion issued")
    PARECER_ACCEPTED = "parecer_accepted", _("Access opinion accepted")
    PARECER_ACCEPTED_TACITLY = (
        "parecer_accepted_tacitly",
        _("Access opinion accepted tacitly"),
    )
    PAYMENT_RECORDED = "payment_recorded", _("Financial participation paid")
    WORKS_DONE = "works_done", _("Grid works completed")
    PARECER_EXPIRED = "parecer_expired", _("Access opinion expired")
    PARECER_CANCELLED = "parecer_cancelled", _("Access opinion cancelled")
    INSPECTION_REQUESTED = "inspection_requested", _("Inspection requested")
    INSPECTION_SCHEDULED = "inspection_scheduled", _("Inspection scheduled")
    INSPECTION_VISITED = "inspection_visited", _("Inspection visit recorded")
    INSPECTION_PASSED = "inspection_passed", _("Inspection passed; plant connected")
    INSPECTION_FAILED = "inspection_failed", _("Inspection failed")
    INSPECTION_LAPSED = "inspection_lapsed", _("Cancelled: no new inspection request within 120 days")
    GFC_VERIFIED = "gfc_verified", _("Performance guarantee verified")
    GFC_RELEASABLE = "gfc_releasable", _("Performance guarantee may be released")
    GFC_RELEASED = "gfc_released", _("Performance guarantee released")
    # Flow-inversion studies (REN 1.000 arts. 73 and 78; SPEC §15) and the utility's breaches (SPEC §9).
    FLOW_STUDIES_REQUESTED = "flow_studies_requested", _("Flow-inversion studies requested")
    FLOW_STUDIES_DELIVERED = "flow_studies_delivered", _("Flow-inversion studies delivered")
    DEADLINE_BREACHED = "deadline_breached", _("Regulatory deadline missed by the utility")
    # SPEC §15, at filing: who ticked the art. 73-A term or declaration, and when (the event's actor, time).
    FLOW_DISPENSATION_DECLARED = (
        "flow_dispensation_declared",
        _("Term for the dispensation from the flow-inversion analysis accepted (art. 73-A)"),
    )
    # SPEC §16: the participating units filed with the request, confirmed by the titular on the case.
    UNITS_CONFIRMED = "units_confirmed", _("Participating units confirmed by the holder")
    UNITS_NOT_APPLIED = "units_not_applied", _("Participating units not applied at the connection")


# Where a case ends (SPEC §3): technical_rejected and expired end it unless a re-analysis is filed, which
# brings the same case back, so they count here; a connected plant may later file an ampliação.
FINAL_STATES = [
    CaseState.COMMERCIAL_REJECTED,
    CaseState.TECHNICAL_REJECTED,
    CaseState.EXPIRED,
    CaseState.PARECER_UNFAVOURABLE,
    CaseState.PARECER_EXPIRED,
    CaseState.CONNECTED,
    CaseState.CANCELLED,
    CaseState.CONSULTATION_ANSWERED,
]

# A filed case still under way. Every state neither draft nor final, so a state added later counts as open
# (the safe side: it blocks a second request for the installation rather than letting two run).
OPEN_STATES = [s for s in CaseState.values if s != CaseState.DRAFT and s not in FINAL_STATES]

# The states `cancel` leaves (SPEC §3): the titular, or an analyst with a reason, before the plant is
# connected. A delivered parecer (parecer_issued, parecer_accepted) is cancelled only by `cancel_parecer`
# (§6.4: the titular, never the RT); a final state is not cancelled.
CANCELLABLE = [
    CaseState.SUBMITTED,
    CaseState.AWAITING_TECHNICAL,
    CaseState.TECHNICAL_REVIEW,
    CaseState.PENDING_CORRECTION,
    CaseState.APPROVED,
    CaseState.INSPECTION_REQUESTED,
    CaseState.INSPECTION_FAILED,
]
# A delivered access opinion (SPEC §6.4).
PARECER_CANCELLABLE = [CaseState.PARECER_ISSUED, CaseState.PARECER_ACCEPTED]
# The inspection may be asked for from these states (SPEC §6.3), when the parecer's conditions hold.
INSPECTION_REQUESTABLE = [CaseState.PARECER_ACCEPTED, CaseState.INSPECTION_FAILED]

# While an RT may still act on the case, the holder may take it from them (SPEC §10, issue 8).
RT_REVOCABLE = [
    CaseState.SUBMITTED,
    CaseState.AWAITING_TECHNICAL,
    CaseState.TECHNICAL_REVIEW,
    CaseState.PENDING_CORRECTION,
    CaseState.TECHNICAL_REJECTED,
    CaseState.EXPIRED,
    CaseState.APPROVED,
    CaseState.PARECER_ISSUED,
    CaseState.PARECER_ACCEPTED,
    CaseState.INSPECTION_REQUESTED,
    CaseState.INSPECTION_FAILED,
]


# The cases the inspector (vistoriador) works on and may see (SPEC §1, §6.3).
INSPECTION_STATES = [CaseState.INSPECTION_REQUESTED, CaseState.INSPECTION_FAILED, CaseState.CONNECTED]


class CaseKind(models.TextChoices):
    ACCESS = "access", _("Access request")
    CONSULTATION = "consultation", _("Access consultation")


class Reason(models.TextChoices):
    MICRO_UP_TO_10 = "micro_le10", _("Microgeneration with power up to 10 kW")
    MICRO_ABOVE_10 = "micro_gt10", _("Microgeneration with power above 10 kW")
    MINI = "mini", _("Minigeneration")


class Source(models.TextChoices):
    BIOMASS = "biomass", _("Biomass")
    COGENERATION = "cogeneration", _("Qualified cogeneration")
    WIND = "wind", _("Wind")
    HYDRO = "hydro", _("Hydro")
    SOLAR = "solar", _("Solar")
    OTHER = "other", _("Other")


# Non-dispatchable sources are capped at 3 MW for minigeneration requested after 2023-01-07 (Lei 14.300).
NON_DISPATCHABLE = {Source.SOLAR, Source.WIND}


class RequestType(models.TextChoices):
    WITH_INCREASE = "with_increase", _("GD connection in an existing unit WITH increase of available power")
    WITHOUT_INCREASE = (
        "without_increase",
        _("GD connection in an existing unit WITHOUT increase of available power"),
    )
    NEW_UNIT = "new_unit", _("Connection of a new consumer unit with GD")
    # SPEC §16: an existing plant's power changes. The request's power is the total after the change (the
    # motivo bracket and the GFC are judged on it); the connection updates the existing generating unit.
    EXPANSION = "expansion", _("Change of power of an existing GD (expansion)")


# The request types that raise the unit's load and so ask for the load-analysis form (SPEC §5.3, §16).
POWER_INCREASE_TYPES = [RequestType.NEW_UNIT, RequestType.WITH_INCREASE, RequestType.EXPANSION]


class Modality(models.TextChoices):
    LOCAL = "local", _("Local self-consumption")
    REMOTE = "remote", _("Remote self-consumption")
    SHARED = "shared", _("Shared generation")
    MULTIPLE_UNITS = "emuc", _("Multiple consumer units (EMUC)")


class FlowDispensation(models.TextChoices):
    """Why a case is dispensed from the flow-inversion analysis (REN 1.000 art. 73-A; SPEC §15).

    Empty when it is not. Set at filing (atende) and read by every later stage: a dispensed case can be
    neither refused, suspended nor limited for "inversão de fluxo".
    """

    NONE = "", _("Not dispensed")
    FAST_TRACK = "fast_track", _("Local self-consumption up to 7.5 kW (fast track)")
    GRID_ZERO = "grid_zero", _("System that does not inject into the grid (grid zero)")
    CALCULATOR = "calculator", _("Micro at or below the unit's flow-inversion figure")


class GfcForm(models.TextChoices):
    CASH = "cash", _("Cash deposit (caução em dinheiro)")
    BONDS = "bonds", _("Public debt bonds")
    BANK_GUARANTEE = "bank", _("Bank guarantee (fiança bancária)")


class GfcBank(models.TextChoices):
    ITAU = "itau", "Itaú Unibanco"
    BRADESCO = "bradesco", "Bradesco"
    BB = "bb", "Banco do Brasil"
    SANTANDER = "santander", "Santander"
    CAIXA = "caixa", "Caixa"
    BTG = "btg", "BTG Pactual"
    SAFRA = "safra", "Safra"
    VOTORANTIM = "votorantim", "Votorantim"
    CITIBANK = "citibank", "Citibank"
    BANRISUL = "banrisul", "Banrisul"


POWER_LIMITS = {
    Reason.MICRO_UP_TO_10: (Decimal("0"), Decimal("10")),
    Reason.MICRO_ABOVE_10: (Decimal("10"), Decimal("75")),
    Reason.MINI: (Decimal("75"), Decimal("5000")),
}
MINI_NON_DISPATCHABLE_MAX = Decimal("3000")
GFC_THRESHOLD_KW = Decimal("500")


class DocumentKind(models.TextChoices):
    IDENTITY = "identity", _("Identity document with photo and CPF")
    CNPJ_CARD = "cnpj_card", _("CNPJ registration card")
    ARTICLES = "articles", _("Articles of incorporation / bylaws")
    REPRESENTATIVE_ID = "representative_id", _("Identity documents of the legal representatives")
    GFC_PROOF = "gfc_proof", _("Proof of the performance guarantee (GFC)")


class FlowDecision(models.TextChoices):
    """What a flow-inversion study backs (SPEC §15): a refusal, a suspension or an injection limit "por
    inversão de fluxo" — each needs the study —, or the studies delivered at the holder's request
    (art. 78)."""

    TECHNICAL_REJECT = "technical_reject", _("Rejection in the technical analysis")
    TECHNICAL_SUSPEND = "technical_suspend", _("Suspension in the technical analysis")
    PARECER_UNFAVOURABLE = "parecer_unfavourable", _("Unfavourable access opinion")
    INJECTION_LIMIT = "injection_limit", _("Injection limit in the access opinion")
    STUDIES_DELIVERED = "studies_delivered", _("Studies delivered at the holder's request")


class Verdict(models.TextChoices):
    CONFORMING = "conforming", _("Conforming")
    NONCONFORMING = "nonconforming", _("Not conforming")
