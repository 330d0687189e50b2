"""The parecer de acesso PDF (SPEC §6.1): read back with pypdf, as the titular's viewer would."""

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest
from django.utils import translation

from parecer.pdf import ParecerSheet, render_parecer_pdf

A4_POINTS = (595.28, 841.89)


def sheet(**changes) -> ParecerSheet:
    base = ParecerSheet(
        protocol="2026000123",
        ns="1234567890",
        holder_name="José da Conceição Araújo",
        holder_document="123.456.789-09",
        installation="3001234567",
        address="Rua São João, 100 — Centro, Belo Horizonte/MG",
        latitude=Decimal("-19.916681"),
        longitude=Decimal("-43.934493"),
        source="Solar fotovoltaica",
        power_kw=Decimal("75.5"),
        modality="Autoconsumo local",
        favourable=True,
        unfavourable_reason="",
        voltage="BT",
        phases="Trifásico",
        connection_point="Alimentador BHTC-07, transformador 123456 (75 kVA)",
        metering="Medidor bidirecional, a cargo da Cemig",
        protection="Disjuntor termomagnético e DPS no padrão de entrada",
        works_needed=True,
        works_description="Troca do transformador 123456 por um de 112,5 kVA",
        works_deadline_days=60,
        financial_participation=Decimal("1234.56"),
        tariff_group="B1 — residencial",
        customer_works="Adequar o padrão de entrada à ND-5.1",
        # 02:30 UTC on the 5th is still the 4th in São Paulo.
        issued_at=dt.datetime(2026, 3, 5, 2, 30, tzinfo=dt.UTC),
        valid_until=dt.date(2026, 7, 2),
        validity_days=120,
        analyst_name="Maria Analista",
        verification_code="ABCD-EFGH-JKMN",
        verify_url="https://gd.example.com/verificar/ABCD-EFGH-JKMN/",
    )
    return dataclasses.replace(base, **changes)


def render(value: ParecerSheet) -> tuple[bytes, pypdf.PdfReader]:
    with translation.override("pt-br"):
        data = render_parecer_pdf(value)
    return data, pypdf.PdfReader(io.BytesIO(data))


def text_of(reader: pypdf.PdfReader) -> str:
    # Table cells wrap lines; the checks below look for phrases, so any run of whitespace counts as one space.
    return " ".join("\n".join(page.extract_text() for page in reader.pages).split())


@pytest.fixture(autouse=True)
def _catalogue_loaded():
    """The tests read Portuguese: without the compiled catalogue they would see the English source strings."""
    with translation.override("pt-br"):
        if translation.gettext("Valid until") == "Valid until":
            pytest.fail("pt-BR catalogue not compiled (manage.py compile_translations)")


def test_a4_pdf_with_identification_validity_and_code():
    data, reader = render(sheet())
    assert data.startswith(b"%PDF-")
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_POINTS, abs=1)
    text = text_of(reader)
    for expected in (
        "Parecer de acesso (orçamento de conexão)",
        "2026000123",
        "1234567890",
        "José da Conceição Araújo",
        "123.456.789-09",
        "3001234567",
        "-19,916681; -43,934493",
        "75,5 kW",
        "Autoconsumo local",
        "Favorável",
        "Alimentador BHTC-07",
        "Medidor bidirecional",
        "Troca do transformador",
        "60 dias",
        "B1 — residencial",
        "Válido até",
        "02/07/2026 (120 dias a partir da emissão)",
        "Maria Analista",
        "04/03/2026",  # the issue date in São Paulo
        "ABCD-EFGH-JKMN",
        "Verifique a autenticidade em https://gd.example.com/verificar/ABCD-EFGH-JKMN/",
        "Aceitar o parecer",
        "Mini/Micro GD > Vistoria",
    ):
        assert expected in text, expected


def test_financial_participation_in_brazilian_reais_with_accents():
    text = text_of(render(sheet())[1])
    assert "Participação financeira" in text
    assert "R$ 1.234,56" in text
    # With a participation, silence is no acceptance; the payment gates the inspection.
    assert "10 dias úteis" not in text and "registrar o pagamento" in text


def test_micro_without_participation_or_works():
    text = text_of(
        render(sheet(financial_participation=Decimal("0"), works_needed=False, works_description=""))[1]
    )
    assert "R$ 0,00" in text
    assert "Não são necessárias obras na rede" in text
    assert "10 dias úteis" in text  # tacit acceptance (REN 1.000 art. 83)


def test_new_unit_without_installation():
    text = text_of(render(sheet(installation=""))[1])
    assert "Unidade nova" in text


def test_unfavourable_gives_the_reason_and_does_not_authorise_building():
    reason = "Capacidade de escoamento do alimentador esgotada no ponto de conexão"
    text = text_of(render(sheet(favourable=False, unfavourable_reason=reason))[1])
    assert reason in text
    assert "Desfavorável" in text
    assert "não autoriza a construção da usina" in text
    assert "Aceitar o parecer" not in text


def test_long_texts_wrap_onto_more_pages_with_the_footer_on_each():
    long_text = ("Trecho do alimentador com recondutoramento e religador. " * 40)[:2000]
    unbroken = "X" * 2000  # no space to break at: the long word is split, not drawn off the page
    _data, reader = render(sheet(connection_point=long_text, customer_works=unbroken, protection=long_text))
    assert len(reader.pages) >= 2
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, 1):
        page_text = " ".join(page.extract_text().split())
        assert "ABCD-EFGH-JKMN" in page_text
        assert f"Página {number} de {total}" in page_text


def test_user_text_is_not_markup_and_odd_letters_do_not_break_the_font():
    text = text_of(render(sheet(holder_name="Łukasz <b>Nowak</b> & Cia", address="Rua A < B"))[1])
    assert "<b>Nowak</b> & Cia" in text
    assert "Rua A < B" in text


def test_metadata_names_the_protocol_and_nothing_personal():
    _data, reader = render(sheet())
    metadata = reader.metadata
    assert "2026000123" in metadata.title
    assert metadata.author == "GD Portal"
    everything = " ".join(str(value) for value in metadata.values())
    for personal in ("Concei", "123.456.789-09", "Maria", "Rua", "3001234567"):
        assert personal not in everything
