import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from aprweb.models import AprOrder
from aprweb.services_orders import order_register, order_submit, order_upload
from gdportal.cases.choices import CaseState
from tests import factories
from tests.atende.conftest import make_case
from tests.files import pdf_bytes


@pytest.fixture
def apr_client(client, rt):
    """A browser signed in to APR Web as the RT (CPF + APR password)."""
    response = client.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD})
    assert response.status_code == 302
    return client


def in_three_months():
    """An expected connection date that stays in the future whenever the tests run (the rules refuse a past
    one); as text, the way the form receives it."""
    return (timezone.localdate() + dt.timedelta(days=90)).isoformat()


def order_data(**overrides):
    data = {
        "request_type": "analyze_gd",
        "phone": "31988887777",
        "project_type": "BT",
        "art_number": "MG2026001",
        "demand_kva": "8,5",
        "activity_type": "residential",
        "expected_connection": in_three_months(),
        "plant_format": "A3",
        "street": "Rua da Bahia",
        "street_number": "1000",
        "district": "Centro",
        "cep": "30160-011",
        "municipality": "Belo Horizonte",
        "reference_point": "",
        "has_power_converters": "on",
    }
    data.update(overrides)
    return data


def register(client, case, **overrides):
    """Press "Cadastrar" on the order form of `case`, found with its protocol, CPF and claim code."""
    return client.post(
        reverse("aprweb:order_new"),
        {
            "register": "1",
            "protocol": case.protocol,
            "person_type": "PF",
            "document": case.customer.document,
            "claim_code": case.claim_code,
            **order_data(**overrides),
        },
    )


def build_order(case, rt, **fields):
    values = {k: v for k, v in order_data().items() if k not in ("demand_kva", "cep", "has_power_converters")}
    values.update(
        demand_kva="8.5", cep="30160011", has_power_converters=True, expected_connection=in_three_months()
    )
    values.update(fields)
    claim_code = values.pop("claim_code", case.claim_code)
    return order_register(case=case, rt=rt, order=AprOrder(**values), claim_code=claim_code)


def attach(order, kind, by, name=None, content=None):
    content = content or pdf_bytes()
    return order_upload(
        order=order,
        kind=kind,
        uploaded=ContentFile(content, name=name or f"{kind}.pdf"),
        by=by,
    )


def attach_all(order, by):
    """Attach every required kind that has no version yet, and fill the generation data step (SPEC §16) when
    it is empty: both are needed to send the order."""
    from aprweb.selectors import missing_kinds
    from gdportal.generation.models import GenerationData

    order.case.refresh_from_db()
    if not GenerationData.objects.filter(case=order.case).exists():
        factories.fill_generation(order.case, by)
    return [attach(order, kind, by) for kind in missing_kinds(order.case, order)]


@pytest.fixture
def awaiting_case(customer, installation):
    return make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL)


@pytest.fixture
def rt_registration(rt):
    return factories.RTRegistrationFactory(
        name="Paulo Andrade", cpf=rt.cpf, email=rt.email, status="approved", user=rt
    )


@pytest.fixture
def order(awaiting_case, rt, rt_registration):
    return build_order(awaiting_case, rt)


@pytest.fixture
def submitted_order(order, rt):
    attach_all(order, rt)
    order_submit(order=order, by=rt)
    order.refresh_from_db()
    return order
