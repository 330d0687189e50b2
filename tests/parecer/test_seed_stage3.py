"""seed_demo puts a demo case in every state after the approval (SPEC §6), through the real services."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from gdportal import demo
from gdportal.cases.models import Case

pytestmark = pytest.mark.django_db

STAGE3 = {
    "approved",
    "parecer_issued",
    "parecer_accepted",
    "inspection_requested",
    "inspection_failed",
    "connected",
}
INSPECTION = {"inspection_requested", "inspection_failed", "connected"}


def test_seed_demo_has_a_case_in_every_state_after_the_approval_and_is_idempotent():
    call_command("seed_demo")
    first = Case.objects.count()
    call_command("seed_demo")
    assert Case.objects.count() == first

    User = get_user_model()
    maria = User.objects.get(email=demo.CUSTOMER_EMAIL)
    rt = User.objects.get(email=demo.RT_EMAIL)
    inspector = User.objects.get(username="vistoriador")
    cases = Case.objects.filter(customer=maria.customer, state__in=STAGE3)
    states = sorted(cases.values_list("state", flat=True))
    assert states == sorted(STAGE3)  # one of each
    assert rt.rt_registration.status == "approved"
    assert set(Case.objects.for_user(rt).filter(state__in=STAGE3).values_list("state", flat=True)) == STAGE3
    assert set(Case.objects.for_user(inspector).values_list("state", flat=True)) == INSPECTION

    approved = cases.get(state="approved")
    assert not approved.pareceres.exists()
    issued = cases.get(state="parecer_issued").pareceres.get()
    assert issued.favourable and issued.document_id and issued.accepted_at is None
    assert cases.get(state="parecer_accepted").pareceres.get().accepted_by == maria
    scheduled = cases.get(state="inspection_requested").inspections.get()
    assert scheduled.scheduled_for and not scheduled.result
    failed = cases.get(state="inspection_failed").inspections.get()
    assert failed.result == "failed" and len(failed.report_items) == 2
    assert failed.visited_on == timezone.localdate()
    connected = cases.get(state="connected").inspections.get()
    assert connected.meter_number and connected.connected_on == timezone.localdate()
