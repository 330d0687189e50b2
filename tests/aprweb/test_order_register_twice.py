"""One order per case and round (security test, item 13): a double click on "Cadastrar" used to add a second
order, a second timeline event and a second e-mail each time (one case reached 32 orders under fuzzing)."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from aprweb.models import AprOrder
from aprweb.services_orders import OrderExists
from aprweb.services_technical import case_technical_suspend, version_verdict
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.notifications.models import OutboundEmail
from tests.aprweb.conftest import attach, build_order, register
from tests.atende.test_concurrency import run_at_once
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db


def test_registering_twice_keeps_one_order_one_event_one_email(
    apr_client, awaiting_case, rt_registration, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = register(apr_client, awaiting_case)
        second = register(apr_client, awaiting_case, art_number="MG2026999")
    order = AprOrder.objects.get()
    assert first["Location"] == second["Location"] == reverse("aprweb:order", args=[order.pk])
    assert order.art_number == "MG2026001"  # the second post changed nothing
    assert awaiting_case.events.filter(action="apr_order_registered").count() == 1
    assert OutboundEmail.objects.filter(template="apr_order_received").count() == 1
    assert len(mail.outbox) == 1
    page = apr_client.get(second["Location"]).content.decode()
    assert "já estava cadastrado" in page


def test_a_suspension_opens_a_new_round_with_room_for_one_more_order(submitted_order, rt, technical_analyst):
    case = submitted_order.case
    art = case.documents.filter(kind="art").latest("uploaded_at")
    version_verdict(
        version=art,
        by=technical_analyst,
        verdict="nonconforming",
        note="Sem pagamento",
        reasons=["art-ausente"],
    )
    case_technical_suspend(case=case, by=technical_analyst)
    case = Case.objects.get(pk=case.pk)
    assert case.state == CaseState.PENDING_CORRECTION
    second = build_order(case, rt)
    assert (submitted_order.round, second.round) == (1, 2)
    with pytest.raises(OrderExists) as refused:
        build_order(case, rt)
    assert refused.value.order == second and case.orders.count() == 2
    attach(second, "art", rt, content=pdf_bytes(2))  # the round's order takes the corrections


def test_the_database_refuses_a_second_order_for_the_same_round(order):
    duplicate = AprOrder.objects.get(pk=order.pk)
    duplicate.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_registrations_at_once_make_one_order(postgres, awaiting_case, rt, rt_registration):
    results = run_at_once(
        2, lambda i: build_order(Case.objects.get(pk=awaiting_case.pk), rt, art_number=f"ART{i}").pk
    )
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    assert isinstance(next(value for kind, value in results if kind == "error"), OrderExists)
    assert AprOrder.objects.filter(case=awaiting_case).count() == 1
    assert awaiting_case.events.filter(action="apr_order_registered").count() == 1
