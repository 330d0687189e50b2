"""`Idempotency-Key` on POST (SPEC §14): a retry with the same key and body gets the first answer, stored for
24 hours; the same key with a different body is a 422; two copies arriving together file once (the second gets
a 409 until the first has answered)."""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from .models import IdempotentAnswer
from .problems import Conflict, Unprocessable

HEADER = "HTTP_IDEMPOTENCY_KEY"
KEEP_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255
# Headers worth replaying with the stored body (the rest are the server's, recomputed on the way out).
REPLAYED_HEADERS = ("Location",)


class Replay(Exception):
    def __init__(self, answer):
        self.answer = answer


def _file_digest(uploaded):
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def fingerprint(request):
    """What makes two POSTs "the same request": the path and the parsed body, files by their content."""
    data = request.data
    # A QueryDict (form or multipart) keeps repeated keys in their order; JSON is taken as parsed.
    body = {key: [str(v) for v in values] for key, values in data.lists()} if hasattr(data, "lists") else data
    files = {name: [_file_digest(f) for f in request.FILES.getlist(name)] for name in request.FILES}
    canonical = json.dumps(
        {"path": request.path, "body": body, "files": files}, sort_keys=True, default=str, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def expired_before():
    return timezone.now() - KEEP_FOR


def claim(request):
    """Before the view: replay a stored answer, refuse a mismatch, or reserve the key.

    Returns the reserved row, or None when the request carries no key."""
    key = request.META.get(HEADER, "").strip()
    if request.method != "POST" or not key or not request.user.is_authenticated:
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise Unprocessable(
            _("The Idempotency-Key may have at most %(n)s characters.") % {"n": MAX_KEY_LENGTH}
        )
    print_ = fingerprint(request)
    IdempotentAnswer.objects.filter(user=request.user, key=key, created_at__lt=expired_before()).delete()
    try:
        # Its own transaction, committed at once: a concurrent copy of the request must see the reservation.
        with transaction.atomic():
            return IdempotentAnswer.objects.create(
                user=request.user, key=key, fingerprint=print_, path=request.path[:255]
            )
    except IntegrityError:
        pass
    stored = IdempotentAnswer.objects.filter(user=request.user, key=key).first()
    if stored is None:  # removed meanwhile (the first copy failed): this one may go ahead
        return claim(request)
    if stored.fingerprint != print_:
        raise Unprocessable(
            _(
                "This Idempotency-Key was already used with a different request. "
                "Use a new key for a new request."
            )
        )
    if stored.status == 0:
        raise Conflict(_("A request with this Idempotency-Key is still being processed. Try again shortly."))
    raise Replay(stored)


def replay(answer):
    response = Response(status=answer.status, content_type=answer.content_type)
    # The stored bytes are the answer; no renderer runs again.
    response.content = bytes(answer.body)
    response._is_rendered = True
    # DRF writes Content-Type while rendering, which a replay skips: without this it stays Django's text/html.
    response["Content-Type"] = answer.content_type
    for name, value in answer.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def release(reserved):
    IdempotentAnswer.objects.filter(pk=reserved.pk).delete()


def store(reserved, response):
    """After the view: keep the answer for retries — unless the server failed, when a retry must run again."""
    if response.status_code >= 500:
        release(reserved)
        return
    if hasattr(response, "render") and not getattr(response, "_is_rendered", True):
        response.render()
    IdempotentAnswer.objects.filter(pk=reserved.pk).update(
        status=response.status_code,
        content_type=response.get("Content-Type", ""),
        body=bytes(response.content),
        headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
    )
