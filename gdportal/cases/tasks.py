import logging

from celery import shared_task

from gdportal.locks import one_at_a_time

logger = logging.getLogger(__name__)


@shared_task(name="cases.sweep_held_uploads")
@one_at_a_time("cases.sweep_held_uploads")
def sweep_held_uploads():
    """Beat runs this hourly: files kept for a failed form past their lifetime are deleted (cases/held.py)."""
    from .held import held_sweep

    return held_sweep()


@shared_task(name="cases.check_document_version")
def check_document_version(version_id):
    """Queued when a version is stored (findings.version_check_queue): its automatic checks. A version gone
    or already checked is left as it is; the sandbox unavailable leaves it to the sweep."""
    from .findings import ChecksUnavailable, version_check
    from .models import DocumentVersion

    version = DocumentVersion.objects.filter(pk=version_id, checked_at=None).first()
    if version is None:
        return
    try:
        version_check(version=version)
    except ChecksUnavailable as exc:
        logger.warning("document checks unavailable for version %s, left to the sweep: %s", version_id, exc)


@shared_task(name="cases.check_pending_documents")
@one_at_a_time("cases.check_pending_documents")
def check_pending_documents():
    """Beat runs this every few minutes: versions of the last day whose checks never ran (findings.py)."""
    from .findings import versions_check_pending

    return versions_check_pending()
