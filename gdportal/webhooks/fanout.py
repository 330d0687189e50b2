"""Who hears of a case's transition, and what they are told: one delivery row per (event, endpoint).

Written inside the transaction that moved the case (the receivers of gdportal.cases.signals): a transition
that rolls back leaves no row, and one that commits cannot lose its rows. The delivery task is only queued
after the commit.

An endpoint hears of the cases its owner sees — `Case.objects.for_user(owner)` for a customer or an RT: the
RT who holds the case and the users of the case's customer — and is told nothing its owner could not read
on the case's page.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import translation

from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, CaseEvent
from gdportal.publish import publish_on_commit

from .models import WebhookDelivery, WebhookEndpoint

CASE_TRANSITION = "case.transition"
TEST_EVENT = "webhook.test"
# Event ids of case transitions derive from the CaseEvent row: the same transition always has the same id,
# so a second fan-out of it is refused by the (endpoint, event_id) constraint instead of sent twice.
EVENT_NAMESPACE = uuid.UUID("6f0d7a52-2c1e-4d64-9a53-6a1f4e0f3b11")


def case_event_id(case_event_pk):
    return uuid.uuid5(EVENT_NAMESPACE, f"case-event:{case_event_pk}")


def api_case_url(case_id):
    return f"{settings.GDPORTAL_BASE_URL}/api/v1/cases/{case_id}/"


def state_label(state):
    with translation.override(settings.LANGUAGE_CODE):
        return str(CaseState(state).label) if state in CaseState.values else state


def transition_payload(*, event_id, created_at, case, from_state, action):
    """The JSON of one transition. `case`: a dict with id, protocol, kind, state, installation."""
    return {
        "id": str(event_id),
        "type": CASE_TRANSITION,
        "created_at": created_at.isoformat(),
        "case": {
            "id": case["id"],
            "protocol": case["protocol"],
            "kind": case["kind"],
            "state": case["state"],
            "state_label": state_label(case["state"]),
            "from_state": from_state,
            "action": action,
            "installation": case["installation"],
        },
        "links": {"api": api_case_url(case["id"])},
    }


def _listening(rt_ids, customer_ids):
    """(endpoint id, owner id, is the owner an RT, owner's customer id) of the active endpoints whose owner
    sees cases of these RTs or customers. The same rule as CaseQuerySet.for_user for a customer or an RT;
    staff see cases through the admin, never through a webhook."""
    rt = get_user_model().Kind.RT
    return list(
        WebhookEndpoint.objects.filter(active=True, owner__is_active=True, owner__is_staff=False)
        .filter(
            Q(owner__kind=rt, owner_id__in=rt_ids)
            | (~Q(owner__kind=rt) & Q(owner__customer_id__in=customer_ids))
        )
        .values_list("id", "owner_id", "owner__kind", "owner__customer_id")
        .order_by("id")
    )


def _sees(endpoint, rt_id, customer_id):
    _, owner_id, kind, owner_customer_id = endpoint
    if kind == get_user_model().Kind.RT:
        return owner_id == rt_id
    return owner_customer_id is not None and owner_customer_id == customer_id


def _write(rows):
    WebhookDelivery.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


def fan_out_transition(case, event):
    """The rows for one transition of one case (`case_moved`). Returns how many were written."""
    if not event.to_state or not case.protocol:
        return 0  # not a transition, or a case nobody but its filer sees yet
    endpoints = [
        e for e in _listening([case.rt_id], [case.customer_id]) if _sees(e, case.rt_id, case.customer_id)
    ]
    if not endpoints:
        return 0
    event_id = case_event_id(event.pk)
    installation = None
    if case.installation_id:
        installation = case.installation.number
    payload = transition_payload(
        event_id=event_id,
        created_at=event.created_at,
        case={
            "id": case.pk,
            "protocol": case.protocol,
            "kind": case.kind,
            "state": event.to_state,
            "installation": installation,
        },
        from_state=event.from_state,
        action=event.action,
    )
    rows = [
        WebhookDelivery(
            endpoint_id=e[0], event_id=event_id, event=CASE_TRANSITION, case_id=case.pk, payload=payload
        )
        for e in endpoints
    ]
    written = _write(rows)
    from .tasks import deliver

    for endpoint_id in sorted({e[0] for e in endpoints}):
        publish_on_commit(deliver, endpoint_id)
    return written


def fan_out_bulk(case_ids, state):
    """The rows for many cases moved by one statement (`cases_moved_in_bulk`, the deadline sweep).

    A fixed number of queries whatever the batch: the endpoints that may care, then only the cases and the
    events of their owners. A batch whose owners have no endpoint — the usual one — costs one query.
    """
    case_ids = list(case_ids)
    if not case_ids:
        return 0
    cases = Case.objects.filter(pk__in_array=set(case_ids))
    endpoints = _listening(cases.values("rt_id"), cases.values("customer_id"))
    if not endpoints:
        return 0
    rt = get_user_model().Kind.RT
    rt_owners = {e[1] for e in endpoints if e[2] == rt}
    customers = {e[3] for e in endpoints if e[2] != rt}
    rows = list(
        cases.filter(Q(rt_id__in=rt_owners) | Q(customer_id__in=customers))
        .exclude(protocol=None)
        .values("id", "protocol", "kind", "state", "rt_id", "customer_id", "installation__number")
        .order_by("id")
    )
    # The event that moved each case to `state` (the last one, should there be more).
    events = {}
    for event in (
        CaseEvent.objects.filter(case_id__in_array={row["id"] for row in rows}, to_state=state)
        .order_by("id")
        .values("id", "case_id", "from_state", "action", "created_at")
    ):
        events[event["case_id"]] = event
    deliveries = []
    for row in rows:
        event = events.get(row["id"])
        if event is None:
            continue
        event_id = case_event_id(event["id"])
        payload = transition_payload(
            event_id=event_id,
            created_at=event["created_at"],
            case={**row, "installation": row["installation__number"]},
            from_state=event["from_state"],
            action=event["action"],
        )
        deliveries.extend(
            WebhookDelivery(
                endpoint_id=e[0], event_id=event_id, event=CASE_TRANSITION, case_id=row["id"], payload=payload
            )
            for e in endpoints
            if _sees(e, row["rt_id"], row["customer_id"])
        )
    if not deliveries:
        return 0
    written = _write(deliveries)
    from .tasks import deliver_due

    # One message for the whole batch: the due sweep fans the work out per endpoint.
    publish_on_commit(deliver_due)
    return written
