"""What stage 2 tells the staff deadlines board: the RT registration as a clock subject, and its queues."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gdportal.accounts import roles
from gdportal.deadlines.board import register_queue
from gdportal.deadlines.subjects import register_subject

from .models import RTRegistration

register_subject(
    RTRegistration,
    tag="rt-registration",  # the tag its e-mails already carry: related_object "rt-registration:<id>"
    label=lambda registration: registration.name,
    url=lambda registration: reverse("admin:aprweb_rtregistration_change", args=[registration.pk]),
)
register_queue(roles.REGISTRATION_ANALYST, _("RT registrations"), "admin:aprweb_rtregistration_changelist")
register_queue(
    roles.TECHNICAL_ANALYST, _("Technical analysis queue"), "admin:aprweb_technicalqueue_changelist"
)
