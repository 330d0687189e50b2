"""Files kept across a failed form (SPEC §13: "a form that fails keeps everything typed, files included").

A browser never re-sends a chosen file: when the request form comes back with an error elsewhere (the
declaration not ticked, a power that does not fit), the identity documents — three for a company — were lost
and had to be chosen again. Two ways to keep them were weighed:

1. Save the draft with its files even when other fields fail. A new request has no draft yet, and the case's
   columns are required (power, coordinates, the motivo…): the draft would have to hold partial data, every
   rule and page that reads a draft would meet half-filled ones, and `case_check_rules` could no longer be
   the services' last word on every saved case.
2. Keep the verified files in a per-user holding area, named by a signed token the form carries back in a
   hidden field, and attach them when the form is saved. The case stays whole.

This module is (2). A held file is its owner's only: the token is signed (SECRET_KEY, a salt of its own,
`GD_HELD_UPLOAD_HOURS`) and names its user, and every read is also filtered by owner, so a token copied from
another session names nothing; `held_attach` refuses a row of anyone else (PermissionDenied), whatever the
caller passed. Nothing verified is dropped: a new file for a kind replaces the held one only once the new one
has passed the checks. The area is cleaned when the form is saved (every held file is attached or released),
per user beyond `HELD_PER_USER` files, and by the hourly sweep of what is older than its lifetime.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from gdportal.uploads import check_upload, storage_key

from .documents import StorageUnavailable, allowed_types, document_store, storage_save
from .models import HeldUpload

logger = logging.getLogger(__name__)

SALT = "gdportal.cases.held"
# The hidden field the request form carries the token in.
FIELD = "held_uploads"
# A user filing several requests at once needs a few files each; more than this is not a form being corrected.
HELD_PER_USER = 20


def held_lifetime():
    return timedelta(hours=settings.GD_HELD_UPLOAD_HOURS)


def held_token(user, held):
    """The signed token for {kind: HeldUpload}, or "" when nothing is held."""
    if not held:
        return ""
    return signing.dumps({"u": user.pk, "h": {kind: row.pk for kind, row in held.items()}}, salt=SALT)


def held_from_token(user, token):
    """{kind: HeldUpload} named by a token this user was given; {} for anything else (forged, expired,
    another user's, rows gone)."""
    if not token or not getattr(user, "pk", None):
        return {}
    try:
        data = signing.loads(token, salt=SALT, max_age=held_lifetime())
    except signing.BadSignature:
        return {}
    if not isinstance(data, dict) or data.get("u") != user.pk or not isinstance(data.get("h"), dict):
        return {}
    wanted = {kind: pk for kind, pk in data["h"].items() if isinstance(pk, int)}
    rows = HeldUpload.objects.filter(owner=user, pk__in=wanted.values())
    return {row.kind: row for row in rows if wanted.get(row.kind) == row.pk}


def held_keep(*, by, uploads, held):
    """Keep the verified `uploads` ((kind, UploadedFile)) of a failed form for `by`; returns the new
    {kind: HeldUpload}: what was held, with each kind that came with a new file replaced by it.

    When the storage itself is failing (the reason the form failed, often) nothing new is held: the form comes
    back with what was held before and the storage's message, and the user chooses the files again.
    """
    try:
        return _held_keep(by=by, uploads=uploads, held=held)
    except StorageUnavailable:
        return dict(held)


@transaction.atomic
def _held_keep(*, by, uploads, held):
    held = dict(held)
    replaced = []
    for kind, uploaded in uploads:
        # The checks already ran in the form on these same bytes; check_upload remembers its verdict.
        checked = check_upload(uploaded, allowed=allowed_types(kind))
        uploaded.seek(0)
        key = storage_save(storage_key(f"held/{by.pk}", checked.file_type), uploaded)
        row = HeldUpload.objects.create(
            owner=by,
            kind=kind,
            file=key,
            original_name=uploaded.name[:255],
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.content_type,
        )
        if kind in held:
            replaced.append(held[kind])
        held[kind] = row
    held_release(replaced)
    keep = {row.pk for row in held.values()}
    # Counted from the last failed submit, as the token handed out now is.
    HeldUpload.objects.filter(pk__in=keep).update(created_at=timezone.now())
    surplus = HeldUpload.objects.filter(owner=by).exclude(pk__in=keep).order_by("-created_at", "-id")
    held_release(list(surplus[max(HELD_PER_USER - len(keep), 0) :]))
    return held


def held_attach(*, case, kind, row, by):
    """Store a held file as a new version of the case's document (in the caller's transaction).

    The file is checked again by document_store, as any file is; the held row goes once the caller commits.
    """
    if row.owner_id != by.pk:
        raise PermissionDenied
    row = HeldUpload.objects.select_for_update().filter(pk=row.pk, owner_id=by.pk).first()
    if row is None:
        # Taken by a concurrent save of the same form (a double click without JavaScript): that save has the
        # file; this draft goes without it, and its submit asks for the document (missing_identity_documents).
        return None
    with default_storage.open(row.file.name, "rb") as stored:
        version = document_store(
            case=case, kind=kind, uploaded=File(stored.file, name=row.original_name), by=by
        )
    held_release([row])
    return version


def held_release(rows):
    """Forget held files: the rows now, the stored objects once the caller's transaction has committed."""
    rows = [row for row in rows if row.pk]
    if not rows:
        return
    keys = [row.file.name for row in rows]
    HeldUpload.objects.filter(pk__in=[row.pk for row in rows]).delete()
    transaction.on_commit(lambda: _delete_files(keys))


def _delete_files(keys):
    for key in keys:
        try:
            default_storage.delete(key)
        except Exception:  # noqa: BLE001 — a file left behind is harmless: no row names it
            logger.warning("held upload %s could not be deleted", key, exc_info=True)


def held_sweep(now=None):
    """Release what was held longer than its lifetime (the hourly beat task); returns how many."""
    cutoff = (now or timezone.now()) - held_lifetime()
    expired = list(HeldUpload.objects.filter(created_at__lt=cutoff).order_by("created_at")[:5000])
    with transaction.atomic():
        held_release(expired)
    return len(expired)
