"""Optional ClamAV scan over clamd's INSTREAM protocol (no extra dependency).

Configured by CLAMAV_SOCKET (unix socket path) or CLAMAV_HOST/CLAMAV_PORT; with neither, scanning is off and
`scan` returns None. A configured but unreachable clamd refuses the upload (fail closed).
"""

import os
import socket
import struct

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _connect():
    path = os.environ.get("CLAMAV_SOCKET")
    if path:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(30)
        sock.connect(path)
        return sock
    host = os.environ.get("CLAMAV_HOST")
    if host:
        return socket.create_connection((host, int(os.environ.get("CLAMAV_PORT", "3310"))), timeout=30)
    return None


def scan(fileobj):
    """Return the signature name if clamd finds one, None if clean or not configured."""
    try:
        sock = _connect()
    except OSError as exc:
        raise ValidationError(
            _("The antivirus is unavailable; try again in a few minutes."), code="antivirus_down"
        ) from exc
    if sock is None:
        return None
    with sock:
        sock.sendall(b"zINSTREAM\0")
        for chunk in iter(lambda: fileobj.read(64 * 1024), b""):
            sock.sendall(struct.pack("!L", len(chunk)) + chunk)
        sock.sendall(struct.pack("!L", 0))
        reply = b""
        while not reply.endswith(b"\0"):
            data = sock.recv(4096)
            if not data:
                break
            reply += data
    fileobj.seek(0)
    text = reply.rstrip(b"\0").decode(errors="replace")
    if text.endswith("FOUND"):
        return text.split(":", 1)[-1].rsplit(" ", 1)[0].strip()
    if not text.endswith("OK"):
        raise ValidationError(_("The antivirus could not check the file; try again."), code="antivirus_error")
    return None
