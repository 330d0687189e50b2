"""The kinds of clock. Each stage registers its own next to the code that starts it; the engine stays."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from . import calendar


@dataclass(frozen=True)
class DeadlineKind:
    code: str
    label: object  # lazy translation: what is awaited
    party: object  # lazy translation: from whom
    compute_due: Callable  # (started_at: datetime, case) -> datetime
    enforcing: bool = False  # lapsing moves the case; otherwise it only flags a staff SLA as overdue


_KINDS: dict[str, DeadlineKind] = {}


def register(kind):
    _KINDS[kind.code] = kind
    return kind


def get_kind(code):
    return _KINDS[code]


def hours(setting_name):
    def compute(started_at, case):
        return started_at + dt.timedelta(hours=getattr(settings, setting_name))

    return compute


def business_days(setting_name_or_count):
    def compute(started_at, case):
        count = (
            getattr(settings, setting_name_or_count)
            if isinstance(setting_name_or_count, str)
            else setting_name_or_count
        )
        return calendar.end_of_day(calendar.add_business_days(calendar.local_date(started_at), count))

    return compute


def calendar_days(setting_name_or_count):
    def compute(started_at, case):
        count = (
            getattr(settings, setting_name_or_count)
            if isinstance(setting_name_or_count, str)
            else setting_name_or_count
        )
        return calendar.end_of_day(calendar.add_calendar_days(calendar.local_date(started_at), count))

    return compute
