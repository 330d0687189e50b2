"""Render deploy/nginx.conf.template for `make serve`, the tests or docker compose (issue 17).

    python deploy/render_nginx.py --listen 8080 --upstream 127.0.0.1:8081 --upstream 127.0.0.1:8082 \
        --prefix var/nginx --static-root var/staticfiles --out var/nginx/nginx.conf
    python deploy/render_nginx.py --compose --out deploy/nginx.compose.conf

Everything nginx writes (temporary bodies, pid, logs) goes under --prefix, a folder we own, so nginx runs as
our own user. client_max_body_size comes from the portal's own limits (Django is loaded for that) unless
--client-max-body-size is given. With --out, the pages nginx answers for the portal (413, 502, 503, 504: HTML
from deploy/error_page.html.template, problem+json under /api/) are written beside the config, in errors/
(--errors-dir elsewhere); for compose that is deploy/errors/, checked in like deploy/nginx.compose.conf.
"""

import argparse
import html
import json
import os
import pwd
import re
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
TEMPLATE = DEPLOY / "nginx.conf.template"
ERROR_TEMPLATE = DEPLOY / "error_page.html.template"
MIB = 1024 * 1024

# Hashed names from ManifestStaticFilesStorage ("portal.3f2a9c81b0de.css") never change content: cache them
# for a year. Other names (the unhashed copies the 500 page links to) for an hour.
STATIC_FROM_DISK = """        location /static/ {
            alias {static_root}/;
            gzip_static on;
            access_log off;
            add_header X-Request-ID $request_id always;
            add_header X-Content-Type-Options nosniff always;
            add_header Cache-Control "public, max-age=3600" always;

            location ~ "\\.[0-9a-f]{{12}}\\.[A-Za-z0-9]+$" {{
                add_header X-Request-ID $request_id always;
                add_header X-Content-Type-Options nosniff always;
                add_header Cache-Control "public, max-age=31536000, immutable" always;
            }}
        }}"""
# In compose the files live in the web image: WhiteNoise serves them with the same headers (a year, immutable,
# for hashed names) and nginx buffers them like any answer.
STATIC_FROM_UPSTREAM = """        location /static/ {
            access_log off;
            proxy_pass http://portal;
        }"""


TRY_AGAIN = [
    "Tente de novo em alguns minutos.",
    "Se você estava enviando uma solicitação ou um pedido, confira primeiro se ele chegou (na lista de "
    "serviços ou no acompanhamento por protocolo) antes de enviar de novo.",
]
# What nginx answers when the portal cannot (pt-BR, written for the person or program that meets it): the
# page's title, its first paragraph and what to do; the API's problem+json title and detail.
ERROR_PAGES = {
    413: {
        "title": "Dados demais enviados",
        "lead": "O que você enviou é maior do que o portal aceita.",
        "advice": [
            "Volte e escolha arquivos menores (um PDF gerado por “Imprimir em PDF” costuma ser bem menor que "
            "uma digitalização).",
            "Se o problema continuar, envie um arquivo por vez.",
        ],
        "api_title": "Grande demais",
        "api_detail": "O corpo da requisição é maior do que a API aceita.",
    },
    502: {
        "title": "Portal indisponível no momento",
        "lead": "O portal não respondeu agora. O problema é do nosso lado, não com o que você fez.",
        "advice": TRY_AGAIN,
        "api_title": "Serviço indisponível",
        "api_detail": "O portal não respondeu. Tente de novo em alguns minutos; nada foi alterado.",
    },
    503: {
        "title": "Portal em manutenção ou sobrecarregado",
        "lead": "O portal está recebendo mais acessos do que consegue atender agora, ou está em manutenção.",
        "advice": TRY_AGAIN,
        "api_title": "Serviço indisponível",
        "api_detail": "O portal está sobrecarregado ou em manutenção. Tente de novo em alguns minutos.",
    },
    504: {
        "title": "O portal demorou demais para responder",
        "lead": "Seu pedido levou tempo demais e foi interrompido. O problema é do nosso lado, não com o que "
        "você fez.",
        "advice": TRY_AGAIN,
        "api_title": "Tempo esgotado",
        "api_detail": "O portal demorou demais para responder. Confira se a operação foi feita antes de "
        "repetir (use Idempotency-Key).",
    },
}


def error_pages():
    """{file name: text} of every page nginx serves from errors_dir (error_page in the template)."""
    template = ERROR_TEMPLATE.read_text()
    pages = {}
    for status, page in ERROR_PAGES.items():
        values = {
            "status": status,
            "title": html.escape(page["title"]),
            "lead": html.escape(page["lead"]),
            "advice": "\n".join(f"        <li>{html.escape(item)}</li>" for item in page["advice"]),
        }
        pages[f"{status}.html"] = re.sub(r"\{\{ (\w+) \}\}", lambda m, v=values: str(v[m.group(1)]), template)
        problem = {
            "type": f"https://gdportal.dev/problems/{status}",
            "title": page["api_title"],
            "status": status,
            "detail": page["api_detail"],
        }
        pages[f"{status}.json"] = json.dumps(problem, ensure_ascii=False) + "\n"
    return pages


def write_error_pages(folder):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in error_pages().items():
        (folder / name).write_text(text)


def largest_body_limit():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gdportal.settings")
    import django

    django.setup()
    from gdportal.middleware import largest_body_limit as limit

    return limit()


def body_size(limit):
    """nginx's size: one MiB above the limit rounded up, so nginx never refuses what the portal takes."""
    return f"{-(-limit // MIB) + 1}m"


def render(
    *,
    listen,
    upstreams,
    prefix,
    errors_dir,
    client_max_body_size,
    static_root=None,
    user=None,
    access_log=None,
    error_log=None,
    pid=None,
    temp_dir=None,
    forwarded_proto="$scheme",
    mime_types="/etc/nginx/mime.types",
):
    if not upstreams:
        raise ValueError("at least one upstream is needed")
    static = (
        STATIC_FROM_DISK.replace("{static_root}", str(static_root)).replace("{{", "{").replace("}}", "}")
        if static_root
        else STATIC_FROM_UPSTREAM
    )
    values = {
        "user_directive": f"user {user};"
        if user
        else "# (no user directive: the workers run as whoever starts nginx)",
        "pid": pid or f"{prefix}/nginx.pid",
        "error_log": error_log or f"{prefix}/logs/error.log",
        "access_log": access_log or f"{prefix}/logs/access.log",
        "mime_types": mime_types,
        "temp_dir": temp_dir or f"{prefix}/temp",
        "client_max_body_size": client_max_body_size,
        "upstream_servers": "\n".join(
            f"        server {address} max_fails=1 fail_timeout=5s;" for address in upstreams
        ),
        "listen": listen,
        "forwarded_proto": forwarded_proto,
        "errors_dir": str(errors_dir),
        "static_location": static,
    }
    text = TEMPLATE.read_text()
    rendered = re.sub(r"\{\{ (\w+) \}\}", lambda m: str(values[m.group(1)]), text)
    return rendered


def prepare_prefix(prefix, user=None):
    """The folders nginx writes to; owned by `user` when root starts nginx for another user."""
    for sub in ("temp", "logs"):
        (Path(prefix) / sub).mkdir(parents=True, exist_ok=True)
    if user and os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        for path in [Path(prefix), *Path(prefix).rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)


def default_user(prefix):
    """Started by root (a CI machine, a container), nginx's workers run as the owner of the project folder;
    started by anyone else they run as that user and no `user` directive is written."""
    if os.geteuid() != 0:
        return None
    Path(prefix).mkdir(parents=True, exist_ok=True)
    return pwd.getpwuid(Path(prefix).resolve().parent.stat().st_uid).pw_name


def compose_config():
    """The config docker-compose.yml mounts into the official nginx image (checked in; the tests re-render
    it and compare, so it cannot drift from the template or the portal's limits)."""
    return render(
        listen=8080,
        upstreams=["web:8000"],
        prefix="/etc/nginx",
        temp_dir="/var/cache/nginx",  # the image's own, which nginx's master (root) gives its workers
        errors_dir="/etc/nginx/gdportal-errors",
        client_max_body_size=body_size(largest_body_limit()),
        user="nginx",
        access_log="/dev/stdout",
        error_log="stderr",
        pid="/var/run/nginx.pid",  # the official image's own (its master runs as root)
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--compose", action="store_true", help="the config docker-compose.yml mounts")
    parser.add_argument("--listen", default=os.environ.get("PORT", "8080"), help="port or address:port")
    parser.add_argument("--upstream", action="append", default=[], help="a gunicorn node, host:port")
    parser.add_argument("--prefix", default=str(ROOT / "var" / "nginx"), help="nginx's own folder")
    parser.add_argument("--static-root", help="serve /static/ from here (else from the upstreams)")
    parser.add_argument(
        "--errors-dir", help="the error pages (written with --out; default: errors/ beside the config)"
    )
    parser.add_argument("--client-max-body-size", help="e.g. 17m (default: from the portal's limits)")
    parser.add_argument("--user", help="nginx's worker user when started by root")
    parser.add_argument("--access-log")
    parser.add_argument("--error-log")
    parser.add_argument(
        "--forwarded-proto",
        default="$scheme",
        help="X-Forwarded-Proto sent on; '$http_x_forwarded_proto' only behind a TLS terminator you own",
    )
    parser.add_argument("--out", help="write here (default: standard output)")
    args = parser.parse_args(argv)
    if args.errors_dir:
        errors_dir = Path(args.errors_dir).resolve()
    else:
        errors_dir = Path(args.out).resolve().parent / "errors" if args.out else DEPLOY / "errors"

    if args.compose:
        text = compose_config()
        errors_dir = DEPLOY / "errors"  # what docker-compose.yml mounts at /etc/nginx/gdportal-errors
    else:
        prefix = str(Path(args.prefix).resolve())
        user = args.user or default_user(prefix)
        prepare_prefix(prefix, user)
        text = render(
            listen=args.listen,
            upstreams=args.upstream,
            prefix=prefix,
            errors_dir=errors_dir,
            client_max_body_size=args.client_max_body_size or body_size(largest_body_limit()),
            static_root=Path(args.static_root).resolve() if args.static_root else None,
            user=user,
            access_log=args.access_log,
            error_log=args.error_log,
            forwarded_proto=args.forwarded_proto,
        )
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
        write_error_pages(errors_dir)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
