"""What stage 2 adds to the staff deadlines board: RT registrations and the technical queue."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gdportal.accounts import roles
from gdportal.deadlines.board import Item, register_queue, register_source


def registrations(now, end_today):
    from .models import RTRegistration

    due_today, overdue = [], []
    for registration in RTRegistration.objects.filter(
        status=RTRegistration.Status.PENDING, review_due_at__lte=end_today
    ).order_by("review_due_at")[:500]:
        item = Item(
            label=str(_("RT registration analysis")),
            subject=registration.name,
            due_at=registration.review_due_at,
            url=reverse("admin:aprweb_rtregistration_change", args=[registration.pk]),
        )
        (overdue if registration.review_due_at < now else due_today).append(item)
    return due_today, overdue


register_source(roles.REGISTRATION_ANALYST, registrations)
register_queue(roles.REGISTRATION_ANALYST, _("RT registrations"), "admin:aprweb_rtregistration_changelist")
register_queue(
    roles.TECHNICAL_ANALYST, _("Technical analysis queue"), "admin:aprweb_technicalqueue_changelist"
)
