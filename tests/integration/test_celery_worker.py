"""A real Celery worker and beat against the machine's Redis and the PostgreSQL test database (SPEC §9).

These start `celery worker --beat` as a separate process, so the data they act on must be committed
(transactional tests) and the e-mails land in the worker's own mail folder.
"""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from django.utils import timezone

from atende import services
from gdportal.cases.choices import CaseState
from gdportal.deadlines.models import Deadline
from gdportal.notifications.models import OutboundEmail
from tests import factories
from tests.atende.conftest import make_case

pytestmark = [pytest.mark.services, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_env(postgres, redis_url, tmp_path, settings):
    import redis

    broker = redis_url.rsplit("/", 1)[0] + "/13"  # a database of its own: nothing left over from other runs
    redis.Redis.from_url(broker).flushdb()
    db = postgres.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "CELERY_"))}
    env.update(
        {
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": broker,
            "CELERY_BROKER_URL": broker,
            "GDPORTAL_VAR_DIR": str(tmp_path),
            "GDPORTAL_TESTING": "true",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "GD_SWEEP_INTERVAL_SECONDS": "1",
        }
    )
    return env


class Worker:
    def __init__(self, env, tmp_path, name):
        self.log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "gdportal",
                "worker",
                "--beat",
                "--pool=solo",
                "--loglevel=INFO",
                "-n",
                f"{name}@%h",
                "-s",
                str(tmp_path / f"{name}-beat"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            # Its own process group: `--beat` runs beat in a child process, which must go with the worker.
            start_new_session=True,
        )

    def kill(self):
        """A crash: worker and beat die at once, with no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def wait_for(condition, timeout=90, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def ns_case_due(customer, installation, analyst):
    case = services.case_commercial_approve(case=make_case(customer, installation), by=analyst)
    Deadline.objects.filter(case=case, kind="apr_register").update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    return case


def mails(folder):
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(Path(folder).glob("*.eml"))]


def test_beat_and_worker_lapse_the_case_and_send_one_email(worker_env, tmp_path, customer, installation):
    analyst = factories.StaffFactory(role="Analista comercial")
    case = ns_case_due(customer, installation, analyst)
    worker = Worker(worker_env, tmp_path, "lapse")
    try:
        assert wait_for(
            lambda: OutboundEmail.objects.filter(
                template="case_expired", status=OutboundEmail.Status.SENT
            ).exists()
        ), (tmp_path / "lapse.log").read_text()
        time.sleep(3)  # more beats: nothing happens twice
    finally:
        worker.stop()
    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED and case.events.filter(action="expired").count() == 1
    sent = [m for m in mails(tmp_path / "mail") if "decurso de prazo" in m["subject"]]
    assert len(sent) == 1 and case.protocol in sent[0]["subject"]
    assert sent[0].get_body(preferencelist=("plain",)) is not None


def test_a_worker_killed_mid_sweep_is_finished_by_the_next_without_double_effect(
    worker_env, tmp_path, customer, installation
):
    analyst = factories.StaffFactory(role="Analista comercial")
    cases = [ns_case_due(customer, installation, analyst) for _ in range(150)]
    ids = [c.pk for c in cases]
    slow = {**worker_env, "GD_SWEEP_BATCH_SIZE": "5", "GD_SWEEP_BATCH_PAUSE_SECONDS": "0.1"}
    first = Worker(slow, tmp_path, "first")

    def expired():
        from gdportal.cases.models import Case

        return Case.objects.filter(pk__in=ids, state=CaseState.EXPIRED).count()

    try:
        assert wait_for(lambda: expired() >= 10, interval=0.05), (tmp_path / "first.log").read_text()
    finally:
        first.kill()
    halfway = expired()
    assert 0 < halfway < len(ids), "the worker must be killed in the middle of the sweep"

    second = Worker(worker_env, tmp_path, "second")
    try:
        assert wait_for(lambda: expired() == len(ids)), (tmp_path / "second.log").read_text()
        assert wait_for(
            lambda: OutboundEmail.objects.filter(template="case_expired", status="sent").count() == len(ids)
        )
    finally:
        second.stop()
    from gdportal.cases.models import CaseEvent

    assert CaseEvent.objects.filter(case_id__in=ids, action="expired").count() == len(ids)
    assert OutboundEmail.objects.filter(template="case_expired").count() == len(ids)
    subjects = [m["subject"] for m in mails(tmp_path / "mail") if "decurso de prazo" in m["subject"]]
    assert len(subjects) == len(set(subjects)) == len(ids)  # one e-mail per case, none sent twice
