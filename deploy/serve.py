"""`make serve`: the production configuration on one machine, without containers (SPEC §12, issue 17).

nginx on PORT (8080) in front of WEB_NODES (2) gunicorn nodes on 127.0.0.1:PORT+1…, one Celery worker and
exactly one beat, all started by honcho from a Procfile written to var/serve/; Ctrl-C stops every one.
Before that: the settings are checked (production only), the database migrated, static files collected.

It reads the same environment variables as docker-compose.yml: DATABASE_URL (PostgreSQL), REDIS_URL /
CELERY_BROKER_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG=false, DJANGO_ALLOWED_HOSTS, storage (STORAGE_BACKEND,
AWS_*; by default files go to var/media, one folder every node shares), EMAIL_URL or EMAIL_*. Gunicorn:
GUNICORN_WORKERS (default: the machine's cores), GUNICORN_WORKER_CLASS (sync; or gthread with
GUNICORN_THREADS, 4): sync measured better here behind nginx, which buffers the slow clients sync workers
cannot (bench/README.md).
GDPORTAL_SERVE_LISTEN: nginx's listen address (default: PORT on every interface; tests: 127.0.0.1:PORT).
Prometheus scrapes each node at 127.0.0.1:PORT+n/metrics (GD_METRICS_TOKEN or GD_METRICS_NETWORKS): a node's
workers share a PROMETHEUS_MULTIPROC_DIR under var/serve/metrics/, emptied at every start.
`--skip-setup` starts without migrating or collecting static files (they were just done).
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
sys.path.insert(0, str(DEPLOY))


BIN = Path(sys.executable).parent
# Secrets that are published in this repository (settings' development key, compose's placeholder).
KNOWN_SECRETS = ("django-insecure-", "change-me", "build-only")


class Refused(Exception):
    pass


def check_environment(env):
    """The reasons this environment is not a production one ([] when it is)."""
    problems = []
    if (env.get("DJANGO_DEBUG") or "").strip().lower() not in {"0", "false", "no", "off"}:
        problems.append("DJANGO_DEBUG must be false (it is on when unset)")
    secret = env.get("DJANGO_SECRET_KEY") or ""
    if not secret:
        problems.append("DJANGO_SECRET_KEY is required")
    elif secret.startswith(KNOWN_SECRETS) or len(secret) < 50 or len(set(secret)) < 5:
        problems.append(
            "DJANGO_SECRET_KEY must be a real secret of at least 50 characters, not a published placeholder "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    if not env.get("DJANGO_ALLOWED_HOSTS"):
        problems.append("DJANGO_ALLOWED_HOSTS is required (e.g. gdportal.example.org,127.0.0.1)")
    if not (env.get("DATABASE_URL") or "").startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL (postgres://…)")
    if not env.get("REDIS_URL"):
        problems.append("REDIS_URL is required (the shared cache, rate limits and Celery's broker)")
    return problems


def nginx_binary():
    return shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(path, os.X_OK)), None
    )


def node_ports(port, nodes):
    return [port + index for index in range(1, nodes + 1)]


def procfile(
    *, nginx, prefix, conf, ports, workers, threads, schedule, metrics_dirs=None, worker_class="sync"
):
    gunicorn = [
        str(BIN / "gunicorn"),
        "gdportal.wsgi:application",
        f"--config={DEPLOY / 'gunicorn.conf.py'}",  # its hooks: a dead worker's live gauges are dropped
        f"--worker-class={worker_class}",
        f"--workers={workers}",
        *([f"--threads={threads}"] if worker_class == "gthread" else []),
        # Longer than nginx's upstream keep-alive (60 s), so nginx never reuses a connection gunicorn closed
        # (gthread only: a sync worker closes each connection after its answer).
        "--keep-alive=75",
        "--timeout=60",
        "--graceful-timeout=20",
        # A worker is replaced now and then, so a slow leak cannot grow for weeks.
        "--max-requests=5000",
        "--max-requests-jitter=500",
    ]
    lines = {
        "nginx": [nginx, "-p", str(prefix), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
        **{
            f"web{index}": [
                # prometheus_client's multiprocess mode: every worker of the node writes its counters there
                # and the worker that answers a scrape sums them (gdportal/metrics.py).
                *(["env", f"PROMETHEUS_MULTIPROC_DIR={metrics_dirs[index - 1]}"] if metrics_dirs else []),
                *gunicorn,
                f"--bind=127.0.0.1:{port}",
                f"--name=gdportal-web{index}",
            ]
            for index, port in enumerate(ports, start=1)
        },
        "worker": [
            str(BIN / "celery"),
            "-A",
            "gdportal",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={workers}",
        ],
        # Exactly one beat. A second one started by mistake still runs no periodic job twice at once
        # (gdportal/locks.py), but would send every schedule twice.
        "beat": [str(BIN / "celery"), "-A", "gdportal", "beat", "--loglevel=INFO", f"--schedule={schedule}"],
    }
    return "".join(f"{name}: {shlex.join(command)}\n" for name, command in lines.items())


def free_base_port(count):
    """A port p with p … p+count-1 all free on 127.0.0.1 (nginx on p, the nodes after it)."""
    import socket

    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count >= 65535:
            continue
        try:
            for port in range(base, base + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports")


def scratch_env(environ, *, db, redis_url, broker, work, port):
    """The environment of a whole stack started on loopback by a test or a benchmark: production settings
    with a fresh secret, the given PostgreSQL database (Django's settings_dict) and Redis, its files under
    `work` (which has a tmp/ folder), nginx on 127.0.0.1:port. Nothing of the caller's own configuration
    leaks in; GDPORTAL_TESTING only makes password hashing fast."""
    import secrets

    keep = ("DJANGO_", "CELERY_", "EMAIL_", "STORAGE_", "AWS_", "DATABASE_URL", "REDIS_URL", "GD_", "PORT")
    env = {k: v for k, v in environ.items() if not k.startswith(keep)}
    env.update(
        {
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "GDPORTAL_TESTING": "true",
            "GDPORTAL_VAR_DIR": str(work / "var"),
            "DJANGO_MEDIA_ROOT": str(work / "media"),
            "TMPDIR": str(work / "tmp"),
            "PORT": str(port),
            "GDPORTAL_SERVE_LISTEN": f"127.0.0.1:{port}",
        }
    )
    return env


def metrics_folders(root, nodes):
    """One empty folder per node: the files of a previous run's workers would be summed with the new ones."""
    folders = [root / f"web{index}" for index in range(1, nodes + 1)]
    shutil.rmtree(root, ignore_errors=True)
    for folder in folders:
        folder.mkdir(parents=True)
    return folders


def manage(*args, env):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def prepare(args, env):
    """Everything short of starting the processes; returns the honcho command line."""
    problems = check_environment(env)
    if problems:
        raise Refused(
            "make serve runs the production configuration and refuses to start:\n- " + "\n- ".join(problems)
        )
    nginx = nginx_binary()
    if not nginx:
        raise Refused(
            "nginx is not installed. On Debian or Ubuntu: sudo apt-get install -y nginx "
            "(only the binary is used; its own service can stay stopped)."
        )
    port = int(env.get("PORT") or 8080)
    nodes = int(env.get("WEB_NODES") or 2)
    if nodes < 1:
        raise Refused("WEB_NODES must be at least 1")
    var = Path(env.get("GDPORTAL_VAR_DIR") or ROOT / "var")
    env.setdefault("GDPORTAL_VAR_DIR", str(var))
    # One proxy in front: X-Forwarded-For's last entry is the client (gdportal/clientip.py).
    env.setdefault("AXES_IPWARE_PROXY_COUNT", "1")
    # nginx speaks plain HTTP here; TLS, where there is any, is ended in front of it (as in compose).
    env.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    env.setdefault("GDPORTAL_BASE_URL", f"http://127.0.0.1:{port}")
    static_root = Path(env.get("DJANGO_STATIC_ROOT") or var / "staticfiles")
    env["DJANGO_STATIC_ROOT"] = str(static_root)

    if not args.skip_setup:
        manage("compile_translations", env=env)
        manage("migrate", "--noinput", env=env)
        manage("collectstatic", "--noinput", "-v", "0", env=env)
    manage("check", "--deploy", "--fail-level", "ERROR", env=env)

    prefix = var / "nginx"
    conf = prefix / "nginx.conf"
    ports = node_ports(port, nodes)
    render_env = {**os.environ, **env}
    subprocess.run(  # noqa: S603 — our own script, arguments we built
        [
            sys.executable,
            str(DEPLOY / "render_nginx.py"),
            f"--listen={env.get('GDPORTAL_SERVE_LISTEN') or port}",
            *(f"--upstream=127.0.0.1:{p}" for p in ports),
            f"--prefix={prefix}",
            f"--static-root={static_root}",
            "--access-log=/dev/stdout",
            "--error-log=stderr",
            f"--out={conf}",
        ],
        cwd=ROOT,
        env=render_env,
        check=True,
    )
    test = [nginx, "-t", "-q", "-p", str(prefix), "-c", str(conf), "-e", "stderr"]
    subprocess.run(test, check=True)  # noqa: S603
    serve_dir = var / "serve"
    serve_dir.mkdir(parents=True, exist_ok=True)
    metrics_dirs = metrics_folders(serve_dir / "metrics", len(ports))
    workers = int(env.get("GUNICORN_WORKERS") or os.cpu_count() or 2)
    threads = int(env.get("GUNICORN_THREADS") or 4)
    worker_class = env.get("GUNICORN_WORKER_CLASS") or "sync"
    if worker_class not in ("sync", "gthread"):
        raise SystemExit(f"GUNICORN_WORKER_CLASS must be sync or gthread, not {worker_class!r}")
    (serve_dir / "Procfile").write_text(
        procfile(
            nginx=nginx,
            prefix=prefix,
            conf=conf,
            ports=ports,
            workers=workers,
            threads=threads,
            worker_class=worker_class,
            schedule=var / "celerybeat-schedule",
            metrics_dirs=metrics_dirs,
        )
    )
    print(
        f"\nGD Portal (production configuration) at http://127.0.0.1:{port}/ — nginx in front of {nodes} "
        f"gunicorn node(s) on 127.0.0.1:{ports[0]}…{ports[-1]} ({workers} {worker_class} workers"
        f"{f' × {threads} threads' if worker_class == 'gthread' else ''} each), one Celery worker, one beat. "
        "Ctrl-C stops all.\n",
        flush=True,
    )
    return [str(BIN / "honcho"), "start", "-f", str(serve_dir / "Procfile"), "-d", str(ROOT)]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--skip-setup", action="store_true", help="do not migrate or collect static files (already done)"
    )
    args = parser.parse_args(argv)
    env = dict(os.environ)
    try:
        command = prepare(args, env)
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"make serve: {shlex.join(map(str, exc.cmd))} failed", file=sys.stderr)
        return 1
    # honcho takes our place: Ctrl-C reaches it directly and it stops every process it started.
    os.execve(command[0], command, env)  # noqa: S606 — our own virtualenv's honcho, no shell


if __name__ == "__main__":
    sys.exit(main())
