"""Staff SLA board and daily digest (issue 5): per group, what is due today and what is overdue.

Every item is an open clock of a kind with a `staff_role` — a case's commercial analysis, an RT
registration's review —, listed the same way whatever its subject: the subject's model tells the board its
name and admin link (subjects.register_subject). Stages add their queue links (register_queue) and summaries
(register_summary) from their own ready(), so this module imports no stage.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from gdportal.accounts import roles

from . import calendar
from .kinds import all_kinds
from .models import Deadline
from .subjects import subject_of_type

_QUEUES = {}  # role -> [(label, url name)]
_SUMMARIES = {}  # template name -> callable() -> rows (e.g. "by_state": the kernel's count per state)

ITEMS_PER_ROLE = 500


def register_queue(role, label, url_name):
    _QUEUES.setdefault(role, []).append((label, url_name))


def register_summary(name, summary):
    _SUMMARIES[name] = summary


def summaries():
    return {name: summary() for name, summary in _SUMMARIES.items()}


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


def _due_clocks(role, end_today):
    kinds = [code for code, spec in all_kinds().items() if spec.staff_role == role]
    if not kinds:
        return []
    return list(
        Deadline.objects.filter(state=Deadline.State.OPEN, kind__in=kinds, due_at__lte=end_today).order_by(
            "due_at", "id"
        )[:ITEMS_PER_ROLE]
    )


def _load_subjects(clocks):
    """{(content type id, id): subject}: one query per kind of subject, however many clocks."""
    wanted = defaultdict(set)
    for clock in clocks:
        wanted[clock.subject_type_id].add(clock.subject_id)
    loaded = {}
    for type_id, ids in wanted.items():
        subject = subject_of_type(type_id)
        if subject is None:
            continue  # a model that never registered: the board cannot name or link it
        for obj in subject.objects().filter(pk__in=ids):
            loaded[(type_id, obj.pk)] = (subject, obj)
    return loaded


def build(role_names=None, now=None):
    now = now or timezone.now()
    end_today = calendar.end_of_day(calendar.local_date(now))
    wanted_roles = list(role_names if role_names is not None else roles.ROLES)
    clocks = {role: _due_clocks(role, end_today) for role in wanted_roles}
    subjects = _load_subjects([clock for role_clocks in clocks.values() for clock in role_clocks])
    boards = []
    for role in wanted_roles:
        board = RoleBoard(role=role)
        for clock in clocks[role]:
            found = subjects.get((clock.subject_type_id, clock.subject_id))
            if found is None:
                continue
            subject, obj = found
            item = Item(
                label=str(clock.label), subject=subject.label(obj), due_at=clock.due_at, url=subject.url(obj)
            )
            (board.overdue if clock.due_at < now else board.due_today).append(item)
        board.queues = [(label, reverse(name)) for label, name in _QUEUES.get(role, [])]
        boards.append(board)
    return boards


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
