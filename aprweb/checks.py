"""Stage 2's document checks (SPEC §14): what the technical analysts reject most, read from the file itself.

Each compares a document with what the order or the request says — the ART number and the RT's name, the
installed power and the equipment of "Dados técnicos da geração" (SPEC §16: the rows, not one typed number),
the INMETRO registration, the plan format — and is registered with the kernel's checks
(gdportal/cases/findings.py) from AprwebConfig.ready(). They read the text of the first pages only; a scan
has none, and then only the "no text layer" finding speaks. Every finding is a warning, never a refusal, so
each check errs on the side of silence: any figure within the tolerance, any page in the format, is enough.
"""

import re

from django.utils.translation import gettext_lazy as _

from gdportal.brformats import number_br
from gdportal.cases.checks import compact, normalize, pdf_text_layer
from gdportal.cases.findings import Finding, register_check
from gdportal.generation.models import GenerationData
from gdportal.generation.rules import data_totals

from .documents import KINDS
from .selectors import current_order

POWER_TOLERANCE = 0.05
# ISO 216 sheets in millimetres (short side, long side); a page matches within 3 % each side, either way up.
SHEETS = {"A0": (841, 1189), "A1": (594, 841), "A2": (420, 594), "A3": (297, 420), "A4": (210, 297)}
SHEET_TOLERANCE = 0.03
POINTS_PER_MM = 72 / 25.4

# A scan is expected for papers a third party signs (a deed, a contract, a bank's guarantee); for the
# documents the RT's own programs produce it is a problem.
SIGNED_PAPERS = {"property_proof", "solidarity_instrument", "collective_roof", "guarantee_proof"}
TEXT_KINDS = [kind for kind, _label in KINDS if kind not in SIGNED_PAPERS]
POWER_KINDS = ["generation_memorial", "connection_project", "basic_single_line", "single_line_blocks"]
DRAWING_KINDS = ["connection_project", "basic_single_line", "single_line_blocks"]
# Where the inverters of the data step must be named: the memorial, the single-line diagrams, the test report.
EQUIPMENT_KINDS = ["generation_memorial", "basic_single_line", "single_line_blocks", "converter_test_report"]

# A number and a power unit: "75,5 kWp", "8.500 Wp", "0,075 MW". Not kWh (energy) nor kVA (apparent power).
POWER = re.compile(r"(?<![\d.,])(\d+(?:[.,]\d+)*)\s*(k|m)?w(?:p)?\b")
UNIT_KW = {"k": 1.0, "m": 1000.0, "": 0.001}
# "Registro INMETRO nº 007351/2022", "Registro: 0123/2023": 4 to 6 digits (maybe "007.351"), a slash, a year.
INMETRO_NUMBER = re.compile(r"(?<![\d/.])(?:\d{1,3}\.)?\d{3,6}\s?/\s?(?:19|20)\d{2}(?![\d/])")
NAME_PARTICLES = {"da", "das", "de", "di", "do", "dos", "du", "e"}


def _order(version):
    """The order the version belongs to (the case's current one), read once per version."""
    if not hasattr(version, "_apr_order"):
        version._apr_order = current_order(version.case)
    return version._apr_order


def _generation(version):
    """The case's "Dados técnicos da geração" (SPEC §16), or None for a case filed before the step existed."""
    if not hasattr(version, "_generation"):
        version._generation = (
            GenerationData.objects.filter(case_id=version.case_id).prefetch_related("inverters").first()
        )
    return version._generation


def _readable(pdf):
    return pdf is not None and pdf.has_text


# --- ART/TRT ---
def rt_name(rt):
    registration = getattr(rt, "rt_registration", None)
    return registration.name if registration else rt.get_full_name()


def mentions_name(text, name):
    """Every word of the name (but "da", "dos"…) appears in the text, in any case, with or without accents."""
    words = set(re.findall(r"[a-z0-9]+", normalize(text)))
    wanted = [word for word in re.findall(r"[a-z0-9]+", normalize(name)) if word not in NAME_PARTICLES]
    return bool(wanted) and all(word in words for word in wanted)


def art_mentions_order(version, pdf):
    """The ART/TRT is this project's: it carries the ART number typed in the order and the RT's name."""
    order = _order(version)
    if order is None or not _readable(pdf):
        return
    number = compact(order.art_number)
    if number and number not in compact(pdf.text):
        yield Finding(
            "art_number_missing",
            _("the ART number typed in the order (%(number)s) does not appear in the file")
            % {"number": order.art_number},
        )
    name = rt_name(order.rt)
    if name and not mentions_name(pdf.text, name):
        yield Finding(
            "art_rt_name_missing",
            _("the name of the RT (%(name)s) does not appear in the file") % {"name": name},
        )


# --- Installed power ---
def _readings(number):
    """What a written number may mean, the Brazilian reading first: '1.500' → [1500, 1.5], '75,5' → [75.5],
    '1.234,5' → [1234.5], '1,234.5' → [1234.5]."""
    if "," in number and "." in number:
        decimal = max(number.rfind(","), number.rfind("."))
        whole = re.sub(r"[.,]", "", number[:decimal])
        return [float(f"{whole}.{number[decimal + 1 :]}")]
    for separator in ",.":
        if separator in number:
            parts = number.split(separator)
            readings = []
            thousands = all(len(part) == 3 for part in parts[1:])
            if thousands and separator == ".":
                readings.append(float("".join(parts)))
            if len(parts) == 2:
                readings.append(float(f"{parts[0]}.{parts[1]}"))
            if thousands and separator == ",":
                readings.append(float("".join(parts)))
            return readings
    return [float(number)]


def stated_powers(text):
    """[[kW readings]] of every power written in the text, in order."""
    return [
        [value * UNIT_KW[unit] for value in _readings(number)]
        for number, unit in POWER.findall(normalize(text))
    ]


def _expected_power(version):
    """(kW, whose figure) the documents must state: the structured total of the data step when there is one
    (SPEC §16: the memorial is compared with the rows), else the request's typed power."""
    data = _generation(version)
    if data is not None:
        installed = data_totals(data)["installed_kw"]
        if installed:
            return float(installed), _("in the generation data")
    return float(version.case.power_kw), _("in the request")


def installed_power(version, pdf):
    """The memorial or diagram states the installed power, within 5 %."""
    if not _readable(pdf):
        return
    requested, whose = _expected_power(version)
    stated = stated_powers(pdf.text)
    if any(
        abs(value - requested) <= POWER_TOLERANCE * requested for readings in stated for value in readings
    ):
        return
    if not stated:
        yield Finding(
            "power_not_stated",
            _("no installed power in kW was found in the file (the power given %(whose)s is %(power)s kW)")
            % {"whose": whose, "power": number_br(requested)},
        )
        return
    found = list(dict.fromkeys(number_br(round(readings[0], 3)) for readings in stated))
    yield Finding(
        "power_mismatch",
        _(
            "no power stated in the file (%(found)s kW) is within 5%% of the power given %(whose)s "
            "(%(power)s kW)"
        )
        % {
            "found": "; ".join(found[:3]) + ("…" if len(found) > 3 else ""),
            "whose": whose,
            "power": number_br(requested),
        },
    )


# --- Equipment of the data step ---
def inverters_named(version, pdf):
    """Every inverter model of the data step is named in the memorial, the diagrams and the test report: a
    document drawn for another plant (or another inverter) is what analysts refuse when they re-read them."""
    data = _generation(version)
    if data is None or not _readable(pdf):
        return
    text = compact(pdf.text)
    missing = [
        f"{row.manufacturer} {row.model}".strip()
        for row in data.inverters.all()
        if compact(row.model) and compact(row.model) not in text
    ]
    if missing:
        yield Finding(
            "inverter_model_missing",
            _("the inverter model(s) of the generation data do not appear in the file: %(models)s")
            % {"models": "; ".join(dict.fromkeys(missing))},
        )


# --- Inverter certificate ---
def inmetro_registration(version, pdf):
    """The inverter's certificate carries an INMETRO registration number."""
    if not _readable(pdf):
        return
    text = normalize(pdf.text)
    if not (INMETRO_NUMBER.search(text) and ("inmetro" in text or "registro" in text)):
        yield Finding(
            "inmetro_missing",
            _("no INMETRO registration number (such as 001234/2023) was found in the certificate"),
        )


# --- Plan format ---
def sheet_name(width, height):
    """'A3' for a page of A3 (either way up, 3 % either side), else its size in millimetres."""
    short, long = sorted((width / POINTS_PER_MM, height / POINTS_PER_MM))
    for name, (sheet_short, sheet_long) in SHEETS.items():
        if abs(short - sheet_short) <= SHEET_TOLERANCE * sheet_short and (
            abs(long - sheet_long) <= SHEET_TOLERANCE * sheet_long
        ):
            return name
    return f"{short:.0f} × {long:.0f} mm"


def plant_format(version, pdf):
    """A project drawing has at least one page in the order's "Formato da planta" (a memorial bound with the
    drawings keeps its A4 pages)."""
    order = _order(version)
    if order is None or not order.plant_format or pdf is None or not pdf.sizes:
        return
    names = list(dict.fromkeys(sheet_name(width, height) for width, height in pdf.sizes))
    if order.plant_format not in names:
        yield Finding(
            "plant_format",
            _("no page is in the order's plan format (%(format)s): the pages are %(sizes)s")
            % {"format": order.plant_format, "sizes": ", ".join(names[:4]) + ("…" if len(names) > 4 else "")},
        )


def register():
    register_check("aprweb.text_layer", pdf_text_layer, kinds=TEXT_KINDS, reads_pdf=True)
    register_check("aprweb.art", art_mentions_order, kinds=["art"], reads_pdf=True)
    register_check("aprweb.power", installed_power, kinds=POWER_KINDS, reads_pdf=True)
    register_check("aprweb.inverters", inverters_named, kinds=EQUIPMENT_KINDS, reads_pdf=True)
    register_check("aprweb.inmetro", inmetro_registration, kinds=["inverter_certificate"], reads_pdf=True)
    register_check("aprweb.plant_format", plant_format, kinds=DRAWING_KINDS, reads_pdf=True)
