"""Stage 2's document checks (aprweb/checks.py, SPEC §14) on PDFs built here: each check flags what it should
and stays silent on a good file; the RT sees the findings in the checklist (polling while they run), the
analyst beside each version; a finding never refuses a file.

The order (tests/aprweb/conftest.py): ART "MG2026001", plan format A3, RT "Paulo Andrade", 8,5 kW requested.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from reportlab.lib.pagesizes import A1, A3, A4, landscape

from aprweb.checks import sheet_name, stated_powers
from gdportal.cases.findings import DocumentFinding
from gdportal.cases.models import DocumentVersion
from tests.aprweb.conftest import attach
from tests.files import scanned_pdf, text_pdf

pytestmark = pytest.mark.django_db

ART_OK = ("ART Obra / Servico No MG2026001", "Profissional: PAULO ANDRADE", "Registro CREA-MG 55555")


@pytest.fixture
def upload(order, rt, django_capture_on_commit_callbacks):
    """Attach a file to the order through the service and run its checks as the commit does."""

    def upload(kind, content, name=None):
        with django_capture_on_commit_callbacks(execute=True):
            version = attach(order, kind, rt, name=name, content=content)
        version.refresh_from_db()
        return version

    return upload


def codes(version):
    return sorted(DocumentFinding.objects.filter(version=version).values_list("code", flat=True))


def message(version, code):
    return DocumentFinding.objects.get(version=version, code=code).message


# --- ART/TRT ---
def test_an_art_with_the_number_and_the_name_has_no_finding(upload):
    assert codes(upload("art", text_pdf(*ART_OK))) == []


def test_the_number_is_found_however_it_is_punctuated(upload):
    art = text_pdf("ART n. MG-2026.001", "Responsavel tecnico: Paulo Andrade")
    assert codes(upload("art", art)) == []


def test_an_art_without_the_typed_number_is_flagged(upload):
    version = upload("art", text_pdf("ART Obra / Servico No MG2099999", "Profissional: Paulo Andrade"))
    assert codes(version) == ["art_number_missing"]
    assert "MG2026001" in message(version, "art_number_missing")
    assert DocumentVersion.objects.filter(pk=version.pk).exists()  # a warning: the file is kept


def test_an_art_of_another_rt_is_flagged(upload):
    version = upload("art", text_pdf("ART No MG2026001", "Profissional: Joana Ribeiro"))
    assert codes(version) == ["art_rt_name_missing"]
    assert "Paulo Andrade" in message(version, "art_rt_name_missing")


def test_the_name_matches_without_accents_and_particles(order, upload):
    registration = order.rt.rt_registration
    registration.name = "Paulo de Andrade Conceição"
    registration.save()
    assert codes(upload("art", text_pdf("ART MG2026001", "PAULO ANDRADE CONCEICAO"))) == []


def test_a_scanned_art_says_only_that_it_is_a_scan(upload):
    """No text to compare: the ART checks stay silent rather than claim the number is missing."""
    assert codes(upload("art", scanned_pdf())) == ["no_text_layer"]


# --- Installed power (memorial, single-line diagram) ---
@pytest.mark.parametrize(
    "line",
    [
        "Potencia instalada: 8,5 kWp",
        "Potencia total do sistema 8.500 Wp",
        "Potência de 8,2 kW (16 módulos de 550 Wp)",  # 3.5 % under: within 5 %
        "Total: 0,0085 MW",
    ],
)
def test_a_memorial_stating_the_power_has_no_finding(upload, line):
    assert codes(upload("generation_memorial", text_pdf("Memorial descritivo da geracao", line))) == []


def test_a_memorial_with_another_power_is_flagged(upload):
    memorial = text_pdf("Memorial descritivo da geracao", "Potencia instalada: 10,2 kWp", "Consumo 350 kWh")
    version = upload("generation_memorial", memorial)
    assert codes(version) == ["power_mismatch"]
    assert "10,2" in message(version, "power_mismatch") and "8,5" in message(version, "power_mismatch")


def test_a_diagram_without_any_power_is_flagged(upload):
    version = upload("basic_single_line", text_pdf("Diagrama unifilar basico", pagesize=landscape(A3)))
    assert codes(version) == ["power_not_stated"]


def test_power_readings():
    assert stated_powers("8,5 kWp; 1.500 W; 75.5 kW; 350 kWh; 100 kVA") == [[8.5], [1.5, 0.0015], [75.5]]


# --- Inverter certificate ---
def test_a_certificate_with_the_inmetro_registration_has_no_finding(upload):
    certificate = text_pdf(
        "Certificado de conformidade", "Inversor XYZ-5K", "Registro INMETRO n. 007351/2022"
    )
    assert codes(upload("inverter_certificate", certificate)) == []


def test_a_certificate_without_it_is_flagged(upload):
    """A date is not a registration number."""
    certificate = text_pdf("Certificado de conformidade", "Inversor XYZ-5K", "Emitido em 01/12/2023")
    assert codes(upload("inverter_certificate", certificate)) == ["inmetro_missing"]


# --- Plan format ---
def test_a_drawing_in_the_order_format_has_no_finding_either_way_up(upload):
    drawing = text_pdf("Diagrama unifilar", "Potencia 8,5 kWp", pagesize=landscape(A3))
    assert codes(upload("basic_single_line", drawing)) == []


def test_a_drawing_in_another_format_is_flagged(upload):
    version = upload("basic_single_line", text_pdf("Diagrama unifilar", "Potencia 8,5 kWp", pagesize=A4))
    assert codes(version) == ["plant_format"]
    assert "A3" in message(version, "plant_format") and "A4" in message(version, "plant_format")


def test_sheet_names():
    assert sheet_name(*A4) == "A4" and sheet_name(*landscape(A1)) == "A1"
    assert sheet_name(612, 792) == "216 × 279 mm"  # US Letter is not A4


# --- Across kinds ---
def test_the_same_file_as_art_and_as_memorial_is_flagged(upload):
    content = text_pdf(*ART_OK, "Potencia instalada 8,5 kWp")
    upload("art", content)
    memorial = upload("generation_memorial", content)
    assert codes(memorial) == ["duplicate_file"]


def test_a_hostile_pdf_is_kept_and_flagged_as_unreadable(upload, settings):
    from tests.files import content_bomb_pdf

    settings.GD_PDF_CPU_SECONDS = 1
    version = upload("generation_memorial", content_bomb_pdf())
    assert codes(version) == ["pdf_unreadable"]


# --- Pages ---
def test_the_rt_sees_the_finding_in_the_checklist_after_an_upload(
    apr_client, order, django_capture_on_commit_callbacks
):
    """The upload answers with the checklist saying "checking"; the line then asks for its findings until
    they are in. (In a real request the task is published once order_upload commits, before the fragment
    is drawn; here the test's transaction holds the commit until the block ends.)"""
    url = reverse("aprweb:order_upload", args=[order.pk, "art"])
    art = SimpleUploadedFile("art.pdf", text_pdf("ART No MG2099999", "Paulo Andrade"))
    with django_capture_on_commit_callbacks(execute=True):
        response = apr_client.post(url, {"file": art}, HTTP_HX_REQUEST="true")
        html = response.content.decode()
        assert response.status_code == 200 and 'data-testid="checks-pending"' in html
    version = DocumentVersion.objects.get(case=order.case, kind="art")
    poll = reverse("aprweb:order_findings", args=[order.pk, version.pk])
    assert f'hx-get="{poll}"' in html
    fragment = apr_client.get(poll, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-code="art_number_missing"' in fragment and "MG2026001" in fragment
    assert "hx-get" not in fragment  # checked: the polling stops
    page = apr_client.get(reverse("aprweb:order", args=[order.pk])).content.decode()
    assert 'data-code="art_number_missing"' in page


def test_the_line_stops_asking_when_the_checks_never_come(apr_client, order, rt):
    """A worker down: past CHECK_WAIT the line no longer polls (the sweep will check it later)."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    version = attach(order, "art", rt)
    poll = reverse("aprweb:order_findings", args=[order.pk, version.pk])
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6)):
        fragment = apr_client.get(poll).content.decode()
    assert "hx-get" not in fragment and "checks-pending" not in fragment


def test_only_the_orders_rt_reads_its_findings(client, order, rt, other_rt):
    from tests import factories

    version = attach(order, "art", rt)
    client.post("/apr/", {"username": other_rt.cpf, "password": "Apr-" + factories.PASSWORD})
    assert client.get(reverse("aprweb:order_findings", args=[order.pk, version.pk])).status_code == 404


def test_a_version_of_another_case_is_not_found(apr_client, order, customer, installation):
    from gdportal.cases.documents import document_store
    from tests.atende.conftest import make_case
    from tests.files import upload

    other = make_case(customer, installation)
    stranger = document_store(case=other, kind="identity", uploaded=upload(), by=other.filed_by)
    response = apr_client.get(reverse("aprweb:order_findings", args=[order.pk, stranger.pk]))
    assert response.status_code == 404


def test_the_analyst_sees_the_findings_as_hints(client, submitted_order, technical_analyst, rt):
    from gdportal.cases.findings import version_check

    case = submitted_order.case
    for version in case.documents.all():
        version_check(version=version)
    client.force_login(technical_analyst)
    html = client.get(reverse("admin:aprweb_technicalqueue_change", args=[case.pk])).content.decode()
    # The conftest's blank PDFs: a scan for every kind, the same bytes under several kinds.
    assert 'class="review-hints"' in html
    assert 'data-code="no_text_layer"' in html and 'data-code="duplicate_file"' in html


# --- Against "Dados técnicos da geração" (SPEC §16): the rows, not one typed number ---
def test_the_memorial_is_compared_with_the_inverters_of_the_data_step(order, upload):
    from tests.factories import fill_generation

    fill_generation(order.case)  # one Growatt MIN 8000TL-X of 8,5 kW
    named = text_pdf("Memorial descritivo", "Potencia instalada: 8,5 kW", "Inversor Growatt MIN-8000TL-X")
    assert codes(upload("generation_memorial", named)) == []

    other = upload(
        "generation_memorial", text_pdf("Memorial", "Potencia 8,5 kW", "Inversor Fronius Primo 8.2")
    )
    assert codes(other) == ["inverter_model_missing"]
    assert "Growatt MIN 8000TL-X" in message(other, "inverter_model_missing")


def test_the_test_report_must_name_the_inverter_too(order, upload):
    from tests.factories import fill_generation

    fill_generation(order.case)
    report = upload(
        "converter_test_report", text_pdf("Relatorio de ensaio", "Equipamento: SMA Sunny Boy 8.0")
    )
    assert "inverter_model_missing" in codes(report)


def test_the_expected_power_is_the_data_steps_total(order, upload):
    """The memorial is measured against the structured total, not the typed request: with rows of 9,5 kW of
    inverters (the RT still has to reconcile them with the 8,5 kW request before sending), a memorial stating
    the request's 8,5 kW is flagged, naming the data's figure, and one stating 9,5 kW is not."""
    from tests.factories import fill_generation

    fill_generation(order.case, power_kw="9.5")
    typed = upload("generation_memorial", text_pdf("Memorial MIN 8000TL-X", "Potencia instalada: 8,5 kWp"))
    assert codes(typed) == ["power_mismatch"]
    assert "9,5" in message(typed, "power_mismatch")
    rows = upload("generation_memorial", text_pdf("Memorial MIN 8000TL-X", "Potencia instalada: 9,5 kWp"))
    assert codes(rows) == []
