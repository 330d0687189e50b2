"""The request form and the units list written by the portal (SPEC §16): stored like the parecer (immutable,
SHA-256) at the order's submission, a new version when the data change, and no longer uploads of §5.3."""

import hashlib
import io

import pypdf
import pytest
from django.utils import translation

from aprweb.documents import required_kinds
from aprweb.services_orders import order_submit
from gdportal.generation.documents import (
    GENERATED_FORM,
    GENERATED_UNITS,
    generated_documents,
    generated_documents_refresh,
)
from tests import factories
from tests.aprweb.conftest import attach_all, build_order
from tests.generation.plant import INVERTERS, plant_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(customer, installation, rt):
    from tests.atende.conftest import make_case

    factories.RTRegistrationFactory(
        name="Paulo Andrade", cpf=rt.cpf, email=rt.email, status="approved", user=rt
    )
    return build_order(make_case(customer, installation, state="awaiting_technical"), rt)


def text_of(version):
    with version.file.open("rb") as handle:
        data = handle.read()
    reader = pypdf.PdfReader(io.BytesIO(data))
    return data, "\n".join(page.extract_text() for page in reader.pages)


def test_an_order_with_the_data_step_uploads_neither_the_form_nor_the_units_list(order, rt):
    case = order.case
    case.modality = "remote"
    assert {"access_form", "compensation_list"} <= set(required_kinds(case, order))
    plant_data(case, rt)
    kinds = required_kinds(case, order)
    assert "access_form" not in kinds and "compensation_list" not in kinds
    # The ANEEL registration data sheet stays an upload.
    assert "aneel_registration" in kinds


def test_submitting_the_order_stores_the_generated_form_with_its_hash(order, rt):
    case = order.case
    plant_data(case, rt, declarations=("8.1", "8.4", "8.6"))
    attach_all(order, rt)
    order_submit(order=order, by=rt)

    (form,) = case.documents.filter(kind=GENERATED_FORM)
    data, text = text_of(form)
    assert form.sha256 == hashlib.sha256(data).hexdigest() and form.size == len(data)
    assert form.original_name == f"formulario-orcamento-conexao-{case.protocol}-v1.pdf"
    assert case.protocol in text
    assert "MIN 5000TL-X" in text and "Primo 3.5-1" in text
    assert "8.1" in text and "8.4" in text and "8.6" in text
    # Local self-consumption has no list of participating units.
    assert not case.documents.filter(kind=GENERATED_UNITS).exists()
    assert generated_documents(case) == [form]


def test_a_changed_row_makes_a_new_version_and_the_old_one_stays(
    customer, installation, rt, django_capture_on_commit_callbacks
):
    from tests.atende.conftest import make_case

    case = make_case(customer, installation, modality="remote")
    other = factories.InstallationFactory(customer=installation.customer)
    data = plant_data(case, rt, units=[(other.number, "40")])
    first = generated_documents_refresh(case=case, by=rt)
    assert sorted(v.kind for v in first) == sorted([GENERATED_FORM, GENERATED_UNITS])
    # The same data again: nothing new.
    assert generated_documents_refresh(case=case, by=rt) == []

    # The RT changes one inverter row on the step: the new version is rendered when the save commits.
    changed = [dict(row) for row in INVERTERS]
    changed[1]["model"] = "Primo 4.0-1"
    with django_capture_on_commit_callbacks(execute=True):
        plant_data(case, rt, units=[(other.number, "40")], inverters=changed)
    data.refresh_from_db()
    assert data.version == 2
    versions = case.documents.filter(kind=GENERATED_FORM).order_by("uploaded_at", "id")
    assert [v.original_name[-6:] for v in versions] == ["v1.pdf", "v2.pdf"]
    _data, old_text = text_of(versions[0])
    _data, new_text = text_of(versions[1])
    assert "Primo 3.5-1" in old_text and "Primo 4.0-1" in new_text and "Primo 3.5-1" not in new_text
    _data, units_text = text_of(case.documents.filter(kind=GENERATED_UNITS).latest("uploaded_at"))
    assert other.number in units_text and "40,00" in units_text


def test_the_generated_documents_are_in_portuguese_whatever_the_request_language(order, rt):
    plant_data(order.case, rt)
    with translation.override("en"):
        (form,) = generated_documents_refresh(case=order.case, by=rt)
    _data, text = text_of(form)
    assert "Protocolo" in text and "Protocol\n" not in text


def test_the_analyst_reads_the_generated_form_and_the_inmetro_hints_beside_the_data(
    client, order, rt, technical_analyst, tmp_path
):
    from django.core.management import call_command
    from django.urls import reverse

    csv = tmp_path / "inverters.csv"
    csv.write_text(
        "fabricante;modelo;potencia_kw;registro_inmetro;valido_ate\nGrowatt;MIN 5000TL-X;5;009999/2022;\n",
        encoding="utf-8",
    )
    call_command("import_inverters", str(csv), stdout=io.StringIO())
    plant_data(order.case, rt)
    attach_all(order, rt)
    order_submit(order=order, by=rt)
    client.force_login(technical_analyst)
    with translation.override("en"):
        html = client.get(
            reverse("admin:aprweb_technicalqueue_change", args=[order.case.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    (form,) = generated_documents(order.case)
    assert form.original_name in html
    hints = html.split('data-testid="inverter-hints"')[1]
    assert "004512/2022 differs from the table" in hints and "Fronius Primo 3.5-1 is not in" in hints


def test_the_rt_finds_the_generated_form_and_the_inmetro_warnings_on_the_order(client, order, rt):
    from django.urls import reverse

    from gdportal.registry.models import InverterCertificate

    InverterCertificate.objects.create(
        manufacturer="Growatt", model="MIN 5000TL-X", power_kw=5, registration="004512/2022"
    )
    plant_data(order.case, rt)
    attach_all(order, rt)
    order_submit(order=order, by=rt)
    assert (
        client.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD}).status_code == 302
    )
    with translation.override("en"):
        html = client.get(
            reverse("aprweb:order", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    (form,) = generated_documents(order.case)
    assert form.original_name in html
    warnings = html.split('data-testid="inverter-warnings"')[1].split("</div>")[0]
    # The Growatt is in the table with the number typed; only the Fronius is unknown.
    assert "Fronius Primo 3.5-1 is not in" in warnings and "Growatt" not in warnings
    # The document opens for the RT.
    assert client.get(reverse("atende:document", args=[form.pk])).status_code == 200
