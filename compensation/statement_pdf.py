"""The statement (extrato) as a PDF (SPEC §7.2): the page's tables on A4 landscape, so that a cycle's columns
fit on one line.

Laid out like the parecer (parecer/pdf.py, whose styles and text helpers it reuses): platypus Paragraphs and
Tables in ReportLab's standard Helvetica, so the text is selectable and no font file ships or downloads;
every label goes through gettext, so the PDF is in the active language.
"""

import io
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gdportal.brformats import money_br, number_br
from gdportal.pdfstyle import (
    AUTHOR,
    BODY,
    GRID,
    HEADING,
    LABEL,
    MARGIN,
    NOTE,
    SHADE,
    SUBTITLE,
    TITLE,
    draw_footer,
    text,
    winansi,
)

from .extrato import Statement

PAGE = landscape(A4)
FOOTER_SPACE = 10 * mm
CELL = ParagraphStyle("cell", parent=BODY, fontSize=7, leading=8.5, alignment=2)  # numbers, right-aligned
CELL_LEFT = ParagraphStyle("cell-left", parent=CELL, alignment=0)
# The parecer's heading keeps with the table that follows; a statement's table of cycles may be longer than
# the room left on the page, and kept together it would leave that room empty. A heading here starts a new
# page instead when less than a few rows would follow it.
SECTION = ParagraphStyle("section", parent=HEADING, keepWithNext=0)
SECTION_MIN_ROOM = 35 * mm
HEAD = ParagraphStyle("head", parent=CELL, fontName="Helvetica-Bold", alignment=1)
GRID_STYLE = [
    ("GRID", (0, 0), (-1, -1), 0.4, GRID),
    ("BACKGROUND", (0, 0), (-1, 0), SHADE),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("LEFTPADDING", (0, 0), (-1, -1), 2),
    ("RIGHTPADDING", (0, 0), (-1, -1), 2),
]


@dataclass(frozen=True)
class StatementHeader:
    """Who and what the statement is about, looked up and translated by the caller."""

    installation: str
    titular: str
    address: str
    unit: str  # "Generating unit — 5 kW, GD I" / "Receiving unit"
    period: str
    issued_on: date


def render_statement_pdf(statement: Statement, header: StatementHeader) -> bytes:
    # Two passes so that the footer can say "page N of M": the first one only counts the pages.
    _data, pages = _build(statement, header, total_pages=0)
    data, _pages = _build(statement, header, total_pages=pages)
    return data


def _build(statement: Statement, header: StatementHeader, total_pages: int) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    language = (get_language() or "pt-br").split("-")
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_SPACE,
        title=_("Credit statement %(installation)s") % {"installation": winansi(header.installation)},
        subject=_("Credit statement — sistema de compensação"),
        author=AUTHOR,
        creator=AUTHOR,
        lang="-".join([language[0], *(part.upper() for part in language[1:])]),
    )

    def footer(canvas, document):
        _draw_footer(canvas, header, document.page, total_pages)

    doc.build(_story(statement, header), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), doc.page


def _figure(value) -> str:
    """kWh and R$ alike: 2 decimals and a decimal comma (the headings carry the units)."""
    return number_br(value, decimal_pos=2)


def _story(statement: Statement, header: StatementHeader) -> list:
    total = statement.total
    story = [
        Paragraph(text(_("Credit statement — sistema de compensação")), TITLE),
        Paragraph(text(_("Distributed micro- and minigeneration — Lei 14.300/2022")), SUBTITLE),
        Spacer(1, 3 * mm),
        _fields(
            (_("Installation"), header.installation),
            (_("Titular"), header.titular),
            (_("Address"), header.address),
            (_("Unit"), header.unit),
            (_("Period"), header.period),
            (_("Current balance"), f"{_figure(statement.balance_kwh)} kWh"),
            (_("Saving in the period"), money_br(total.saving_brl)),
            (_("Issued on"), header.issued_on.strftime("%d/%m/%Y")),
        ),
        *_heading(_("Cycles")),
    ]
    if statement.results:
        story.append(_cycles_table(statement))
    else:
        story.append(Paragraph(text(_("No cycle has been computed for this unit in this period.")), NOTE))
    if statement.years:
        story += [*_heading(_("Yearly summary")), _years_table(statement)]
    story += _heading(_("Balance by origin cycle"))
    if statement.lots:
        story.append(_lots_table(statement))
    else:
        story.append(Paragraph(text(_("The unit holds no credits.")), NOTE))
    story += [*_heading(_("Notes")), *[Paragraph(text(note), NOTE) for note in statement_notes()]]
    return story


def statement_notes() -> list[str]:
    """What the statement does not include and why (SPEC §7.2): shown on the page and in the PDF."""
    return [
        _(
            "Amounts are the energy parcel of the bill, without taxes (ICMS, PIS/COFINS) and without the "
            "public lighting contribution, which are out of the scope of this statement."
        ),
        _(
            "Tariff flags (bandeiras) do not apply to compensated energy (Lei 14.300/2022, art. 19): the "
            "amounts here do not include them."
        ),
        _(
            "Credits expire %(months)d months after the cycle in which they were created; the oldest credits "
            "are used first. Quantities are in kWh, rounded to 2 decimals."
        )
        % {"months": getattr(settings, "GD_CREDIT_VALID_MONTHS", 60)},
    ]


def _cycles_table(statement: Statement) -> Table:
    """The page's table: two heading rows, the groups (compensated, credits, energy parcel) above their parts,
    so that each heading is a word or two that fits its narrow column."""
    groups = [
        _("Cycle"), _("Consumed"), _("Injected"), _("Compensated"), "", "", "", _("Received"),
        _("Credits"), "", "", "", _("Balance"), _("Energy parcel (R$)"), "", "",
    ]  # fmt: skip
    parts = [
        "", "", "", _("from the cycle's injection"), _("from credits received"), _("from own credits"),
        _("total"), "", _("created"), _("used"), _("expired"), _("transferred"), "", _("with GD"),
        _("without GD"), _("saved"),
    ]  # fmt: skip
    rows = [
        [Paragraph(text(label), HEAD) if label else "" for label in groups],
        [Paragraph(text(label), HEAD) if label else "" for label in parts],
    ]
    for result in statement.results:
        rows.append(
            [Paragraph(text(f"{result.cycle:%m/%Y}"), CELL_LEFT)]
            + [Paragraph(text(value), CELL) for value in _figures(result)]
        )
    total = statement.total
    rows.append(
        [Paragraph(text(_("Total")), CELL_LEFT)] + [Paragraph(text(v), CELL) for v in _figures(total)]
    )
    width = PAGE[0] - 2 * MARGIN
    first = 16 * mm
    table = Table(rows, colWidths=[first] + [(width - first) / 15] * 15, repeatRows=2, hAlign="LEFT")
    spans = [("SPAN", (column, 0), (column, 1)) for column in (0, 1, 2, 7, 12)]
    spans += [("SPAN", (3, 0), (6, 0)), ("SPAN", (8, 0), (11, 0)), ("SPAN", (13, 0), (15, 0))]
    table.setStyle(
        TableStyle(
            [
                *GRID_STYLE,
                *spans,
                ("BACKGROUND", (0, 1), (-1, 1), SHADE),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
            ]
        )
    )
    return table


def _figures(row) -> list[str]:
    """The 15 figures of a cycle (a CycleResult) or of a run of cycles (Totals), formatted for the table."""
    saving = row.parcel_without_gd_brl - row.energy_parcel_brl
    return [
        *(
            _figure(getattr(row, name))
            for name in (
                "consumed_kwh",
                "injected_kwh",
                "compensated_own_kwh",
                "compensated_received_kwh",
                "compensated_lots_kwh",
                "compensated_kwh",
                "received_kwh",
                "credits_created_kwh",
                "credits_used_kwh",
                "credits_expired_kwh",
                "credits_transferred_kwh",
                "balance_kwh",
            )
        ),
        # The column headings say R$: the cells keep to one line.
        _figure(row.energy_parcel_brl),
        _figure(row.parcel_without_gd_brl),
        _figure(saving),
    ]


def _years_table(statement: Statement) -> Table:
    head = [
        _("Year"),
        _("Cycles"),
        _("Consumed"),
        _("Injected"),
        _("Compensated"),
        _("Received"),
        _("Credits created"),
        _("Credits expired"),
        _("Balance at the end"),
        _("Energy parcel with GD (R$)"),
        _("Energy parcel without GD (R$)"),
        _("Saving (R$)"),
    ]
    rows = [[Paragraph(text(label), HEAD) for label in head]]
    for year in statement.years:
        values = [
            str(year.cycles),
            _figure(year.consumed_kwh),
            _figure(year.injected_kwh),
            _figure(year.compensated_kwh),
            _figure(year.received_kwh),
            _figure(year.credits_created_kwh),
            _figure(year.credits_expired_kwh),
            _figure(year.balance_kwh),
            _figure(year.energy_parcel_brl),
            _figure(year.parcel_without_gd_brl),
            _figure(year.saving_brl),
        ]
        rows.append([Paragraph(text(year.label), CELL_LEFT)] + [Paragraph(text(v), CELL) for v in values])
    width = PAGE[0] - 2 * MARGIN
    table = Table(rows, colWidths=[width / 12] * 12, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(GRID_STYLE))
    return table


def _lots_table(statement: Statement) -> Table:
    rows = [
        [
            Paragraph(text(label), HEAD)
            for label in (_("Origin cycle"), _("GD class"), _("Balance (kWh)"), _("Expires on"))
        ]
    ]
    for lot in statement.lots:
        rows.append(
            [
                Paragraph(text(f"{lot.origin_cycle:%m/%Y}"), CELL_LEFT),
                Paragraph(text(lot.gd_class), CELL_LEFT),
                Paragraph(text(_figure(lot.remaining_kwh)), CELL),
                Paragraph(text(lot.expires_on.strftime("%d/%m/%Y")), CELL),
            ]
        )
    rows.append(
        [
            Paragraph(text(_("Total")), CELL_LEFT),
            Paragraph("", CELL),
            Paragraph(text(_figure(statement.balance_kwh)), CELL),
            Paragraph("", CELL),
        ]
    )
    table = Table(rows, colWidths=[30 * mm] * 4, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([*GRID_STYLE, ("BACKGROUND", (0, -1), (-1, -1), SHADE)]))
    return table


def _heading(label: str) -> list:
    return [CondPageBreak(SECTION_MIN_ROOM), Paragraph(text(label), SECTION)]


def _fields(*rows: tuple[str, str]) -> Table:
    label_width = 42 * mm
    table = Table(
        [[Paragraph(text(label), LABEL), Paragraph(text(value), BODY)] for label, value in rows],
        colWidths=[label_width, PAGE[0] - 2 * MARGIN - label_width],
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (0, -1), SHADE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _draw_footer(canvas, header: StatementHeader, page: int, total_pages: int) -> None:
    line = _("Credit statement of installation %(installation)s — GD Portal") % {
        "installation": header.installation
    }
    markup = text(line)
    draw_footer(canvas, markup, page=page, total_pages=total_pages, footer_space=FOOTER_SPACE, page_size=PAGE)
