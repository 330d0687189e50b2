"""The demo data show a fast-track case (SPEC §15, art. 73-A) to a newcomer who runs `make run`."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext

from gdportal import demo
from gdportal.cases.filing_checks import DISPENSED
from gdportal.cases.models import Case

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_fast_track_case_the_holder_sees_as_dispensed(client):
    call_command("seed_demo")
    case = Case.objects.get(flow_dispensation="fast_track")
    assert case.fast_track_term and case.power_kw <= 7.5 and case.modality == "local"
    assert case.events.filter(action="flow_dispensation_declared").exists()
    client.post("/accounts/login/", {"username": demo.CUSTOMER_EMAIL, "password": demo.DEMO_PASSWORD})
    html = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert gettext(str(DISPENSED)) in html
