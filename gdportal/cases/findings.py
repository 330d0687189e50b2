"""Document checks on upload (SPEC §14): automatic findings from the file itself, kept with the version.

What Cemig's analysts send back after 5 business days — an ART that names another project, a memorial with
another power, a scan nobody can search — the portal reads from the file within a second of the upload and
shows: a warning beside the document for the RT ("Verifique: …"), a hint beside the version for the analyst.
A finding never refuses a file; the upload check (gdportal/uploads.py) is the only gate.

- A check is a small function `(version, pdf) -> iterable of Finding`, registered for the kinds it applies to
  (`register_check`). The kernel registers the checks every document gets (gdportal/cases/checks.py); a
  stage registers its own from its AppConfig.ready() (aprweb/checks.py: the ART number, the power, the plan
  format), because what they compare with is that stage's data. This module imports no stage.
- A check that reads the PDF (`reads_pdf=True`) gets a `PdfContent`: the page count, every page's size and
  the text of the first pages, read once per version in the PDF sandbox (gdportal/pdfsandbox.py: a child
  process under CPU, memory and time limits — a hostile file ends as "could not be read", never as a hung
  worker). It is not called for images and ZIPs. The web process never parses a PDF.
- The checks run after the version's transaction commits, in a Celery task (`document_store` queues it); the
  RT's checklist polls until `checked_at` is set. A task lost with the broker is caught up by the sweep.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from gdportal.uploads import CONTENT_TYPES, PDF

from .models import DocumentVersion

logger = logging.getLogger(__name__)

# The text of the first pages is what the checks read (an ART or a certificate says what matters on page 1,
# a memorial in its first pages). Opening a 3 MB PDF of 1,300 pages costs ~0.4 s in the sandbox, the text
# ~10–20 ms a dense page: 10 pages keep the checks of such a file well under a second (bench/checks.py).
TEXT_PAGES = 10
PAGE_CHARS = 20_000
# Fewer visible characters than this in the pages read is a scan, whatever stray marks a scanner adds.
MIN_TEXT_CHARS = 20
# How long a version's checklist line says "checking" and polls; past it (a worker down) it stops asking, and
# the sweep catches up within the day.
CHECK_WAIT = timedelta(minutes=5)
SWEEP_WINDOW = timedelta(days=1)
SWEEP_BATCH = 50


class DocumentFinding(models.Model):
    """One automatic finding on one version: a warning for the RT, a hint for the analyst, never a verdict.

    The message is kept as it was shown (in the portal's language), with the figures the check compared, so
    it still reads the same after the order is edited or a check changes.
    """

    version = models.ForeignKey(
        DocumentVersion, verbose_name=_("document version"), on_delete=models.CASCADE, related_name="findings"
    )
    code = models.CharField(_("code"), max_length=40)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("document finding")
        verbose_name_plural = _("document findings")
        ordering = ["version", "id"]

    def __str__(self):
        return f"{self.code}: {self.message}"


@dataclass(frozen=True)
class Finding:
    code: str
    message: object  # str or lazy translation, rendered in the portal's language when stored


@dataclass
class PdfContent:
    """What the sandbox read from a PDF. `error` ("limit", "damaged", "encrypted") when it could not."""

    pages: int | None = None
    sizes: list = field(default_factory=list)  # [(width, height)] in points, every page
    texts: list = field(default_factory=list)  # the first TEXT_PAGES pages' text
    unreadable: list = field(default_factory=list)  # page numbers (from 1) whose text could not be read
    truncated: bool = False
    error: str = ""

    @property
    def text(self):
        return "\n".join(self.texts)

    @property
    def has_text(self):
        """False for a scan: (almost) no characters in the pages read. None when nothing could be read."""
        if self.error or not self.texts:
            return None
        return sum(len("".join(text.split())) for text in self.texts) >= MIN_TEXT_CHARS


@dataclass(frozen=True)
class Check:
    code: str
    function: Callable[[DocumentVersion, PdfContent | None], Iterable[Finding]]
    kinds: frozenset | None  # None: every kind
    reads_pdf: bool


_CHECKS = {}  # code -> Check


class ChecksUnavailable(Exception):
    """The sandbox could not run (no memory or process slots): nothing is recorded, the sweep tries again."""


def register_check(code, function, *, kinds=None, reads_pdf=False):
    """Run `function(version, pdf)` on each new version of `kinds` (None: every kind). With `reads_pdf`, only
    on PDFs, and `pdf` is their PdfContent (else None). Keyed by code: a ready() run twice adds nothing."""
    _CHECKS[code] = Check(code, function, frozenset(kinds) if kinds is not None else None, reads_pdf)


def checks_for(kind, content_type):
    is_pdf = content_type == CONTENT_TYPES[PDF]
    return [
        check
        for check in _CHECKS.values()
        if (check.kinds is None or kind in check.kinds) and (is_pdf or not check.reads_pdf)
    ]


def read_pdf(version):
    """The version's PdfContent, from the sandbox. Raises ChecksUnavailable when the sandbox cannot start."""
    from gdportal import pdfsandbox

    with version.file.open("rb") as stored:
        data = stored.read()
    try:
        result = pdfsandbox.inspect_pdf(data, text_pages=TEXT_PAGES, page_chars=PAGE_CHARS)
    except pdfsandbox.PdfRefused as exc:
        if exc.code == "unavailable":
            raise ChecksUnavailable(exc.detail) from exc
        logger.info("document %s could not be read for the checks: %s", version.pk, exc)
        return PdfContent(error=exc.code)
    if result["encrypted"]:
        return PdfContent(error="encrypted")
    return PdfContent(
        pages=result["pages"],
        sizes=[tuple(size) for size in result["sizes"]],
        texts=result["page_texts"],
        unreadable=result["unreadable"],
        truncated=result["truncated"],
    )


def version_check(*, version):
    """Run the checks registered for the version's kind and keep their findings; mark it checked.

    Idempotent: a version already checked (by the on-commit task or the sweep, whichever came first) keeps
    its findings. The sandbox runs outside any transaction; only the writing is one.
    """
    checks = checks_for(version.kind, version.content_type)
    pdf = read_pdf(version) if any(check.reads_pdf for check in checks) else None
    found = []
    with translation.override(settings.LANGUAGE_CODE):
        for check in checks:
            try:
                found.extend(
                    DocumentFinding(version_id=version.pk, code=finding.code, message=str(finding.message))
                    for finding in check.function(version, pdf if check.reads_pdf else None) or ()
                )
            except Exception:  # one broken check must not cost the others' findings
                logger.exception("document check %s failed on version %s", check.code, version.pk)
    with transaction.atomic():
        locked = DocumentVersion.objects.select_for_update().filter(pk=version.pk, checked_at=None)
        if not locked.exists():
            return list(DocumentFinding.objects.filter(version_id=version.pk))
        DocumentFinding.objects.bulk_create(found)
        now = timezone.now()
        locked.update(checked_at=now)
    version.checked_at = now
    return found


def versions_check_pending(now=None):
    """The sweep: check the versions of the last day whose task never ran (broker down, worker lost). Older
    unchecked versions (uploaded before the checks existed) are left alone. Returns how many were checked."""
    now = now or timezone.now()
    # A minute's head start for the task queued on commit, so the sweep does not race it for fresh uploads.
    pending = DocumentVersion.objects.filter(
        checked_at=None, uploaded_at__gte=now - SWEEP_WINDOW, uploaded_at__lte=now - timedelta(minutes=1)
    ).order_by("uploaded_at", "id")[:SWEEP_BATCH]
    done = 0
    for version in pending:
        try:
            version_check(version=version)
        except ChecksUnavailable as exc:
            logger.warning("document checks unavailable, will try again: %s", exc)
            break
        except Exception:  # its file gone from the storage, say: the versions behind it still get checked
            logger.exception("document checks failed on version %s", version.pk)
            continue
        done += 1
    return done


def version_check_queue(version):
    """Check `version` once the transaction that stored it commits (in a worker; at once where tasks run
    eagerly). A failed publish is left to the sweep."""
    from gdportal.publish import publish_on_commit

    from .tasks import check_document_version

    publish_on_commit(check_document_version, version.pk)
