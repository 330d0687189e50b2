"""The issue's "done when": a real receiver on 127.0.0.1 dies mid-stream and comes back; every event reaches
it exactly once, each case's in order.

Cases move through the real services (filing, the NS, the holder's cancellation); the delivery function is
called as the task calls it; the clock is frozen and moved past each backoff instead of slept through.
"""

from datetime import UTC, datetime, timedelta

import time_machine
from django.db.models import Max

from atende import services as atende
from gdportal.cases.models import CaseEvent
from gdportal.webhooks import delivery
from gdportal.webhooks.fanout import case_event_id
from gdportal.webhooks.models import WebhookDelivery
from gdportal.webhooks.services import endpoint_create
from tests.atende.conftest import make_case
from tests.webhooks.conftest import Receiver, payload, signature_ok

T0 = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
Status = WebhookDelivery.Status


def statuses(endpoint):
    return list(
        WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id").values_list("status", flat=True)
    )


def past_every_backoff(clock):
    due = WebhookDelivery.objects.exclude(status=Status.DELIVERED).aggregate(last=Max("next_attempt_at"))[
        "last"
    ]
    clock.move_to(due + timedelta(seconds=1))


def test_every_event_arrives_exactly_once_and_in_order_across_a_receiver_outage(
    db, customer, installation, rt, analyst
):
    log = []  # shared by the receiver and its successor on the same port
    first = Receiver(log=log, stop_after=5)
    stopped_port = first.port
    try:
        with time_machine.travel(T0, tick=False) as clock:
            base = f"http://127.0.0.1:{first.port}"
            holder, holder_secret = endpoint_create(owner=customer, url=f"{base}/holder")
            tech, tech_secret = endpoint_create(owner=rt, url=f"{base}/rt")
            secrets = {"/holder": holder_secret, "/rt": tech_secret}

            # Three requests filed, one of them given its NS: four events for each endpoint.
            cases = [make_case(customer, installation, rt=rt) for _ in range(3)]
            atende.case_commercial_approve(case=cases[0], by=analyst)
            assert len(statuses(holder)) == len(statuses(tech)) == 4

            # The receiver answers five requests and dies: the holder's four, then the RT's first.
            assert delivery.deliver_endpoint(holder.pk) == 4
            assert delivery.deliver_endpoint(tech.pk) == 1
            assert first.stopped
            assert statuses(holder) == [Status.DELIVERED] * 4
            assert statuses(tech) == [Status.DELIVERED, Status.FAILED, Status.QUEUED, Status.QUEUED]

            # While it is down the cases keep moving; attempts fail and every event is kept.
            atende.case_commercial_approve(case=cases[1], by=analyst)
            atende.case_commercial_approve(case=cases[2], by=analyst)
            atende.case_cancel(case=cases[0], by=customer)
            for _ in range(3):
                past_every_backoff(clock)
                assert delivery.deliver_endpoint(holder.pk) == 0
                assert delivery.deliver_endpoint(tech.pk) == 0
            assert statuses(holder) == [Status.DELIVERED] * 4 + [Status.FAILED] + [Status.QUEUED] * 2
            assert statuses(tech) == [Status.DELIVERED, Status.FAILED] + [Status.QUEUED] * 5
            failed = WebhookDelivery.objects.filter(status=Status.FAILED)
            assert all(
                row.attempts >= 3 and row.last_status_code is None and row.last_error for row in failed
            )
            assert len(log) == 5

            # It comes back on the same port; once the backoff is over everything queued goes out.
            second = Receiver(stopped_port, log=log)
            past_every_backoff(clock)
            assert delivery.deliver_endpoint(holder.pk) == 3
            assert delivery.deliver_endpoint(tech.pk) == 6
            second.stop()
    finally:
        if not first.stopped:
            first.stop()

    assert statuses(holder) == statuses(tech) == [Status.DELIVERED] * 7
    transitions = CaseEvent.objects.filter(case__in=cases).exclude(to_state="").order_by("id")
    expected = [str(case_event_id(event.pk)) for event in transitions]
    assert len(expected) == 7
    for path in ("/holder", "/rt"):
        arrived = [r for r in log if r["path"] == path]
        ids = [r["headers"]["X-GDPortal-Event-Id"] for r in arrived]
        # Exactly once each, none missing, in the order the transitions happened (so each case's in order).
        assert ids == expected, path
        assert all(r["status"] == 200 and signature_ok(secrets[path], r) for r in arrived)
        for case in cases:
            states = [payload(r)["case"]["state"] for r in arrived if payload(r)["case"]["id"] == case.pk]
            moved = [e.to_state for e in transitions if e.case_id == case.pk]
            assert states == moved
