"""The document checks every stage may use (SPEC §14), and the text helpers the stages' own checks share.

Registered here for every kind: the same file under two kinds of one case, and a PDF that could not be read
(damaged, past the sandbox's limits, no pages, a page whose text cannot be read). "No text layer" is a
function the stages register for the kinds where a scan is a problem: an identity document is a scan by
nature, a memorial is not (aprweb/checks.py).
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from .findings import Finding, register_check
from .kinds import kind_label
from .models import DocumentVersion


def normalize(text):
    """Lower case, no accents, single spaces: "JOSÉ  da Silva" and "Jose da silva" read the same."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.casefold().split())


def compact(text):
    """Letters and digits only, upper case: "MG-2026/0001" and "MG 2026 0001" both read "MG20260001"."""
    return re.sub(r"[^0-9A-Z]", "", normalize(text).upper())


def duplicate_file(version, pdf):
    """The same bytes under two kinds of one case: one of the two is probably the wrong file. Said on the
    later one only, whether the earlier one's checks ran before it was stored or after (one filing)."""
    others = (
        DocumentVersion.objects.filter(case_id=version.case_id, sha256=version.sha256, pk__lt=version.pk)
        .exclude(kind=version.kind)
        .values_list("kind", flat=True)
        .distinct()
    )
    kinds = sorted({str(kind_label(kind)) for kind in others})
    if kinds:
        yield Finding(
            "duplicate_file",
            _("the same file was also sent as %(kinds)s: one of the two may be the wrong file")
            % {"kinds": ", ".join(f"“{kind}”" for kind in kinds)},
        )


def pdf_readable(version, pdf):
    if pdf.error == "limit":
        yield Finding(
            "pdf_unreadable",
            _(
                "the PDF could not be read within the time and memory limits, so it was not checked: "
                "generate it again (e.g. “Print to PDF”)"
            ),
        )
    elif pdf.error:
        yield Finding(
            "pdf_unreadable", _("the PDF could not be read, so it was not checked: it may be damaged")
        )
    elif not pdf.pages:
        yield Finding("pdf_no_pages", _("the PDF has no pages"))
    elif pdf.unreadable:
        yield Finding(
            "pdf_unreadable_pages",
            _("the text of page(s) %(pages)s could not be read: the page may be damaged")
            % {"pages": ", ".join(str(number) for number in pdf.unreadable)},
        )


def pdf_text_layer(version, pdf):
    """A scan: no text in the pages read. The analyst cannot search it, nor can the other checks read it."""
    if pdf.has_text is False:
        yield Finding(
            "no_text_layer",
            _(
                "the PDF has no text layer (a scanned image?): send the file the program generated, with "
                "selectable text — the automatic checks could not read this one"
            ),
        )


register_check("duplicate_file", duplicate_file)
register_check("pdf_readable", pdf_readable, reads_pdf=True)
