"""The deadline sweep (SPEC §9): run every few minutes by beat and by `manage.py sweep_deadlines`.

Each batch is one transaction: due rows are claimed with SELECT … FOR UPDATE SKIP LOCKED, so two sweeps
running at once share the work instead of doing it twice, and a row is only ever taken while it is still open
(or its reminder still unsent). That makes the sweep idempotent: running it again, concurrently, or hours late
after an outage gives the result of one run on time. The work per batch is set-based (a handful of statements
for the whole batch), so 100,000 clocks falling due at once cost a small multiple of one UPDATE.
"""

import logging
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from gdportal.notifications.services import email_queue_bulk

from .kinds import get_kind
from .models import Deadline
from .signals import clocks_changed
from .subjects import tag_of_type

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    lapsed: int = 0
    flagged: int = 0
    reminders: int = 0

    def __add__(self, other):
        return SweepResult(
            self.lapsed + other.lapsed, self.flagged + other.flagged, self.reminders + other.reminders
        )


def _claim(queryset, batch_size):
    return list(
        queryset.select_for_update(skip_locked=True)
        .order_by("due_at", "id")
        .values("id", "subject_type_id", "subject_id", "kind")[:batch_size]
    )


def _lapsed_signal(rows, kind):
    """Tell the stages which subjects' clocks closed (clocks_changed), one signal per subject model."""
    by_type = defaultdict(list)
    for row in rows:
        by_type[row["subject_type_id"]].append(row["subject_id"])
    for type_id, subject_ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is not None:
            clocks_changed.send(sender=Deadline, model=model, subject_ids=subject_ids, kinds=[kind])


def _relaxed_commit():
    """A batch need not wait for its commit to reach the disk (PostgreSQL's `synchronous_commit = off`, for
    this transaction only): the sweep is idempotent, so a batch a crash loses — never half of one, at most the
    last fraction of a second's — leaves its clocks open and the next run applies it again, e-mails included
    (they are rows of the same transaction). At 100,000 lapses the 50 commits' flushes were ~1.5 s of the
    sweep (bench/README.md, issue 15)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _lapse_batch(now, batch_size, skipped):
    with transaction.atomic():
        _relaxed_commit()
        rows = _claim(
            Deadline.objects.filter(
                Q(state=Deadline.State.OPEN, due_at__lte=now, overdue_at__isnull=True, paused_at__isnull=True)
            ).exclude(id__in_array=skipped),
            batch_size,
        )
        if not rows:
            return None
        result = SweepResult()
        by_kind = defaultdict(list)
        for row in rows:
            by_kind[row["kind"]].append(row)
        for kind, items in by_kind.items():
            spec = get_kind(kind)
            ids = [row["id"] for row in items]
            if spec.enforcing:
                if spec.on_lapse:
                    # The handler returns the subjects it could lock; others' clocks wait for the next run.
                    acted = spec.on_lapse(items, now)
                    ids = [row["id"] for row in items if row["subject_id"] in acted]
                    skipped.update(row["id"] for row in items if row["subject_id"] not in acted)
                lapsing = Deadline.objects.filter(id__in_array=set(ids))
                lapsing.update(state=Deadline.State.LAPSED, closed_at=now)
                result.lapsed += len(ids)
                lapsed = set(ids)
                _lapsed_signal([row for row in items if row["id"] in lapsed], kind)
            else:
                # A staff SLA stays open (the analyst still has to act) but is flagged overdue for the board.
                Deadline.objects.filter(id__in_array=set(ids)).update(overdue_at=now)
                result.flagged += len(ids)
                if spec.on_overdue:
                    spec.on_overdue(items, now)
        return result


def _remind_batch(now, batch_size, column, sent_column, which):
    with transaction.atomic():
        rows = _claim(
            Deadline.objects.filter(
                **{
                    "state": Deadline.State.OPEN,
                    f"{column}__lte": now,
                    f"{sent_column}__isnull": True,
                    "due_at__gt": now,
                    "paused_at__isnull": True,
                }
            ),
            batch_size,
        )
        if not rows:
            return 0
        Deadline.objects.filter(id__in_array={row["id"] for row in rows}).update(**{sent_column: now})
        # No "to": the sender takes the recipients from the subject it loads for the template (a case's
        # notify_emails).
        email_queue_bulk(
            [
                {
                    # Each kind names its reminders' templates (SPEC §8: 2 business days and 24 hours before
                    # a lapse; 30 and 7 days before a parecer or a guarantee expires).
                    "template": get_kind(row["kind"]).reminder_templates[which],
                    "context": {"deadline_id": row["id"]},
                    "related_object": f"{tag_of_type(row['subject_type_id'])}:{row['subject_id']}",
                }
                for row in rows
            ]
        )
        return len(rows)


def sweep(now=None, batch_size=None):
    """Apply every lapse and reminder that is due; returns what it did."""
    now = now or timezone.now()
    batch_size = batch_size or settings.GD_SWEEP_BATCH_SIZE
    pause = settings.GD_SWEEP_BATCH_PAUSE_SECONDS
    total = SweepResult()
    skipped = set()  # clocks whose subject another transaction holds: left for the next run, not retried now
    while (result := _lapse_batch(now, batch_size, skipped)) is not None:
        total += result
        if pause:
            time.sleep(pause)  # let other writers in between batches on a busy database
    for column, sent_column, which in (
        ("remind_2bd_at", "reminded_2bd_at", 0),
        ("remind_24h_at", "reminded_24h_at", 1),
    ):
        while count := _remind_batch(now, batch_size, column, sent_column, which):
            total.reminders += count
    if total.lapsed or total.flagged or total.reminders:
        logger.info(
            "sweep: %s lapsed, %s flagged overdue, %s reminders", total.lapsed, total.flagged, total.reminders
        )
    return total
