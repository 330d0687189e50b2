"""The portal's PDF look, shared by every document the server renders (the parecer, the statement).

Only ReportLab's standard Helvetica is used: its WinAnsi encoding covers Portuguese, and no font file has to
ship with the portal or be downloaded. `text` makes any value safe for Paragraph markup and for Helvetica.
"""

import html
import unicodedata

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import TableStyle

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
