"""What the stages' admin queues share: ids from URLs, a case's clock as a subquery column (no query per row),
the "due by" cell with its time left, the closed days read once per page, the queue and read-only admin
bases, the work pages' context."""

import functools

from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gdportal.admin_paging import CappedCountPaginator
from gdportal.admin_search import IndexedSearchMixin
from gdportal.cases.choices import Reason
from gdportal.cases.models import Case
from gdportal.deadlines.kinds import closed_days, get_kind
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.time_left import time_left

# A staff SLA is flagged overdue, not closed: "lapsed" stays in the queue like "open".
LIVE = [Deadline.State.OPEN, Deadline.State.LAPSED]

# SPEC §5.3's categories, as short as a list column needs them (the same words as the commercial queue).
SHORT_REASONS = {
    Reason.MICRO_UP_TO_10: gettext_lazy("Micro ≤ 10 kW"),
    Reason.MICRO_ABOVE_10: gettext_lazy("Micro > 10 kW"),
    Reason.MINI: gettext_lazy("Mini"),
}


def id_or_404(value):
    """An id from the URL or a form, or 404: 'abc' must not reach the query."""
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


def clock_column(kinds, column="due_at"):
    """`column` of the case's earliest live clock among `kinds`, as a subquery annotation."""
    return Subquery(
        Deadline.objects.of_model(Case)
        .filter(subject_id=OuterRef("pk"), kind__in=list(kinds), state__in=LIVE)
        .order_by("due_at", "id")
        .values(column)[:1]
    )


def live_clock(case, kind):
    return case.deadlines.filter(kind=kind, state__in=LIVE).order_by("due_at", "id").first()


def due_cell(due, kind, *, closed=closed_days, paused_at=None):
    """ "30/11/2026 23:59 (faltam 5 dias)", in red once overdue; a paused clock says since when instead."""
    if due is None:
        return "—"
    now = timezone.now()
    text = date_format(timezone.localtime(due), "d/m/Y H:i")
    if paused_at is not None:
        note = _("paused since %(date)s") % {"date": date_format(timezone.localtime(paused_at), "d/m/Y")}
        return format_html('{}<br><small class="queue-paused">({})</small>', text, note)
    left = time_left(due, counting=get_kind(kind).counting, now=now, closed=closed)
    if due < now:
        return format_html('<strong class="queue-overdue">{}</strong><br><small>({})</small>', text, left)
    return format_html("{}<br><small>({})</small>", text, left)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nothing is edited here: every change goes through a service function on a work page."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object_or_404(self, request, object_id):
        # An object this user may not see does not exist for them (SPEC §10), and neither does 'abc'.
        obj = self.get_object(request, str(id_or_404(object_id)))
        if obj is None:
            raise Http404
        return obj


class ClosedDaysOncePerPage:
    """The rows' "faltam N dias úteis" need the staff-closed days: read once per page, not once per row (with
    the cache down, once per row would be a query per row). Rows get `closed_days` for due_cell."""

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        closed = functools.cache(closed_days)
        for row in changelist.result_list:
            row.closed_days = closed
        return changelist


class QueueAdmin(ClosedDaysOncePerPage, IndexedSearchMixin, ReadOnlyAdmin):
    """A queue of cases (a proxy of Case) with a work page instead of the change form."""

    search_fields = ["protocol"]
    search_exact = {13: ["protocol"], 10: ["ns"]}
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    list_select_related = False
    work_url_name = ""  # set by each queue

    class Media:
        css = {"all": ["css/admin-review.css", "css/admin-parecer.css"]}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self.redirect_to_work(object_id)

    def redirect_to_work(self, object_id):
        return redirect(reverse(f"admin:{self.work_url_name}", args=[id_or_404(object_id)]))

    @admin.display(description=gettext_lazy("category"), ordering="reason")
    def category(self, obj):
        return SHORT_REASONS.get(obj.reason, obj.get_reason_display())

    def work_context(self, request, case, title):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "case": case,
            "title": title,
            "subtitle": case.protocol,
            "events": case.events.select_related("actor").order_by("created_at", "id"),
        }
