"""The access opinion (parecer de acesso / orçamento de conexão) as a PDF, rendered by the server (SPEC §6.1).

The caller gathers a ParecerSheet from the case and stores the bytes like any document (immutable, SHA-256);
this module only lays the sheet out. Every label goes through gettext when the PDF is rendered, so the PDF is
in the active language (pt-BR in production). The text is platypus Paragraphs and Tables, so it stays
selectable and searchable. Only ReportLab's standard Helvetica is used: its WinAnsi encoding covers
Portuguese, and no font file has to ship with the portal or be downloaded.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from gdportal.brformats import money_br, number_br
from gdportal.cases.filing_checks import DISPENSED
from gdportal.pdfstyle import (
    AUTHOR,
    BODY,
    FIELDS,
    HEADING,
    LABEL,
    MARGIN,
    NOTE,
    STEP,
    SUBTITLE,
    TITLE,
    draw_footer,
)
from gdportal.pdfstyle import text as _text
from gdportal.pdfstyle import winansi as _winansi

# The parecer's dates are Minas Gerais dates whatever time zone a request happens to activate.
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
FOOTER_SPACE = 16 * mm
LABEL_WIDTH = 48 * mm


@dataclass(frozen=True)
class ParecerSheet:
    """What the PDF shows, already looked up and translated by the caller (labels, formatted CPF/CNPJ)."""

    protocol: str
    ns: str
    holder_name: str
    holder_document: str  # formatted for display
    installation: str  # "" for a new unit
    address: str
    latitude: Decimal
    longitude: Decimal
    source: str
    power_kw: Decimal
    modality: str
    favourable: bool
    unfavourable_reason: str
    voltage: str  # "BT" / "MT"
    phases: str
    connection_point: str
    metering: str
    protection: str
    works_needed: bool
    works_description: str
    works_deadline_days: int | None
    financial_participation: Decimal  # R$; zero for micro (Lei 14.300 art. 8 §6)
    tariff_group: str
    customer_works: str
    issued_at: datetime  # aware
    valid_until: date
    validity_days: int
    analyst_name: str
    verification_code: str
    verify_url: str  # absolute URL of /verificar/<code>/
    # For flow inversion (SPEC §15): the injection limit (favourable) and the study behind the decision.
    flow_inversion: bool = False
    injection_limit_kw: Decimal | None = None
    study_engineer: str = ""
    study_art: str = ""
    # SPEC §15: the art. 73-A ground ("" when the case went through the flow-inversion analysis).
    flow_dispensation: str = ""
    reasons: str = ""  # an unfavourable opinion's reasons from the catalogue, with their norm references


def render_parecer_pdf(sheet: ParecerSheet) -> bytes:
    """The A4 PDF in the active language; the footer of every page carries the verification code."""
    # Two passes so that the footer can say "page N of M": the first one only counts the pages.
    _data, pages = _build(sheet, total_pages=0)
    data, _pages = _build(sheet, total_pages=pages)
    return data


def _build(sheet: ParecerSheet, total_pages: int) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    language = (get_language() or "pt-br").split("-")
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN + FOOTER_SPACE,
        # Metadata travels with every copy of the file: the protocol identifies it, nothing personal does.
        title=_("Access opinion %(protocol)s") % {"protocol": _winansi(sheet.protocol)},
        subject=_("Access opinion (connection budget)"),
        author=AUTHOR,
        creator=AUTHOR,
        lang="-".join([language[0], *(part.upper() for part in language[1:])]),
    )

    def footer(canvas, document):
        _draw_footer(canvas, sheet, document.page, total_pages)

    doc.build(_story(sheet), onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue(), doc.page


def _story(sheet: ParecerSheet) -> list:
    issued_on = _date(sheet.issued_at.astimezone(SAO_PAULO))
    days = sheet.validity_days
    validity = ngettext("%(date)s (%(days)d day from issue)", "%(date)s (%(days)d days from issue)", days) % {
        "date": _date(sheet.valid_until),
        "days": days,
    }
    validity_note = _(
        "The validity stops counting at the first inspection request and pauses while the utility's grid "
        "works are pending."
    )
    story = [
        Paragraph(_text(_("Access opinion (connection budget)")), TITLE),
        Paragraph(
            _text(_("Distributed micro- and minigeneration — REN ANEEL 1.000/2021, art. 69")), SUBTITLE
        ),
        Spacer(1, 3 * mm),
        _heading(_("1. Identification")),
        _fields(
            (_("Protocol"), sheet.protocol),
            (_("Service note (NS)"), sheet.ns),
            (_("Holder"), sheet.holder_name),
            (_("CPF/CNPJ"), sheet.holder_document),
            (_("Installation"), sheet.installation or _("New unit (no installation yet)")),
            (_("Address"), sheet.address),
            (_("Coordinates"), _coordinates(sheet.latitude, sheet.longitude)),
            (_("Generation source"), sheet.source),
            (_("Installed power"), f"{number_br(sheet.power_kw)} kW"),
            (_("Modality"), sheet.modality),
            *(
                [(_("Flow-inversion analysis"), f"{DISPENSED}: {sheet.flow_dispensation}")]
                if sheet.flow_dispensation
                else []
            ),
        ),
        _heading(_("2. Decision")),
    ]
    if sheet.favourable:
        decision = _(
            "Favourable: the connection is feasible under the conditions below, and this opinion authorises "
            "building the plant."
        )
        story.append(_fields((_("Opinion"), decision)))
        if sheet.injection_limit_kw is not None:
            story.append(
                _fields(
                    (
                        _("Injection limit"),
                        _(
                            "%(kw)s kW: the plant may not inject more than this into the grid "
                            "(flow inversion)."
                        )
                        % {"kw": number_br(sheet.injection_limit_kw)},
                    )
                )
            )
    else:
        story.append(
            _fields(
                (_("Opinion"), _("Unfavourable: this opinion does not authorise building the plant.")),
                (_("Reasons"), sheet.reasons),
                (_("Reason"), sheet.unfavourable_reason),
            )
        )
    if sheet.flow_inversion and sheet.study_art:
        story.append(
            _fields(
                (
                    _("Flow-inversion study"),
                    _("Engineer %(engineer)s, ART %(art)s; available on the request's page in Atende.")
                    % {"engineer": sheet.study_engineer, "art": sheet.study_art},
                )
            )
        )
    works = [
        (_("Grid works"), _("Grid works are needed") if sheet.works_needed else _("No grid works are needed"))
    ]
    if sheet.works_needed:
        days = sheet.works_deadline_days
        deadline = "" if days is None else ngettext("%(days)d day", "%(days)d days", days) % {"days": days}
        works += [(_("Works to be done"), sheet.works_description), (_("Works deadline"), deadline)]
    story += [
        _heading(_("3. Connection")),
        _fields(
            (_("Voltage"), sheet.voltage),
            (_("Phases"), sheet.phases),
            (_("Connection point"), sheet.connection_point),
            (_("Metering (bidirectional meter)"), sheet.metering),
            (_("Protection"), sheet.protection),
        ),
        _heading(_("4. Grid works and financial participation")),
        _fields(*works, (_("Financial participation"), money_br(sheet.financial_participation))),
        _heading(_("5. Consumer unit")),
        _fields(
            (_("Tariff group"), sheet.tariff_group),
            (_("Works in the customer's installation"), sheet.customer_works),
        ),
        _heading(_("6. Validity")),
        _fields((_("Valid until"), validity)),
        Paragraph(_text(validity_note), NOTE),
        _heading(_("7. How to proceed")),
        *_steps(sheet),
        _heading(_("8. Issue")),
        _fields((_("Technical analyst"), sheet.analyst_name), (_("Issued on"), issued_on)),
    ]
    return story


def _steps(sheet: ParecerSheet) -> list:
    """What the titular does next (REN 1.000 art. 83; SPEC §6.1 and §6.3)."""
    if not sheet.favourable:
        steps = [
            _(
                "An unfavourable opinion cannot be accepted and closes this request. A new connection "
                "needs a new access request that addresses the reason above."
            )
        ]
    else:
        steps = [_("Accept this opinion in Atende with “Accept the opinion”, before it expires.")]
        if sheet.financial_participation:
            steps.append(
                _(
                    "The inspection can be scheduled only after Cemig records the payment of the financial "
                    "participation (%(amount)s)."
                )
                % {"amount": money_br(sheet.financial_participation)}
            )
        else:
            steps.append(
                _(
                    "There is no financial participation: if you do not answer within 10 business days of "
                    "its issue, silence counts as acceptance."
                )
            )
        if sheet.works_needed:
            steps.append(_("The inspection can be requested only after Cemig finishes the grid works above."))
        steps.append(
            _(
                "Then request the inspection in Atende > Mini/Micro GD > Inspection; this opinion is "
                "attached for you."
            )
        )
    return [Paragraph(_text(step), STEP, bulletText=f"{number}.") for number, step in enumerate(steps, 1)]


def _draw_footer(canvas, sheet: ParecerSheet, page: int, total_pages: int) -> None:
    lines = [
        _("Verification code: %(code)s") % {"code": sheet.verification_code},
        _("Verify its authenticity at %(url)s") % {"url": sheet.verify_url},
    ]
    markup = "<br/>".join(_text(line) for line in lines)
    draw_footer(canvas, markup, page=page, total_pages=total_pages, footer_space=FOOTER_SPACE)


def _heading(text: str) -> Paragraph:
    return Paragraph(_text(text), HEADING)


def _fields(*rows: tuple[str, str]) -> Table:
    """Label/value rows; a row may split across pages, so a 2,000-character text cannot break the layout."""
    table = Table(
        [[Paragraph(_text(label), LABEL), Paragraph(_text(value), BODY)] for label, value in rows],
        colWidths=[LABEL_WIDTH, A4[0] - 2 * MARGIN - LABEL_WIDTH],
        splitInRow=1,
        hAlign="LEFT",
    )
    table.setStyle(FIELDS)
    return table


def _date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _coordinates(latitude: Decimal, longitude: Decimal) -> str:
    # A semicolon between them: the decimal comma would make "-19,9, -43,9" ambiguous.
    return f"{number_br(latitude, decimal_pos=6)}; {number_br(longitude, decimal_pos=6)}"
