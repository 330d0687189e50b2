"""seed_demo gives /transparencia/ months of history (issue 14: a newcomer sees a real page)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.transparency import history_months
from gdportal.deadlines.models import Deadline
from gdportal.transparency.models import TransparencySnapshot

pytestmark = pytest.mark.django_db


def test_the_demo_has_six_months_of_closed_clocks_and_computes_the_figures(settings):
    settings.GD_DEMO_JOURNEYS = [
        path for path in settings.GD_DEMO_JOURNEYS if path != "demo.journeys.seed_cases"
    ]
    call_command("seed_demo")
    closed = Deadline.objects.filter(state="met").count()
    figures = TransparencySnapshot.objects.get().figures

    per_month = {
        key: sum(
            row["closed"] for stage in figures["stages"] for row in stage["months"] if row["month"] == key
        )
        for key in figures["months"]
    }
    assert all(
        per_month[key] > 0 for key in (f"{first:%Y-%m}" for first in history_months(timezone.localdate()))
    )
    utility_late = sum(row["late"] or 0 for stage in figures["stages"] for row in stage["months"])
    assert utility_late > 0  # some of the utility's clocks closed late, as happens

    call_command("seed_demo")  # idempotent: no second history
    assert Deadline.objects.filter(state="met").count() == closed
