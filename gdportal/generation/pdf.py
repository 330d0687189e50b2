"""The two documents the portal writes from the plant's data (SPEC §16), instead of the RT filling them by
hand: the "Formulário de orçamento de conexão" (the ANEEL request form, REH 3.171/2023 Annex I, its sections
in the form's order) and the list of participating units.

Both take `generation_sheet(case)`'s dict and return PDF bytes; the caller stores them like the parecer
(immutable DocumentVersion with its SHA-256). Same library and look as the parecer (gdportal.pdfstyle):
A4, Helvetica, selectable text, labels through gettext (pt-BR in production). The declarations carry who made
them and when instead of a signature.
"""

import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from gdportal.brformats import datetime_br, number_br
from gdportal.pdfstyle import (
    AUTHOR,
    BODY,
    FIELDS,
    GRID,
    HEADING,
    LABEL,
    MARGIN,
    NOTE,
    SHADE,
    SUBTITLE,
    TITLE,
    draw_footer,
)
from gdportal.pdfstyle import text as _text
from gdportal.pdfstyle import winansi as _winansi

FOOTER_SPACE = 12 * mm
LABEL_WIDTH = 55 * mm
WIDTH = A4[0] - 2 * MARGIN
ROWS = TableStyle(
    [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
RIGHT = ParagraphStyle("right", parent=BODY, alignment=2)


def render_request_form_pdf(sheet: dict) -> bytes:
    """The "Formulário de orçamento de conexão" for the case's current data."""
    title = _("Connection budget request form")
    return _render(sheet, title, lambda: _request_form_story(sheet, title))


def render_units_pdf(sheet: dict) -> bytes:
    """The list of participating units (autoconsumo remoto, geração compartilhada, EMUC) with their shares."""
    title = _("List of participating units")
    return _render(sheet, title, lambda: _units_story(sheet, title))


def _units_story(sheet, title):
    return [
        Paragraph(_text(title), TITLE),
        Paragraph(_text(_("Distributed micro- and minigeneration — compensation system")), SUBTITLE),
        Spacer(1, 3 * mm),
        _heading(_("Generating unit")),
        _fields(
            (_("Protocol"), sheet.get("protocol")),
            (_("Service note (NS)"), sheet.get("ns")),
            (_("Holder"), sheet.get("holder")),
            (_("CPF/CNPJ"), sheet.get("document")),
            (_("Installation"), sheet.get("installation") or _("New unit (no installation yet)")),
            (_("Modality"), sheet.get("modality")),
        ),
        _heading(_("Participating units")),
        *_units(sheet),
    ]


# --- the request form ---------------------------------------------------------------------------------------


def _request_form_story(sheet, title):
    rt = sheet.get("rt") or {}
    totals = sheet.get("totals") or {}
    storage = sheet.get("storage") or {}
    building = sheet.get("building") or {}
    entrance = sheet.get("entrance") or {}
    story = [
        Paragraph(_text(title), TITLE),
        Paragraph(
            _text(_("Distributed micro- and minigeneration — REH ANEEL 3.171/2023, Annex I")), SUBTITLE
        ),
        Spacer(1, 3 * mm),
        _heading(_("1. Identification of the consumer unit")),
        _fields(
            (_("Protocol"), sheet.get("protocol")),
            (_("Service note (NS)"), sheet.get("ns")),
            (_("Holder"), sheet.get("holder")),
            (_("CPF/CNPJ"), sheet.get("document")),
            (_("Installation"), sheet.get("installation") or _("New unit (no installation yet)")),
            (_("Address"), sheet.get("address")),
        ),
        _heading(_("2. Technical manager")),
        _fields(
            (_("Name"), rt.get("name")),
            (_("Professional council"), rt.get("council")),
            (_("Registration number"), rt.get("number")),
        ),
        _heading(_("3. Request")),
        _fields(
            (_("Request type"), sheet.get("request_type")),
            (_("Modality"), sheet.get("modality")),
        ),
        _heading(_("4. Generation data")),
        _fields(
            (_("Generation type"), sheet.get("generation_type")),
            (_("Installed power"), _kw(totals.get("installed_kw"))),
            (_("Modules (kWp)"), _number(totals.get("modules_kwp"), 3)),
            (_("Inverters (kW AC)"), _number(totals.get("inverters_kw"), 3)),
            (_("Arrays' area (m²)"), _number(sheet.get("array_area_m2"), 2)),
        ),
    ]
    modules = sheet.get("modules") or []
    if modules:
        story += [
            _subheading(_("4.1 Photovoltaic modules")),
            _rows(
                [_("Manufacturer"), _("Model"), _("Power (W)"), _("Quantity")],
                [[m["manufacturer"], m["model"], _number(m["power_w"], 1), m["quantity"]] for m in modules],
                [45 * mm, None, 25 * mm, 22 * mm],
            ),
        ]
    inverters = sheet.get("inverters") or []
    if inverters:
        story += [
            _subheading(_("4.2 Inverters")),
            _rows(
                [
                    _("Manufacturer"),
                    _("Model"),
                    _("Power (kW AC)"),
                    _("Quantity"),
                    _("Voltage (V)"),
                    _("INMETRO registration"),
                ],
                [
                    [
                        i["manufacturer"],
                        i["model"],
                        _number(i["power_kw"], 3),
                        i["quantity"],
                        i["voltage_v"],
                        i["inmetro"],
                    ]
                    for i in inverters
                ],
                [30 * mm, None, 22 * mm, 18 * mm, 20 * mm, 30 * mm],
            ),
        ]
    generators = sheet.get("generators") or []
    if generators:
        story += [
            _subheading(_("4.3 Generators")),
            _rows(
                [_("Manufacturer"), _("Model"), _("Power (kVA)"), _("Quantity")],
                [
                    [g["manufacturer"], g["model"], _number(g["power_kva"], 2), g["quantity"]]
                    for g in generators
                ],
                [45 * mm, None, 25 * mm, 22 * mm],
            ),
        ]
    storage_rows = [(_("Has storage"), _yes_no(storage.get("has")))]
    if storage.get("has"):
        storage_rows += [
            (_("Energy (kWh)"), _number(storage.get("kwh"), 2)),
            (_("Power (kW)"), _number(storage.get("kw"), 2)),
            (_("Islanded operation"), _yes_no(storage.get("islanded"))),
        ]
    building_rows = [
        (_("Building type"), building.get("type")),
        (_("Leased roof"), _yes_no(building.get("leased_roof"))),
    ]
    if building.get("leased_roof"):
        building_rows.append((_("Lessor's installation"), building.get("lessor")))
    poles = entrance.get("poles")
    story += [
        _heading(_("5. Energy storage")),
        _fields(*storage_rows),
        _heading(_("6. Building and service entrance")),
        _fields(
            *building_rows,
            (_("Entrance breaker"), f"{entrance['breaker_a']} A" if entrance.get("breaker_a") else ""),
            (_("Breaker poles"), poles or ""),
            (_("Distance to the pole under 30 m"), _yes_no(entrance.get("pole_under_30m"))),
        ),
        _heading(_("7. Participating units")),
        *_units(sheet),
        _heading(_("8. Declarations")),
        *_declarations(sheet),
    ]
    return story


def _units(sheet):
    units = sheet.get("units") or []
    if not units:
        return [
            Paragraph(_text(_("No participating units: the credits stay with the generating unit.")), NOTE)
        ]
    by_priority = any(u.get("priority") is not None for u in units)
    share = _("Priority") if by_priority else _("Percentage (%)")
    rows = [
        [
            u["installation"],
            u.get("holder", ""),
            u["priority"] if by_priority else _number(u.get("percentage"), 2),
        ]
        for u in units
    ]
    story = [_rows([_("Installation"), _("Holder"), share], rows, [35 * mm, None, 35 * mm])]
    if not by_priority:
        total = sum((u.get("percentage") or 0) for u in units)
        story.append(
            Paragraph(
                _text(
                    _("Total allocated: %(total)s %%; the rest stays with the generating unit.")
                    % {"total": _number(total, 2)}
                ),
                NOTE,
            )
        )
    return story


def _declarations(sheet):
    declarations = sheet.get("declarations") or []
    if not declarations:
        return [Paragraph(_text(_("No declaration was made.")), NOTE)]
    rows = []
    for d in declarations:
        if d.get("accepted"):
            made = _("Declared by %(by)s on %(at)s") % {"by": d.get("by") or "—", "at": _moment(d.get("at"))}
        else:
            made = _("Not declared")
        rows.append([d["code"], d["text"], made])
    return [
        _rows([_("Item"), _("Declaration"), _("Who and when")], rows, [14 * mm, None, 52 * mm]),
        Paragraph(
            _text(
                _(
                    "The declarations were made in the portal by the signed-in user named above; they take "
                    "the place of a signature."
                )
            ),
            NOTE,
        ),
    ]


# --- layout -------------------------------------------------------------------------------------------------


def _render(sheet, title, make_story):
    # Two passes so that the footer can say "page N of M": the first one only counts the pages.
    generated_at = timezone.now()
    _data, pages = _build(sheet, title, make_story(), generated_at, 0)
    data, _pages = _build(sheet, title, make_story(), generated_at, pages)
    return data


def _build(sheet, title, story, generated_at, total_pages):
    buffer = io.BytesIO()
    language = (get_language() or "pt-br").split("-")
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_SPACE,
        # The protocol identifies the file; nothing personal goes into the metadata.
        title=f"{_winansi(title)} {_winansi(sheet.get('protocol') or '')}".strip(),
        author=AUTHOR,
        creator=AUTHOR,
        lang="-".join([language[0], *(part.upper() for part in language[1:])]),
    )

    def footer(canvas, document):
        _draw_footer(canvas, sheet, generated_at, document.page, total_pages)

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), doc.page


def _draw_footer(canvas, sheet, generated_at, page, total_pages):
    version = sheet.get("version")
    line = _("Generated by the portal from the data of protocol %(protocol)s on %(at)s") % {
        "protocol": sheet.get("protocol") or "—",
        "at": _moment(generated_at),
    }
    if version:
        line += " " + _("(data version %(version)s)") % {"version": version}
    draw_footer(canvas, _text(line), page=page, total_pages=total_pages, footer_space=FOOTER_SPACE)


def _heading(text):
    return Paragraph(_text(text), HEADING)


def _subheading(text):
    return Paragraph(_text(text), ParagraphStyle("sub", parent=HEADING, fontSize=10, spaceBefore=5))


def _fields(*rows):
    """Label/value rows; a row may split across pages, so a long text cannot break the layout."""
    table = Table(
        [[Paragraph(_text(label), LABEL), Paragraph(_text(_value(value)), BODY)] for label, value in rows],
        colWidths=[LABEL_WIDTH, WIDTH - LABEL_WIDTH],
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(FIELDS)
    return table


def _rows(header, rows, widths):
    """A table with a header row repeated on every page; None in widths takes what the others leave."""
    free = WIDTH - sum(w for w in widths if w)
    widths = [w if w else free for w in widths]
    data = [[Paragraph(_text(h), LABEL) for h in header]]
    data += [[Paragraph(_text(_value(cell)), BODY) for cell in row] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
    table.setStyle(ROWS)
    return table


def _value(value):
    return "" if value is None else str(value)


def _number(value, places):
    return number_br(value, decimal_pos=places) if value not in (None, "") else ""


def _kw(value):
    return f"{number_br(value, decimal_pos=2)} kW" if value not in (None, "") else ""


def _yes_no(value):
    if value is None:
        return ""
    return _("Yes") if value else _("No")


def _moment(value):
    return datetime_br(value) if isinstance(value, datetime) else _value(value)
