"""Periodic jobs run one at a time, even with a second beat started by mistake (gdportal/locks.py)."""

import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from compensation import tasks as compensation_tasks
from gdportal.deadlines import tasks as deadline_tasks
from gdportal.deadlines.sweep import SweepResult
from gdportal.locks import exclusive, lock_key
from gdportal.notifications import tasks as notification_tasks
from tests.atende.test_concurrency import run_at_once

# (the beat task, the lock it takes, where its work starts: replaced by a counter)
JOBS = [
    (deadline_tasks.sweep_deadlines, "deadlines.sweep", "gdportal.deadlines.tasks.sweep"),
    (
        notification_tasks.send_pending,
        "notifications.send_pending",
        "gdportal.notifications.services.email_fail_abandoned",
    ),
    (
        compensation_tasks.expiring_credits,
        "compensation.expiring_credits",
        "compensation.notices.notify_expiring_credits",
    ),
]


@pytest.fixture
def held_elsewhere():
    """Hold a lock from another database session (another beat's worker) until the test ends."""
    threads = []
    release = threading.Event()

    def hold(name):
        holding = threading.Event()

        def other_process():
            try:
                with exclusive(name) as mine:
                    assert mine
                    holding.set()
                    release.wait(timeout=30)
            finally:
                connection.close()

        thread = threading.Thread(target=other_process)
        thread.start()
        threads.append(thread)
        assert holding.wait(timeout=10)

    yield hold
    release.set()
    for thread in threads:
        thread.join(timeout=10)


def counter(monkeypatch, target):
    calls = []

    def work(*args, **kwargs):
        calls.append(1)
        return SweepResult()

    monkeypatch.setattr(target, work)
    return calls


def test_each_job_has_its_own_stable_key():
    assert lock_key("deadlines.sweep") == lock_key("deadlines.sweep")
    assert len({lock_key(name) for _task, name, _target in JOBS}) == len(JOBS)
    assert all(-(2**63) <= lock_key(name) < 2**63 for _task, name, _target in JOBS)


@pytest.mark.django_db
@pytest.mark.parametrize(("task", "name", "target"), JOBS)
def test_a_job_alone_runs(monkeypatch, task, name, target):
    calls = counter(monkeypatch, target)
    task()
    assert calls == [1]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("task", "name", "target"), JOBS)
def test_a_job_whose_lock_another_process_holds_does_nothing(
    postgres, held_elsewhere, monkeypatch, task, name, target
):
    calls = counter(monkeypatch, target)
    held_elsewhere(name)
    assert task() is None and calls == []
    with exclusive("some.other.job") as mine:  # other jobs are not held up
        assert mine


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_beats_firing_together_sweep_once_and_the_next_tick_sweeps_again(postgres, monkeypatch):
    sweeps = []

    def slow_sweep():
        sweeps.append(1)
        time.sleep(0.5)  # long enough for the other beat's run to arrive while this one works
        return SweepResult()

    monkeypatch.setattr("gdportal.deadlines.tasks.sweep", slow_sweep)
    results = run_at_once(2, lambda i: deadline_tasks.sweep_deadlines())
    assert sorted(str(kind) for kind, _ in results) == ["ok", "ok"], results
    assert len(sweeps) == 1 and sorted(value is None for _, value in results) == [False, True]
    deadline_tasks.sweep_deadlines()  # released: the next tick runs
    assert len(sweeps) == 2


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_second_ledger_run_stops_at_once(postgres, held_elsewhere):
    held_elsewhere("compensation.ledger")
    with pytest.raises(CommandError, match="another compute_compensation is running"):
        call_command("compute_compensation", "--cycle", "2026-01")
