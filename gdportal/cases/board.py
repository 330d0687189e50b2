"""What the kernel tells the deadline engine: the case as a clock subject, and the cases-by-state summary."""

from django.db.models import Count
from django.urls import reverse

from gdportal.deadlines.board import register_summary
from gdportal.deadlines.subjects import register_subject

from .models import Case


def cases_by_state():
    return list(Case.objects.filed().values("state").annotate(total=Count("id")).order_by("state"))


register_subject(
    Case,
    tag="case",  # outbox rows "case:<id>"; reminder e-mails render it as `case`, and send to its people
    label=lambda case: case.protocol or "",
    url=lambda case: reverse("admin:cases_case_change", args=[case.pk]),
    queryset=lambda: Case.objects.select_related("customer", "rt"),
)
register_summary("by_state", cases_by_state)
