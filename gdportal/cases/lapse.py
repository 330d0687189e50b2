"""What a lapsed enforcing clock does to its cases (SPEC §5.2, §9): `Case.expire`, for a whole batch.

Called by the sweep inside its batch transaction with many rows at once, so it works on sets: every write is
one INSERT … SELECT or UPDATE for the whole batch, generated from the models' metadata, and no model instance
is built per case. That keeps 100,000 lapses at a small multiple of a single UPDATE (bench/sweep.py).

The kernel writes only its own tables here (the case, its events, its history); the other clocks and the
e-mails go through their owners' bulk functions. The states a case expires from are `Case.expire`'s own
source list (AWAITING_RT_STATES), so the batch moves exactly the cases the transition would.
"""

import logging

from django.db import connection, transaction
from django.utils.translation import gettext as _

from gdportal.deadlines.services import deadline_cancel_others
from gdportal.lookups import array_or_in
from gdportal.notifications.services import email_queue_for_subjects_sql

from .choices import AWAITING_RT_STATES, CaseState, EventAction
from .models import Case, CaseEvent
from .signals import cases_moved_in_bulk

logger = logging.getLogger(__name__)
STUDIES_KIND = "flow_studies"  # deadline_kinds.FLOW_STUDIES (which imports this module)

# The SQL below is assembled from model metadata (table and column names, quoted by the backend) and
# placeholders; every value travels as a parameter (S608 is waived for this module in pyproject.toml, and
# bandit's B608 by the "nosec B608" marks below).


def _table(model):
    return connection.ops.quote_name(model._meta.db_table)


def _col(name):
    return connection.ops.quote_name(name)


def _where_id(ids):
    # One array parameter on PostgreSQL, not a placeholder per case (gdportal/lookups.py says why).
    return array_or_in(_col("id"), ids, connection)


def _copy_history(ids, now, reason):
    """One historical row per case, as django-simple-history would write it, copied by the database."""
    history = Case.history.model
    own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
    fields = [f for f in history._meta.concrete_fields if f.name not in own]
    columns = [f.column for f in fields]
    where, params = _where_id(ids)
    sql = (
        f"INSERT INTO {_table(history)} ({', '.join(map(_col, columns))}, {_col('history_date')}, "  # nosec B608
        f"{_col('history_change_reason')}, {_col('history_type')}, {_col('history_user_id')}) "
        f"SELECT {', '.join(map(_col, columns))}, %s, %s, '~', NULL FROM {_table(Case)} "
        f"WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, reason, *params])


def _events(ids, now, note):
    where, params = _where_id(ids)
    sql = (
        f"INSERT INTO {_table(CaseEvent)} "  # nosec B608
        f"(case_id, created_at, actor_id, action, from_state, to_state, note) "
        f"SELECT id, %s, NULL, %s, state, %s, %s FROM {_table(Case)} "
        f"WHERE {where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, EventAction.EXPIRED, CaseState.EXPIRED, note, *params])


def expire_cases(rows, now):
    """Returns the ids of the cases it could lock; the sweep lapses only their clocks.

    The sweep already holds its clock rows, so it must never wait for a case row: a user transition holds the
    case and then closes the clock, and waiting here would deadlock with it. A case locked by someone else is
    skipped and its clock stays open for the next run (by then the user's transition has closed it, or not).
    """
    case_ids = {row["subject_id"] for row in rows}
    locked = dict(
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(id__in_array=case_ids)
        .values_list("id", "state")
    )
    # Only cases still waiting are moved: a case that moved on in the meantime keeps its state.
    ids = [pk for pk, state in locked.items() if state in AWAITING_RT_STATES]
    if not ids:
        return set(locked)
    _events(ids, now, _("The deadline lapsed without the APR Web step: rejected by lapse of time."))
    # The rows are locked and were read in these states; the WHERE repeats the transition's source anyway.
    Case.objects.filter(id__in_array=set(ids), state__in=AWAITING_RT_STATES).update(
        state=CaseState.EXPIRED, state_changed_at=now, updated_at=now
    )
    _copy_history(ids, now, "deadline lapsed")
    # The case's other clocks stop with it (the lapsing ones are the sweep's to mark lapsed) — but for the
    # flow-inversion studies: Cemig owes them whatever became of the request (REN 1.000 art. 78), and an
    # expired request's holder needs them most, for the re-analysis.
    keep = {row["kind"] for row in rows} | {STUDIES_KIND}
    deadline_cancel_others(model=Case, subject_ids=ids, lapsing_kinds=keep, at=now)
    cases_moved_in_bulk.send(sender=Case, case_ids=ids, state=CaseState.EXPIRED)
    email_queue_for_subjects_sql(
        model=Case, ids=ids, template="case_expired", context_key="case_id", tag="case", now=now
    )
    return set(locked)


def lapse_each(rows, now, act):
    """A lapse that moves each case through its stage's service (`act(case, now)`), for clocks that lapse a
    few at a time (a parecer's tacit acceptance or validity, a failed inspection's 120 days): the transition,
    its clocks, events and e-mails stay in one place. Cases another transaction holds are skipped, as in
    `expire_cases`; `act` leaves alone a case that moved on meanwhile."""
    ids = sorted({row["subject_id"] for row in rows})
    cases = (
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("customer", "rt")
        .filter(id__in=ids)
    )
    done = set()
    for case in cases:
        try:
            # One savepoint per case: a case its service refuses (a bug, a broken row) is logged and left
            # for the next run, instead of rolling back the whole batch every time.
            with transaction.atomic():
                act(case, now)
        except Exception:
            logger.exception("lapse of case %s failed; its clock stays open", case.pk)
            continue
        done.add(case.pk)
    return done
