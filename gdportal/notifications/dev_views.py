"""DEBUG-only mailbox: in the embedded profile e-mails land in var/mail; a demo user reads them here."""

import datetime as dt
import email
import re
from email import policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

_NAME = re.compile(r"^[0-9A-Za-z\-]+\.eml$")


def _require_debug():
    if not settings.DEBUG:
        raise Http404


def _sent_at(header):
    """The Date header as an aware moment. Django writes it in UTC as "-0000", which Python reads as a naive
    datetime: the template would then print the UTC time as if it were São Paulo's."""
    if not header:
        return None
    sent = parsedate_to_datetime(header)
    return timezone.make_aware(sent, dt.UTC) if timezone.is_naive(sent) else sent


def _parse(path):
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    text = msg.get_body(preferencelist=("plain",))
    return {
        "name": path.name,
        "subject": msg["subject"],
        "to": msg["to"],
        "date": _sent_at(msg["date"]),
        "text": text.get_content() if text else "",
    }


def mailbox(request):
    _require_debug()
    folder = Path(settings.EMAIL_MESSAGES_DIR)
    files = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.exists() else []
    return render(request, "dev/mailbox.html", {"messages_list": [_parse(p) for p in files]})


def message(request, name):
    _require_debug()
    path = Path(settings.EMAIL_MESSAGES_DIR) / name
    if not _NAME.match(name) or not path.is_file():
        raise Http404
    return render(request, "dev/message.html", {"message": _parse(path)})
