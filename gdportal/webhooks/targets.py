"""Where a webhook may be sent, and the one HTTP request that sends it.

The URL is the user's, so the portal must not become a way to reach its own network (SSRF): only https://,
the host resolved at every delivery and refused unless every address it has is public, and the request sent
to the address that was checked (a second lookup could answer differently: DNS rebinding), with TLS still
verified against the host name. Redirects are not followed: a 3xx is a failed delivery like any non-2xx.

With settings.GD_WEBHOOKS_ALLOW_LOCAL_HTTP (development and tests) http:// is allowed for the loopback host
names and addresses, and non-public addresses are not refused.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.utils.translation import gettext as _

LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
CONNECT_TIMEOUT = 3
READ_TIMEOUT = 10
# The whole exchange, whatever the receiver drips: a worker is never held much longer than this by one URL.
TOTAL_TIMEOUT = 20
RESPONSE_KEPT = 1024


class Refused(Exception):
    """The destination is not allowed (scheme, host, or an address that is not public)."""


def local_allowed():
    return settings.GD_WEBHOOKS_ALLOW_LOCAL_HTTP


def _host(parts):
    return (parts.hostname or "").lower()


def _is_public(address):
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def url_problem(url):
    """Why `url` cannot be a webhook endpoint (a pt-BR message), or None. Checked at creation; the delivery
    checks again, with the addresses the host resolves to."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises ValueError on a port that is not a number
    except ValueError:
        return _("Type a valid URL, starting with https://.")
    host = _host(parts)
    if not host:
        return _("Type a valid URL, starting with https://.")
    if parts.username or parts.password:
        return _("The URL must not carry a user name or password; the signature authenticates the portal.")
    local = host in LOOPBACK_HOSTS and local_allowed()
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        return _("Only https:// addresses receive webhooks.")
    if local_allowed():
        return None
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return _("This address is not reachable from the internet; webhooks go to public addresses only.")
    try:
        public = _is_public(host)
    except ValueError:
        return None  # a host name: resolved, and checked, at every delivery
    if not public:
        return _("This address is not reachable from the internet; webhooks go to public addresses only.")
    return None


def resolve(host, port):
    """The address to connect to: the first one the host resolves to, once every one of them is allowed."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise Refused(f"{host} resolves to no address")
    if not local_allowed():
        private = [a for a in addresses if not _is_public(a)]
        if private:
            raise Refused(f"{host} resolves to a non-public address ({private[0]})")
    return addresses[0]


def post(url, body, headers):
    """POST `body` to `url`; (status, the first bytes of the answer as text). Raises Refused, or
    urllib3's and the socket's errors when the receiver cannot be reached or does not answer in time."""
    problem = url_problem(url)
    if problem:
        raise Refused(problem)
    parts = urlsplit(url)
    host = _host(parts)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve(host, port)
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT, total=TOTAL_TIMEOUT)
    options = {"port": port, "timeout": timeout, "retries": False, "maxsize": 1}
    if parts.scheme == "https":
        # Connected to the checked address; the certificate must still name the host of the URL.
        pool = urllib3.HTTPSConnectionPool(
            address, server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED", **options
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, **options)
    netloc_host = f"[{host}]" if ":" in host else host
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    headers = {**headers, "Host": netloc_host if parts.port is None else f"{netloc_host}:{port}"}
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers=headers,
            redirect=False,
            retries=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            # Only the start of the answer is kept for the delivery log; the rest is never read.
            start = response.read(RESPONSE_KEPT)
        finally:
            response.close()
    finally:
        pool.close()
    text = start.decode("utf-8", "replace").replace("\x00", "")[:RESPONSE_KEPT]
    return response.status, text
