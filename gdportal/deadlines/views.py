from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import render
from django.utils.translation import gettext as _

from gdportal.notifications.models import OutboundEmail

from . import board


@staff_member_required
def sla_board(request):
    role_names = board.roles_of(request.user)
    return render(
        request,
        "admin/sla_board.html",
        {
            **admin.site.each_context(request),
            "title": _("Deadlines board"),
            "boards": board.build(role_names),
            # E-mails the outbox gave up on: somebody was not told something; staff should know.
            "failed_emails": OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).count(),
            # What the stages add below the groups (the kernel: a count per state), for staff in a group.
            **(board.summaries() if role_names else {}),
        },
    )
