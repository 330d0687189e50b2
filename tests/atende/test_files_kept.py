"""A request form that fails keeps its verified files (issue 10, item 4; SPEC §13).

Before: every validation error dropped the identity documents (three for a company) and the customer had to
choose them all again. Now they are held for their owner (gdportal/cases/held.py) and shown as attached.
"""

import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from atende import services
from gdportal.cases import held
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, DocumentVersion, HeldUpload
from tests import factories
from tests.atende.conftest import make_case, request_data
from tests.files import EXE, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


def pdf(name):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def held_files(user):
    """What the storage still holds for the user (held/<user>/<xx>/<key>)."""
    root = f"held/{user.pk}"
    if not default_storage.exists(root):
        return []
    return [
        f"{root}/{sub}/{name}"
        for sub in default_storage.listdir(root)[0]
        for name in default_storage.listdir(f"{root}/{sub}")[1]
    ]


def token_in(response):
    found = re.search(r'name="held_uploads" value="([^"]+)"', response.content.decode())
    return found[1] if found else None


@pytest.fixture
def company(db):
    record = factories.CustomerFactory(document="11222333000181", person_type="PJ", name="Padaria Pão Quente")
    user = factories.UserFactory(customer=record)
    return user, factories.InstallationFactory(customer=record)


def test_a_company_keeps_its_three_documents_across_a_failed_submit(
    client, company, django_capture_on_commit_callbacks
):
    user, inst = company
    client.force_login(user)
    url = reverse("atende:new", args=[inst.number])
    data = request_data(document="11.222.333/0001-81")
    del data["declaration"]  # the error elsewhere in the form
    files = {
        "file_cnpj_card": pdf("cartao-cnpj.pdf"),
        "file_articles": pdf("contrato-social.pdf"),
        "file_representative_id": SimpleUploadedFile("rg-socio.png", png_bytes(), content_type="image/png"),
    }
    failed = client.post(url, {**data, **files})
    html = failed.content.decode()
    assert failed.status_code == 400 and not Case.objects.exists()
    for name in ("cartao-cnpj.pdf", "contrato-social.pdf", "rg-socio.png"):
        assert name in html  # shown as attached …
    assert html.count("Trocar arquivo") == 3  # … each with "replace"
    assert "Anexe este documento" not in html
    assert HeldUpload.objects.filter(owner=user).count() == 3 and len(held_files(user)) == 3

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url, {**request_data(document="11.222.333/0001-81"), "held_uploads": token_in(failed)}
        )
    assert sent.status_code == 302, sent.content.decode()[:3000]
    draft = Case.objects.get()
    names = sorted(DocumentVersion.objects.filter(case=draft).values_list("original_name", flat=True))
    assert names == ["cartao-cnpj.pdf", "contrato-social.pdf", "rg-socio.png"]
    for version in DocumentVersion.objects.all():
        assert version.file.name.startswith(f"cases/{draft.pk}/") and default_storage.exists(
            version.file.name
        )
    assert not HeldUpload.objects.exists()
    assert len(held_files(user)) == 0  # the holding area is clean


def test_a_new_choice_replaces_the_held_file_and_a_refused_one_does_not(
    client, customer, installation, django_capture_on_commit_callbacks
):
    client.force_login(customer)
    url = reverse("atende:new", args=[installation.number])
    broken = request_data(power_kw="12")  # does not fit micro up to 10 kW
    first = client.post(url, {**broken, "file_identity": pdf("rg-antigo.pdf")})
    assert first.status_code == 400 and "rg-antigo.pdf" in first.content.decode()

    # A file that fails the checks is refused at the field; the verified one stays held.
    refused = client.post(
        url, {**broken, "held_uploads": token_in(first), "file_identity": SimpleUploadedFile("rg.pdf", EXE)}
    )
    html = refused.content.decode()
    assert "tipo de arquivo não é aceito" in html and "rg-antigo.pdf" in html
    assert "<details open>" in html  # the replace box is open on its error

    replaced = client.post(
        url, {**broken, "held_uploads": token_in(refused), "file_identity": pdf("rg-novo.pdf")}
    )
    assert "rg-novo.pdf" in replaced.content.decode() and "rg-antigo.pdf" not in replaced.content.decode()
    assert list(HeldUpload.objects.values_list("original_name", flat=True)) == ["rg-novo.pdf"]

    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {**request_data(), "held_uploads": token_in(replaced)})
    assert sent.status_code == 302
    assert DocumentVersion.objects.get().original_name == "rg-novo.pdf"


def test_another_users_token_attaches_nothing(client, customer, installation, outsider):
    client.force_login(customer)
    url = reverse("atende:new", args=[installation.number])
    failed = client.post(url, {**request_data(power_kw="12"), "file_identity": pdf("rg-da-maria.pdf")})
    stolen = token_in(failed)

    stranger_place = factories.InstallationFactory(customer=outsider.customer)
    client.force_login(outsider)
    response = client.post(
        reverse("atende:new", args=[stranger_place.number]), {**request_data(), "held_uploads": stolen}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Anexe este documento" in html and "rg-da-maria.pdf" not in html
    assert not Case.objects.exists()
    assert HeldUpload.objects.get().owner == customer  # Maria's file is still hers, untouched


def test_a_tampered_token_is_ignored(client, customer, installation):
    client.force_login(customer)
    url = reverse("atende:new", args=[installation.number])
    failed = client.post(url, {**request_data(power_kw="12"), "file_identity": pdf("rg.pdf")})
    token = token_in(failed)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.post(url, {**request_data(), "held_uploads": forged})
    assert response.status_code == 400 and "Anexe este documento" in response.content.decode()


def test_the_service_never_attaches_another_users_held_file(customer, installation, outsider):
    other = held.held_keep(by=outsider, uploads=[("identity", pdf("alheio.pdf"))], held={})["identity"]
    draft = make_case(customer, installation, state=CaseState.DRAFT)
    with pytest.raises(PermissionDenied):
        services.case_save_draft(case=draft, by=customer, uploads=[("identity", other)], held=[other])
    assert HeldUpload.objects.get() == other
    assert DocumentVersion.objects.filter(original_name="alheio.pdf").count() == 0


def test_a_failed_edit_of_a_draft_keeps_the_new_file_and_adds_it_as_a_version(
    client, customer, installation, django_capture_on_commit_callbacks
):
    draft = make_case(customer, installation, state=CaseState.DRAFT)  # has rg.pdf already
    client.force_login(customer)
    url = reverse("atende:draft_edit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert "Já anexado" in page and "rg.pdf" in page
    failed = client.post(url, {**request_data(power_kw="12"), "file_identity": pdf("rg-legivel.pdf")})
    assert failed.status_code == 400 and "rg-legivel.pdf" in failed.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(url, {**request_data(), "held_uploads": token_in(failed)})
    assert saved.status_code == 302
    versions = DocumentVersion.objects.filter(case=draft, kind="identity").order_by("id")
    assert [v.original_name for v in versions] == ["rg.pdf", "rg-legivel.pdf"]
    assert not HeldUpload.objects.exists()


def test_held_files_expire_with_the_sweep(customer, django_capture_on_commit_callbacks, settings):
    settings.GD_HELD_UPLOAD_HOURS = 24
    with time_machine.travel("2026-11-10 12:00:00+00:00", tick=False):
        row = held.held_keep(by=customer, uploads=[("identity", pdf("rg.pdf"))], held={})["identity"]
    key = row.file.name
    assert default_storage.exists(key)
    with time_machine.travel("2026-11-11 11:00:00+00:00", tick=False):
        assert held.held_sweep() == 0
    with (
        time_machine.travel("2026-11-11 12:30:00+00:00", tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert held.held_sweep() == 1
        # An expired token names nothing either.
        assert held.held_from_token(customer, held.held_token(customer, {"identity": row})) == {}
    assert not HeldUpload.objects.exists() and not default_storage.exists(key)


def test_the_holding_area_keeps_a_bounded_number_of_files_per_user(
    customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(held.HELD_PER_USER + 5):
            held.held_keep(by=customer, uploads=[("identity", pdf(f"rg-{i}.pdf"))], held={})
    names = set(HeldUpload.objects.filter(owner=customer).values_list("original_name", flat=True))
    assert len(names) == held.HELD_PER_USER and f"rg-{held.HELD_PER_USER + 4}.pdf" in names
    assert "rg-0.pdf" not in names
    assert len(held_files(customer)) == held.HELD_PER_USER  # the released ones' files are gone too


def test_the_registration_says_the_captcha_is_a_new_one(client):
    """Another field's error emptied the CAPTCHA box without a word; now the page says it is a new image."""
    from tests.aprweb.test_registration import FORM

    response = client.post(reverse("aprweb:register"), {**FORM, "email_confirmation": "outra@rt.dev"})
    html = response.content.decode()
    assert response.status_code == 400 and "Digite os caracteres da nova imagem." in html
    fresh = client.get(reverse("aprweb:register")).content.decode()
    assert "Digite os caracteres da nova imagem." not in fresh
