"""A case dispensed from the flow-inversion analysis (art. 73-A, SPEC §15) says so on the RT's order page,
on the technical analyst's review page and on the parecer PDF."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from aprweb.services_orders import order_submit
from gdportal.cases.choices import CaseState
from gdportal.cases.filing_checks import DISPENSED
from tests.aprweb.conftest import attach_all, build_order
from tests.atende.conftest import make_case
from tests.parecer.test_pdf import render, sheet, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_track_order(customer, installation, rt, rt_registration):
    case = make_case(
        customer, installation, state=CaseState.AWAITING_TECHNICAL, power_kw="7.5", fast_track_term=True
    )
    assert case.flow_dispensation == "fast_track"
    return build_order(case, rt)


def test_the_rt_sees_the_dispensation_on_the_order_page(apr_client, fast_track_order):
    html = apr_client.get(reverse("aprweb:order", args=[fast_track_order.pk])).content.decode()
    assert gettext(str(DISPENSED)) in html
    assert fast_track_order.case.get_flow_dispensation_display() in html


def test_the_technical_analyst_sees_it_on_the_review_page(client, technical_analyst, fast_track_order, rt):
    attach_all(fast_track_order, rt)
    order_submit(order=fast_track_order, by=rt)
    client.force_login(technical_analyst)
    url = reverse("admin:aprweb_technicalqueue_change", args=[fast_track_order.case.pk])
    html = client.get(url).content.decode()
    panel = html[html.index('data-testid="filing-checks"') :]
    assert gettext(str(DISPENSED)) in panel


def test_the_parecer_pdf_says_it():
    with translation.override("pt-br"):
        ground = gettext("Local self-consumption up to 7.5 kW (fast track)")
        expected = gettext(str(DISPENSED))
    text = text_of(render(sheet(flow_dispensation=ground))[1])
    assert expected in text and ground in text
    assert expected not in text_of(render(sheet())[1])
