"""Staff SLA board and daily digest (issue 5): per group, what is due today and what is overdue.

Staff SLA clocks come from the Deadline rows of kinds with a `staff_role`; other stages add their own items
(RT registrations, say) with `register_source`, without touching this module.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from gdportal.accounts import roles

from . import calendar
from .models import Deadline
from .registry import all_kinds

_SOURCES = {}  # role -> [callable(now, end_of_today) -> (due_today, overdue)]
_QUEUES = {}  # role -> [(label, url name)]


def register_source(role, source):
    _SOURCES.setdefault(role, []).append(source)


def register_queue(role, label, url_name):
    _QUEUES.setdefault(role, []).append((label, url_name))


@dataclass
class Item:
    label: str
    subject: str
    due_at: dt.datetime
    url: str


@dataclass
class RoleBoard:
    role: str
    due_today: list = field(default_factory=list)
    overdue: list = field(default_factory=list)
    queues: list = field(default_factory=list)

    @property
    def empty(self):
        return not (self.due_today or self.overdue)


def _clock_items(role, now, end_today):
    kinds = [code for code, spec in all_kinds().items() if spec.staff_role == role]
    if not kinds:
        return [], []
    rows = (
        Deadline.objects.filter(state=Deadline.State.OPEN, kind__in=kinds, due_at__lte=end_today)
        .select_related("case")
        .order_by("due_at")[:500]
    )
    due_today, overdue = [], []
    for clock in rows:
        item = Item(
            label=str(clock.label),
            subject=clock.case.protocol or "",
            due_at=clock.due_at,
            url=reverse("admin:cases_case_change", args=[clock.case_id]),
        )
        (overdue if clock.due_at < now else due_today).append(item)
    return due_today, overdue


def build(role_names=None, now=None):
    now = now or timezone.now()
    end_today = calendar.end_of_day(calendar.local_date(now))
    boards = []
    for role in role_names if role_names is not None else roles.ROLES:
        board = RoleBoard(role=role)
        board.due_today, board.overdue = _clock_items(role, now, end_today)
        for source in _SOURCES.get(role, []):
            today, late = source(now, end_today)
            board.due_today += today
            board.overdue += late
        board.due_today.sort(key=lambda i: i.due_at)
        board.overdue.sort(key=lambda i: i.due_at)
        board.queues = [(label, reverse(name)) for label, name in _QUEUES.get(role, [])]
        boards.append(board)
    return boards


def cases_by_state():
    from gdportal.cases.models import Case

    return list(Case.objects.filed().values("state").annotate(total=Count("id")).order_by("state"))


def roles_of(user):
    if user.is_superuser:
        return list(roles.ROLES)
    return [name for name in user.groups.values_list("name", flat=True) if name in roles.ROLES]


def send_daily_digest(now=None):
    """One e-mail per group with its overdue and due-today items; at most once a day per group."""
    from gdportal.notifications.models import OutboundEmail
    from gdportal.notifications.services import email_queue

    now = now or timezone.now()
    today = calendar.local_date(now)
    sent = 0
    for board in build(now=now):
        marker = f"digest:{board.role}:{today.isoformat()}"
        if board.empty or OutboundEmail.objects.filter(related_object=marker).exists():
            continue
        group = Group.objects.filter(name=board.role).first()
        recipients = (
            list(group.user_set.filter(is_active=True).values_list("email", flat=True)) if group else []
        )
        if email_queue(
            to=recipients,
            template="staff_digest",
            related_object=marker,
            context={"board": board, "today": today},
        ):
            sent += 1
    return sent
