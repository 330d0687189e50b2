"""Real services a fault test owns and breaks on purpose: a Redis, a PostgreSQL cluster, gunicorn, an SMTP
server that never answers. Each runs on a port of its own, in the test's temporary folder, and is stopped by
the test; the machine's own Redis and PostgreSQL are never touched.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email import policy
from email.parser import BytesParser
from glob import glob
from pathlib import Path

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]


def need(condition, reason):
    """Skip on a developer's machine without the tool; in CI a missing tool is a failure."""
    if not condition:
        if IN_CI:
            pytest.fail(f"{reason} (required in CI)")
        pytest.skip(reason)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout=60, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def listening(port):
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def mails(folder):
    parser = BytesParser(policy=policy.default)
    return [parser.parsebytes(path.read_bytes()) for path in sorted(Path(folder).glob("*.eml"))]


class Process:
    """A child in its own process group, its output in a log file."""

    def __init__(self, command, *, log, env=None, cwd=ROOT):
        self.log_path = Path(log)
        self.log = open(self.log_path, "ab")  # noqa: SIM115 — closed in stop()
        self.process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def output(self, tail=6000):
        return self.log_path.read_text(errors="replace")[-tail:]

    def kill(self):
        """A crash: the whole group dies at once, with no chance to clean up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.log.close()

    def stop(self, timeout=30):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        if not self.log.closed:
            self.log.close()


class RedisServer:
    """redis-server on a port of its own, without persistence: stopped, it comes back empty, as a Redis
    that lost its memory does (the worst case for messages in flight)."""

    def __init__(self, tmp):
        need(shutil.which("redis-server"), "redis-server is not installed")
        self.tmp, self.port, self.process = Path(tmp), free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        self.process = Process(command, log=self.tmp / f"redis-{self.port}.log", cwd=self.tmp)
        assert wait_for(lambda: listening(self.port), timeout=10), self.process.output()
        return self

    def stop(self):
        if self.process:
            self.process.stop()
            assert wait_for(lambda: not listening(self.port), timeout=10)


class PostgresCluster:
    """A cluster of its own (initdb in a temporary folder, pg_ctl on another port), never the machine's.

    initdb refuses to run as root, so as root the cluster belongs to the `postgres` user (runuser)."""

    def __init__(self):
        binaries = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
        need(binaries or shutil.which("initdb"), "PostgreSQL's initdb is not installed")
        self.bin = Path(binaries[-1]).parent if binaries else Path(shutil.which("initdb")).parent
        self.as_user = []
        if os.geteuid() == 0:
            need(shutil.which("runuser"), "running as root needs runuser to start PostgreSQL as postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        # Not under pytest's tmp_path: its parents are private to root, where the postgres user cannot go.
        self.dir = Path(tempfile.mkdtemp(prefix="gd-faults-pg-"))
        if self.as_user:
            shutil.chown(self.dir, "postgres")
        self.data, self.port = self.dir / "data", free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/gdportal"

    def _run(self, *args, check=True):
        return subprocess.run([*self.as_user, *map(str, args)], check=check, capture_output=True, text=True)

    def init(self):
        self._run(
            self.bin / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"
        )
        self.start()
        self._run(
            self.bin / "psql",
            "-h",
            "127.0.0.1",
            "-p",
            self.port,
            "-U",
            "postgres",
            "-c",
            "CREATE DATABASE gdportal",
        )
        return self

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(self.bin / "pg_ctl", "-D", self.data, "-o", options, "-l", self.dir / "log", "-w", "start")

    def restart(self):
        """As an operator restarts it (or a failover does): every connection is cut, transactions in flight
        are rolled back, the server comes back on the same address."""
        # -l as at start: without it the new server would write to our pipe and hold it open for ever.
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-l", self.dir / "log", "-w", "restart")

    def destroy(self):
        self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)

    def query(self, sql, *params):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchall()


def production_env(tmp, *, database_url, redis_url=None, **extra):
    """The production settings (DEBUG off, a real secret) for a server or worker the test starts.

    GDPORTAL_TESTING keeps only the fast password hasher and the CAPTCHA's test mode."""
    keep = ("DJANGO_", "CELERY_", "EMAIL_", "STORAGE_", "AWS_", "DATABASE_URL", "REDIS_URL", "GD_", "PORT")
    env = {k: v for k, v in os.environ.items() if not k.startswith(keep)}
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": database_url,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "GDPORTAL_TESTING": "true",
            "GDPORTAL_VAR_DIR": str(tmp / "var"),
            "DJANGO_MEDIA_ROOT": str(tmp / "media"),
        }
    )
    if redis_url:
        env.update({"REDIS_URL": redis_url, "CELERY_BROKER_URL": redis_url})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def database_url_under_test():
    from django.db import connection

    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


class Gunicorn(Process):
    def __init__(self, env, tmp, workers=2, timeout=30):
        self.port = free_port()
        super().__init__(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "gdportal.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                f"--workers={workers}",
                "--worker-class=sync",
                f"--timeout={timeout}",
                "--log-level=warning",
            ],
            log=tmp / f"gunicorn-{self.port}.log",
            env=env,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout=60):
        import requests

        def up():
            assert self.process.poll() is None, self.output()
            try:
                return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
            except requests.RequestException:
                return False

        assert wait_for(up, timeout=timeout, interval=0.3), self.output()
        return self


class Worker(Process):
    """`celery worker --beat`, one task at a time, as tests/integration/test_celery_worker.py starts it."""

    def __init__(self, env, tmp, name):
        super().__init__(
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
                str(tmp / f"{name}-beat"),
            ],
            log=tmp / f"{name}.log",
            env=env,
        )


class SilentSMTP:
    """A mail server that accepts connections and never says a word: a worker sending through it hangs in
    the middle of the send until killed (or EMAIL_TIMEOUT)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self):
        for conn in self.connections:
            conn.close()
        self.sock.close()
