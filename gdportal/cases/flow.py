"""Flow-inversion decisions carry their study; the holder may ask for the studies (SPEC §15, REN 1.000 arts.
73, 73-A and 78).

- `flow_study_attach` is called by the stages' own decision services (aprweb's suspension and rejection, the
  parecer's unfavourable opinion and injection limit) inside their transaction: it refuses a dispensed case
  (art. 73-A) and a decision without the study PDF, its engineer and ART, each message at its field.
- `flow_studies_request` (the holder or the RT) starts the utility's 10-business-day clock;
  `flow_studies_deliver` (a technical analyst) stores the studies, closes it and tells the case's people.
- The clock is a staff SLA; when the sweep flags it overdue, `record_breaches` writes the breach (art. 78,
  Tipo 1) the case page shows.
"""

import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gdportal.deadlines import calendar
from gdportal.deadlines.kinds import closed_days
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.services import deadline_close, deadline_start
from gdportal.uploads import PDF

from .choices import CaseState, EventAction, FlowDecision
from .documents import document_store, register_kinds
from .models import Case, CaseEvent
from .services import RuleBroken, ServiceError, case_event, case_lock, email_case

FLOW_STUDY_KIND = "flow_study"
register_kinds([(FLOW_STUDY_KIND, gettext_lazy("Flow-inversion study"))], (PDF,))

# The form fields every decision form uses for the study, so a RuleBroken lands next to them.
FIELD_FILE, FIELD_ENGINEER, FIELD_ART = "study_file", "study_engineer", "study_art"
FIELD_FLOW = "flow_inversion"

# The decisions whose studies the holder may ask for (art. 78): every refusal, suspension or opinion of the
# utility's technical analysis, whatever reason it gave — a study may lie behind any of them.
DECISION_ACTIONS = (
    EventAction.SUSPENDED,
    EventAction.TECHNICAL_REJECTED,
    EventAction.PARECER_ISSUED,
    EventAction.PARECER_UNFAVOURABLE,
)
# Asking makes sense while the decision still matters, not once the case has ended or the plant runs.
REQUEST_CLOSED_STATES = (CaseState.DRAFT, CaseState.CANCELLED, CaseState.CONNECTED)


def dispensed_message():
    return _(
        "Dispensed from the flow-inversion analysis (art. 73-A): this request cannot be refused, suspended "
        "or limited for flow inversion."
    )


def refuse_if_dispensed(case):
    """The service's word on art. 73-A, whatever the form offered (the option is not even shown)."""
    if case.flow_dispensation:
        raise RuleBroken({FIELD_FLOW: dispensed_message()})


def _art_ok(text):
    # The CREA's ART numbers mix letters and digits (MG20260012345): at least six digits, nothing odd.
    return bool(re.fullmatch(r"[A-Za-z0-9./-]{6,30}", text)) and sum(ch.isdigit() for ch in text) >= 6


def study_errors(file, engineer, art_number):
    errors = {}
    if file is None:
        errors[FIELD_FILE] = _("Attach the flow-inversion study (PDF): the customer and the RT may read it.")
    if len((engineer or "").strip()) < 3:
        errors[FIELD_ENGINEER] = _("Give the name of the engineer responsible for the study.")
    art = (art_number or "").strip()
    if not art:
        errors[FIELD_ART] = _("Give the study's ART number.")
    elif not _art_ok(art):
        errors[FIELD_ART] = _("Type the ART number as registered at the CREA (e.g. MG20260012345).")
    return errors


def flow_study_attach(*, case, by, decision, file, engineer, art_number, studies_request=None):
    """Store the study behind a decision (caller's transaction, case already locked); RuleBroken otherwise."""
    from .flow_models import FlowStudy

    if decision != FlowDecision.STUDIES_DELIVERED:
        refuse_if_dispensed(case)
    errors = study_errors(file, engineer, art_number)
    if errors:
        raise RuleBroken(errors)
    try:
        version = document_store(case=case, kind=FLOW_STUDY_KIND, uploaded=file, by=by)
    except ValidationError as exc:
        raise RuleBroken({FIELD_FILE: " ".join(exc.messages)}) from exc
    return FlowStudy.objects.create(
        case=case,
        decision=decision,
        document=version,
        engineer=engineer.strip(),
        art_number=art_number.strip().upper(),
        studies_request=studies_request,
        created_by=by,
    )


def is_holder_or_rt(user, case):
    """The titular (the customer's own user) or the case's RT; never staff."""
    if not user.is_authenticated or user.is_staff:
        return False
    return user.customer_id == case.customer_id or (case.rt_id is not None and case.rt_id == user.pk)


def _last_decision(case):
    return case.events.filter(action__in=DECISION_ACTIONS).order_by("-created_at", "-id").first()


def studies_request_refusal(case, user):
    """Why this user may not ask for the studies now (a message), or None when they may."""
    from .flow_models import FlowStudiesRequest

    if not is_holder_or_rt(user, case):
        return _("Only the holder or the case's responsible technician may ask for the studies.")
    if case.flow_dispensation:
        return _(
            "Dispensed from the flow-inversion analysis (art. 73-A): no flow-inversion study was made for "
            "this request."
        )
    if case.state in REQUEST_CLOSED_STATES:
        return _("The studies are asked for while a decision on the request still stands.")
    decision = _last_decision(case)
    if decision is None:
        return _("Cemig has not decided on this request yet: the studies are asked for after a decision.")
    requests = FlowStudiesRequest.objects.filter(case=case)
    if requests.filter(delivered_at=None).exists():
        return _("The studies were already asked for: Cemig is within its deadline to deliver them.")
    if requests.filter(delivered_at__gte=decision.created_at).exists():
        return _("The studies behind the last decision were already delivered (see below).")
    return None


@transaction.atomic
def flow_studies_request(*, case, by, note=""):
    """ "Solicitar estudos de inversão de fluxo" (REN 1.000 art. 78): the utility's 10-business-day clock."""
    from . import deadline_kinds as clocks
    from .flow_models import FlowStudiesRequest

    case = case_lock(case)
    refusal = studies_request_refusal(case, by)
    if refusal:
        if not is_holder_or_rt(by, case):
            raise PermissionDenied
        raise ServiceError(refusal)
    now = timezone.now()
    request = FlowStudiesRequest.objects.create(
        case=case, requested_by=by, requested_at=now, note=(note or "").strip()[:2000]
    )
    clock = deadline_start(subject=case, kind=clocks.FLOW_STUDIES.code, started_at=now)
    case_event(case, by=by, action=EventAction.FLOW_STUDIES_REQUESTED, note=request.note)
    email_case(case, "flow_studies_requested", clock=clock)
    return request


@transaction.atomic
def flow_studies_deliver(*, case, by, file, engineer, art_number):
    """The analyst delivers the studies asked for: stored like any document, the clock closed, e-mail sent."""
    from . import deadline_kinds as clocks
    from .flow_models import Breach, FlowStudiesRequest

    if not by.has_perm("cases.technical_review"):
        raise PermissionDenied
    case = case_lock(case)
    request = FlowStudiesRequest.objects.filter(case=case, delivered_at=None).first()
    if request is None:
        raise ServiceError(_("Nobody is waiting for studies on this request: reload the page."))
    study = flow_study_attach(
        case=case,
        by=by,
        decision=FlowDecision.STUDIES_DELIVERED,
        file=file,
        engineer=engineer,
        art_number=art_number,
        studies_request=request,
    )
    now = timezone.now()
    request.delivered_at, request.delivered_by = now, by
    request.save(update_fields=["delivered_at", "delivered_by"])
    clock = case.deadlines.filter(kind=clocks.FLOW_STUDIES.code, state=Deadline.State.OPEN).first()
    deadline_close(subject=case, kinds=[clocks.FLOW_STUDIES.code], at=now)
    if clock is not None:
        # Pv, now that it is known: the business days the utility took (the request's day not counted).
        Breach.objects.filter(deadline=clock).update(
            verified_days=business_days_between(clock.started_at, now)
        )
    case_event(
        case,
        by=by,
        action=EventAction.FLOW_STUDIES_DELIVERED,
        note=_("Engineer: %(engineer)s · ART %(art)s")
        % {"engineer": study.engineer, "art": study.art_number},
    )
    email_case(case, "flow_studies_delivered", study=study)
    return study


def business_days_between(start, end):
    """Business days after `start`'s date up to `end`'s date (REN 1.000 art. 656: the first day excluded)."""
    day, last, count = calendar.local_date(start), calendar.local_date(end), 0
    closed = closed_days()
    while day < last:
        day = day.fromordinal(day.toordinal() + 1)
        if calendar.is_business_day(day, closed=closed):
            count += 1
    return count


def record_breaches(rows, now):
    """The sweep's `on_overdue` of the studies clock: a Breach per clock, an event on the case's timeline."""
    from .flow_models import Breach

    case_ids = [row["subject_id"] for row in rows]
    cases = set(Case.objects.filter(pk__in=case_ids).values_list("pk", flat=True))
    already = set(
        Breach.objects.filter(deadline_id__in=[r["id"] for r in rows]).values_list("deadline_id", flat=True)
    )
    fresh = [row for row in rows if row["subject_id"] in cases and row["id"] not in already]
    Breach.objects.bulk_create(
        [
            Breach(
                case_id=row["subject_id"],
                deadline_id=row["id"],
                kind=row["kind"],
                article="art. 78",
                tipo=1,
                regulatory_days=settings.GD_STUDIES_BUSINESS_DAYS,
                business_days=True,
                recorded_at=now,
            )
            for row in fresh
        ]
    )
    note = _("Flow-inversion studies not delivered within %(days)s business days (REN 1.000 art. 78).") % {
        "days": settings.GD_STUDIES_BUSINESS_DAYS
    }
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case_id=row["subject_id"], action=EventAction.DEADLINE_BREACHED, note=note)
            for row in fresh
        ]
    )


def days_late(breach, now=None):
    """N of "Prazo regulatório descumprido em N dias": Pv − P once known, else counted to today."""
    if breach.verified_days is not None:
        return max(breach.verified_days - breach.regulatory_days, 0)
    return business_days_between(breach.deadline.due_at, now or timezone.now())


def flow_panel_present(case_id):
    """When the flow panel may show something (gdportal.cases.extensions): a study, a request, a breach — or
    a decision, without which nobody may ask for the studies (studies_request_refusal) and the panel is
    left out."""
    from .flow_models import Breach, FlowStudiesRequest, FlowStudy

    return [
        FlowStudy.objects.filter(case_id=case_id),
        FlowStudiesRequest.objects.filter(case_id=case_id),
        Breach.objects.filter(case_id=case_id),
        CaseEvent.objects.filter(case_id=case_id, action__in=DECISION_ACTIONS),
    ]


def flow_panel(case, user):
    """The case page's section (registered by atende): the studies with their engineer and ART, a request
    waiting and its clock, the breach, and whether this user may ask now. None when there is nothing to
    say."""
    from . import deadline_kinds as clocks

    studies = list(case.flow_studies.select_related("document").order_by("-created_at", "-id"))
    waiting = case.flow_studies_requests.filter(delivered_at=None).first()
    breaches = list(case.breaches.select_related("deadline"))
    refusal = studies_request_refusal(case, user)
    may_ask = is_holder_or_rt(user, case)
    if not (studies or waiting or breaches or (refusal is None)):
        return None
    return {
        "case": case,
        "studies": studies,
        "waiting": waiting,
        "clock": case.deadlines.filter(kind=clocks.FLOW_STUDIES.code, state=Deadline.State.OPEN).first(),
        "breaches": [(breach, days_late(breach)) for breach in breaches],
        "can_request": refusal is None,
        "may_ask": may_ask,
    }
