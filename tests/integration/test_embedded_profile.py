"""The `make run` profile enforces deadlines by itself: SQLite, kombu's filesystem broker, `worker --beat`.

Everything runs in separate processes against a throw-away var/ folder, as the Procfile starts them.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.test_celery_worker import BytesParser, policy


def parse(raw):
    return BytesParser(policy=policy.default).parsebytes(raw)


pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import datetime as dt
from django.utils import timezone
from atende import services
from gdportal.deadlines.models import Deadline
from tests import factories
from tests.atende.conftest import make_case
customer_record = factories.CustomerFactory(name="Maria Aparecida Souza")
installation = factories.InstallationFactory(customer=customer_record)
customer = factories.UserFactory(customer=customer_record, email="maria@example.com")
analyst = factories.StaffFactory(role="Analista comercial")
case = services.case_commercial_approve(case=make_case(customer, installation), by=analyst)
past = timezone.now() - dt.timedelta(minutes=1)
Deadline.objects.filter(case=case, kind="apr_register").update(due_at=past)
print(case.pk, case.protocol)
"""


def test_make_run_profile_lapses_a_case_without_an_apr_order(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_", "EMAIL_", "STORAGE_", "DJANGO_"))
    }
    env.update(
        {
            "GDPORTAL_VAR_DIR": str(tmp_path),
            "GDPORTAL_TESTING": "true",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "GD_SWEEP_INTERVAL_SECONDS": "1",
        }
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    out = subprocess.run(
        [*manage, "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
    ).stdout.split()
    case_id, protocol = int(out[-2]), out[-1]
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
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
            "-s",
            str(tmp_path / "beat"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # beat runs in a child process; it is stopped with the worker's group
    )

    def state():
        with sqlite3.connect(tmp_path / "db.sqlite3", timeout=20) as db:
            return db.execute("SELECT state FROM atende_accessrequest WHERE id = ?", [case_id]).fetchone()[0]

    def sent_mails():
        # The setup's protocol and NS e-mails are delivered by the worker too; keep the lapse notice only.
        parsed = [parse(p.read_bytes()) for p in (tmp_path / "mail").glob("*.eml")]
        return [m for m in parsed if "decurso de prazo" in m["subject"]]

    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (state() == "expired" and sent_mails()):
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        log.close()
    assert state() == "expired", (tmp_path / "worker.log").read_text()
    mails = sent_mails()
    assert len(mails) == 1 and protocol in mails[0]["subject"], (tmp_path / "worker.log").read_text()
