"""Who is told of a transition, what they are told; nothing of a transition that rolled back."""

import pytest
from django.db import transaction
from django.utils import timezone, translation

from atende import services as atende
from gdportal.cases.choices import CaseState
from gdportal.cases.lapse import expire_cases
from gdportal.cases.models import Case, CaseEvent
from gdportal.webhooks.fanout import case_event_id, fan_out_bulk
from gdportal.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.atende.conftest import make_case
from tests.webhooks.conftest import make_endpoint

pytestmark = pytest.mark.django_db


def pt_br(text):
    with translation.override("pt-br"):
        return str(text)


def delivered_to(endpoint):
    return list(WebhookDelivery.objects.filter(endpoint=endpoint).order_by("id"))


def test_a_transition_reaches_the_customer_and_the_rt_of_the_case_and_nobody_else(
    customer, installation, rt, other_rt, outsider, analyst
):
    mine = make_endpoint(customer)
    rts = make_endpoint(rt)
    others = [make_endpoint(other_rt), make_endpoint(outsider)]
    colleague = factories.UserFactory(customer=customer.customer, email="socio@example.com")
    colleagues = make_endpoint(colleague)  # another user of the same customer sees its cases too

    case = make_case(customer, installation, rt=rt)
    atende.case_commercial_approve(case=case, by=analyst)

    events = list(CaseEvent.objects.filter(case=case).exclude(to_state="").order_by("id"))
    assert [e.to_state for e in events] == [CaseState.SUBMITTED, CaseState.AWAITING_TECHNICAL]
    for endpoint in (mine, rts, colleagues):
        rows = delivered_to(endpoint)
        assert [r.event_id for r in rows] == [case_event_id(e.pk) for e in events]
        assert {r.status for r in rows} == {WebhookDelivery.Status.QUEUED}
    for endpoint in others:
        assert delivered_to(endpoint) == []

    body = delivered_to(mine)[-1].payload
    assert body["type"] == "case.transition"
    assert body["id"] == str(case_event_id(events[-1].pk))
    assert body["case"] == {
        "id": case.pk,
        "protocol": case.protocol,
        "kind": "access",
        "state": "awaiting_technical",
        "state_label": pt_br(CaseState.AWAITING_TECHNICAL.label),
        "from_state": "submitted",
        "action": "commercial_approved",
        "installation": case.installation.number,
    }
    assert body["links"]["api"].endswith(f"/api/v1/cases/{case.pk}/")
    # Nothing the owner does not see on the case page: no holder, document, address, e-mail or phone.
    text = str(body)
    for private in (case.document, case.email, case.street, case.phone, case.holder_name):
        assert private not in text


def test_the_endpoints_told_are_exactly_the_users_who_see_the_case(
    customer, installation, rt, other_rt, outsider
):
    analyst = factories.StaffFactory(role="Analista comercial")
    people = [customer, rt, other_rt, outsider, analyst]
    endpoints = {
        person.pk: WebhookEndpoint.objects.create(owner=person, url="https://x.example/", secret="s")
        for person in people
    }
    case = make_case(customer, installation, rt=rt)
    for person in [customer, rt, other_rt, outsider]:
        sees = Case.objects.for_user(person).filter(pk=case.pk).exists()
        assert WebhookDelivery.objects.filter(endpoint=endpoints[person.pk], case=case).exists() == sees, (
            person
        )
    # Staff see every case in the admin, never through a webhook (the pages refuse them one; a row made by
    # hand still hears nothing).
    assert Case.objects.for_user(analyst).filter(pk=case.pk).exists()
    assert not WebhookDelivery.objects.filter(endpoint=endpoints[analyst.pk]).exists()


def test_a_transition_that_rolls_back_tells_nobody(customer, installation, analyst):
    endpoint = make_endpoint(customer)
    case = make_case(customer, installation)
    before = WebhookDelivery.objects.filter(endpoint=endpoint).count()

    with pytest.raises(RuntimeError), transaction.atomic():
        atende.case_commercial_approve(case=case, by=analyst)
        assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == before + 1
        raise RuntimeError("the rest of the request failed")

    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == before
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


def test_a_switched_off_endpoint_records_nothing_a_paused_one_keeps_everything(customer, installation):
    off = make_endpoint(customer)
    paused = make_endpoint(customer, url="https://other.example.com/gd")
    WebhookEndpoint.objects.filter(pk=off.pk).update(active=False)
    WebhookEndpoint.objects.filter(pk=paused.pk).update(paused_at=timezone.now())

    make_case(customer, installation)

    assert delivered_to(off) == []
    assert len(delivered_to(paused)) == 1


def test_the_delivery_is_queued_after_the_commit_only(
    customer, installation, django_capture_on_commit_callbacks
):
    endpoint = make_endpoint(customer)
    with django_capture_on_commit_callbacks() as callbacks:
        make_case(customer, installation)
    tasks = [(c.args[0].name, c.args[1:]) for c in callbacks if getattr(c, "args", None)]
    assert ("webhooks.deliver", (endpoint.pk,)) in tasks


def test_the_deadline_lapse_tells_every_owner_in_a_few_queries(
    customer, installation, rt, analyst, django_assert_max_num_queries
):
    endpoint = make_endpoint(customer)
    rts = make_endpoint(rt)
    cases = [make_case(customer, installation, rt=rt, state=CaseState.AWAITING_TECHNICAL) for _ in range(4)]
    unrelated = make_case(
        factories.UserFactory(customer=factories.CustomerFactory()),
        factories.InstallationFactory(),
        state=CaseState.AWAITING_TECHNICAL,
    )
    now = timezone.now()
    with transaction.atomic():
        expire_cases([{"subject_id": c.pk, "kind": "apr_submit"} for c in [*cases, unrelated]], now)

    for e in (endpoint, rts):
        expired = [r for r in delivered_to(e) if r.payload["case"]["state"] == CaseState.EXPIRED]
        assert sorted(r.case_id for r in expired) == sorted(c.pk for c in cases)
        assert {r.payload["case"]["from_state"] for r in expired} == {"awaiting_technical"}
        assert {r.payload["case"]["action"] for r in expired} == {"expired"}
        event_ids = {
            case_event_id(pk)
            for pk in CaseEvent.objects.filter(to_state="expired").values_list("pk", flat=True)
        }
        assert {r.event_id for r in expired} <= event_ids
    assert not WebhookDelivery.objects.filter(case=unrelated).exists()

    # A fixed number of queries whatever the batch (endpoints, cases, events, the insert), and a batch sent
    # twice writes nothing twice: the event ids are the same, the constraint ignores them.
    with django_assert_max_num_queries(4):
        fan_out_bulk([c.pk for c in cases], CaseState.EXPIRED)
    assert WebhookDelivery.objects.filter(case__in=cases, payload__case__state="expired").count() == 8


def test_a_batch_nobody_listens_to_costs_one_query(customer, installation, django_assert_num_queries):
    case = make_case(customer, installation)
    with django_assert_num_queries(1):
        assert fan_out_bulk([case.pk], CaseState.EXPIRED) == 0
