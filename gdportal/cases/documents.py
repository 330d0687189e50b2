"""Document versions: storing them (checked by content) and reading the latest of each kind."""

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from gdportal.uploads import check_upload, storage_key

from .choices import DocumentKind
from .findings import version_check_queue
from .kinds import allowed_types, inspection_kinds, kind_label, register_kinds  # noqa: F401 — re-exported
from .models import DocumentVersion


def identity_kinds(person_type):
    """What the commercial analysis needs (SPEC §4.2): PF a photo ID with CPF; PJ the company's papers."""
    if person_type == "PJ":
        return [DocumentKind.CNPJ_CARD, DocumentKind.ARTICLES, DocumentKind.REPRESENTATIVE_ID]
    return [DocumentKind.IDENTITY]


def document_check(uploaded, kind):
    """The file checked by content for its kind; a refusal names the field `file`, so the API answers it at
    the field and a page's form can put it beside its own file input."""
    try:
        return check_upload(uploaded, allowed=allowed_types(kind))
    except ValidationError as exc:
        raise ValidationError({"file": exc.error_list}) from exc


def document_store(*, case, kind, uploaded, by):
    """Check the file by content (whatever the caller did), write it under a random key, then its row.

    Storage first, on purpose: if the transaction then rolls back, an orphan object is left (harmless, never
    referenced); the other order could leave a row pointing to a file that was never written.
    """
    checked = document_check(uploaded, kind)
    key = default_storage.save(storage_key(f"cases/{case.pk}", checked.file_type), uploaded)
    version = DocumentVersion.objects.create(
        case=case,
        kind=kind,
        file=key,
        original_name=uploaded.name[:255],
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
        uploaded_by=by,
    )
    # The automatic checks (SPEC §14) read the stored file after the commit, never in this transaction.
    version_check_queue(version)
    return version


def latest_versions(case):
    """{kind: newest version} from one query."""
    latest = {}
    for version in case.documents.all().order_by("kind", "-uploaded_at", "-id"):
        latest.setdefault(version.kind, version)
    return latest
