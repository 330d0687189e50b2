"""The portal's PDF look, shared by every document the server renders (the parecer, the statement, the
generated request form and units list).

Only ReportLab's standard Helvetica is used: its WinAnsi encoding covers Portuguese, and no font file has to
ship with the portal or be downloaded. `text` makes any value safe for Paragraph markup and for Helvetica.
"""

import html
import unicodedata

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, TableStyle

AUTHOR = "GD Portal"
MARGIN = 18 * mm
GRID = colors.HexColor("#b8c2cc")
SHADE = colors.HexColor("#eef2f5")

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9.5, leading=12.5)
LABEL = ParagraphStyle("label", parent=BODY, fontName="Helvetica-Bold")
TITLE = ParagraphStyle("title", parent=BODY, fontName="Helvetica-Bold", fontSize=15, leading=19)
SUBTITLE = ParagraphStyle("subtitle", parent=BODY, textColor=colors.HexColor("#444444"))
HEADING = ParagraphStyle(
    "heading", parent=BODY, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=9, spaceAfter=4,
    keepWithNext=1,
)  # fmt: skip
NOTE = ParagraphStyle("note", parent=BODY, spaceBefore=3)
STEP = ParagraphStyle("step", parent=BODY, leftIndent=5 * mm, bulletIndent=0, spaceAfter=3)
FIELDS = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
FOOTER = ParagraphStyle(
    "footer", parent=BODY, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#333333")
)


def text(value) -> str:
    """Plain text made safe for Paragraph markup (a '<' or '&' in an address is text) and for Helvetica."""
    plain = winansi(str(value).replace("\r\n", "\n").replace("\r", "\n")).strip()
    return html.escape(plain, quote=False).replace("\n", "<br/>") if plain else "—"


def winansi(text: str) -> str:
    """Helvetica prints a black box for anything outside WinAnsi (cp1252), e.g. 'Łukasz' as '■ukasz': such a
    letter falls back to its unaccented form, or '?'; control characters become spaces."""
    out = []
    for char in text:
        if unicodedata.category(char) == "Cc" and char != "\n":
            out.append(" ")
            continue
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char).encode("cp1252", "ignore").decode("cp1252")
            out.append(base or "?")
    return "".join(out)


def draw_footer(canvas, left_markup, *, page, total_pages, footer_space, page_size=A4):
    """Every page's foot: a rule, the document's own line(s) on the left (Paragraph markup, already made
    safe with `text`) and "Página X de Y" on the right (blank on the first pass, before the total is known).
    """
    width = page_size[0] - 2 * MARGIN
    left = Paragraph(left_markup, FOOTER)
    numbering = _("Page %(page)d of %(total)d") % {"page": page, "total": total_pages} if total_pages else ""
    right = Paragraph(
        text(numbering) if numbering else "", ParagraphStyle("page", parent=FOOTER, alignment=2)
    )
    canvas.saveState()
    canvas.setStrokeColor(GRID)
    top = MARGIN + footer_space - 2 * mm
    canvas.line(MARGIN, top, page_size[0] - MARGIN, top)
    _w, height = left.wrapOn(canvas, width - 30 * mm, footer_space)
    left.drawOn(canvas, MARGIN, top - 2 * mm - height)
    _w, page_height = right.wrapOn(canvas, 30 * mm, footer_space)
    right.drawOn(canvas, page_size[0] - MARGIN - 30 * mm, top - 2 * mm - page_height)
    canvas.restoreState()
