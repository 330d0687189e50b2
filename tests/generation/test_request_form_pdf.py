"""The generated request form and units list (SPEC §16), read back with pypdf as the analyst would."""

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest
from django.utils import translation

from gdportal.generation.pdf import render_request_form_pdf, render_units_pdf

A4_POINTS = (595.28, 841.89)
AT = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)


def sheet(**changes):
    base = {
        "protocol": "2026000000123",
        "ns": "1234567890",
        "holder": "José da Conceição Araújo",
        "document": "529.982.247-25",
        "installation": "3001234567",
        "address": "Rua São João, 100 — Centro, Belo Horizonte/MG",
        "rt": {"name": "Ana Engenheira", "council": "CREA-MG", "number": "MG-123456/D"},
        "request_type": "Conexão de GD em UC existente SEM aumento de potência disponibilizada",
        "modality": "Autoconsumo remoto",
        "generation_type": "Com inversor",
        "modules": [
            {"manufacturer": "Jinko", "model": "Tiger Neo 550", "power_w": Decimal("550"), "quantity": 18},
        ],
        "array_area_m2": Decimal("46.5"),
        "inverters": [
            {
                "manufacturer": "Growatt",
                "model": "MIN 5000TL-X",
                "power_kw": Decimal("5"),
                "quantity": 1,
                "voltage_v": 220,
                "inmetro": "004512/2022",
            },
            {
                "manufacturer": "Fronius",
                "model": "Primo 3.0-1",
                "power_kw": Decimal("3"),
                "quantity": 1,
                "voltage_v": 220,
                "inmetro": "002870/2022",
            },
        ],
        "generators": [],
        "storage": {"has": False, "kwh": None, "kw": None, "islanded": False},
        "building": {"type": "Individual", "leased_roof": False, "lessor": ""},
        "entrance": {"breaker_a": 63, "poles": 2, "pole_under_30m": True},
        "units": [
            {"installation": "3009876543", "holder": "José Araújo", "percentage": Decimal("60"),
             "priority": None},
            {"installation": "3005555555", "holder": "José Araújo", "percentage": Decimal("25.5"),
             "priority": None},
        ],
        "declarations": [
            {"code": "8.1", "text": "Padrão de entrada pronto e usina instalada", "accepted": True,
             "by": "Ana Engenheira", "at": AT},
            {"code": "8.4", "text": "Conformidade com as normas", "accepted": True, "by": "Ana Engenheira",
             "at": AT},
            {"code": "8.6", "text": "Veracidade das informações", "accepted": True, "by": "Ana Engenheira",
             "at": AT},
        ],
        "totals": {
            "modules_kwp": Decimal("9.9"),
            "inverters_kw": Decimal("8"),
            "generators_kva": Decimal("0"),
            "installed_kw": Decimal("8"),
        },
        "version": 2,
    }  # fmt: skip
    base.update(changes)
    return base


def read(data):
    reader = pypdf.PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(autouse=True)
def portuguese():
    with translation.override("pt-br"):
        yield


def test_the_request_form_carries_protocol_equipment_and_declarations_with_who_and_when():
    reader, text = read(render_request_form_pdf(sheet()))
    assert tuple(round(float(v), 2) for v in reader.pages[0].mediabox.upper_right) == A4_POINTS
    assert "2026000000123" in text
    assert "José da Conceição Araújo" in text
    assert "CREA-MG" in text and "MG-123456/D" in text
    for model in ("MIN 5000TL-X", "Primo 3.0-1", "Tiger Neo 550"):
        assert model in text
    assert "004512/2022" in text
    assert "8,00 kW" in text  # installed power from the inverters, decimal comma
    for code, words in (("8.1", "Padrão de entrada pronto"), ("8.4", "normas"), ("8.6", "Veracidade")):
        assert code in text and words in text
    # Who and when instead of a signature, in São Paulo time.
    assert text.count("Ana Engenheira") >= 4
    assert "30/11/2026 11:05" in text


def test_the_sections_follow_the_form_order():
    _reader, text = read(render_request_form_pdf(sheet()))
    positions = [text.index(f"{n}. ") for n in range(1, 9)]
    assert positions == sorted(positions)
    assert text.index("MIN 5000TL-X") < text.index("3009876543") < text.index("Padrão de entrada pronto")


def test_a_long_equipment_list_flows_onto_more_pages_with_every_row():
    inverters = [
        {"manufacturer": "Sungrow", "model": f"SG{n}CX", "power_kw": Decimal("110"), "quantity": 1,
         "voltage_v": 380, "inmetro": f"{n:06d}/2022"}
        for n in range(60)
    ]  # fmt: skip
    reader, text = read(render_request_form_pdf(sheet(inverters=inverters)))
    assert len(reader.pages) >= 2
    assert all(f"SG{n}CX" in text for n in range(60))


def test_a_declaration_not_made_says_so():
    declarations = [
        {"code": "8.2", "text": "Renúncia ao direito de desistência", "accepted": False, "by": "", "at": None}
    ]
    _reader, text = read(render_request_form_pdf(sheet(declarations=declarations)))
    assert "Renúncia ao direito de desistência" in text


def test_the_units_list_names_each_unit_and_its_share():
    _reader, text = read(render_units_pdf(sheet()))
    assert "2026000000123" in text
    assert "3009876543" in text and "60,00" in text
    assert "3005555555" in text and "25,50" in text
    assert "85,50" in text  # the total; the rest stays with the generator


def test_the_units_list_by_priority_shows_the_order():
    units = [
        {"installation": "3009876543", "holder": "A", "percentage": None, "priority": 1},
        {"installation": "3005555555", "holder": "B", "percentage": None, "priority": 2},
    ]
    _reader, text = read(render_units_pdf(sheet(units=units)))
    assert "Prioridade" in text or "Priority" in text
    assert text.index("3009876543") < text.index("3005555555")
