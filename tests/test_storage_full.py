"""The disk fills up (or the bucket stops answering) while a customer sends a file (issue 15, a fault).

What is faked is the storage, not our logic: a FileSystemStorage whose write fails as a full disk's does
(OSError ENOSPC), set as the default storage the way production chooses one (settings.STORAGES). The
customer must read, in Portuguese, that the failure is ours and what to do; the case must be exactly as
before; and once the disk has room again the same form goes through.
"""

import errno

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, DocumentVersion, HeldUpload
from tests.atende.conftest import request_data
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db
MESSAGE = "Não foi possível guardar o arquivo agora: o problema é do nosso lado, não do seu arquivo."


class FullDisk(FileSystemStorage):
    """The storage as it behaves on a full disk: every write fails with ENOSPC, reads still work."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device", name)


@pytest.fixture
def disk_full(settings, tmp_path):
    def fill(full=True):
        backend = f"{__name__}.FullDisk" if full else "django.core.files.storage.FileSystemStorage"
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": backend,
                "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
            },
        }

    fill()
    return fill


def identity():
    return SimpleUploadedFile("rg-cpf.pdf", pdf_bytes(), content_type="application/pdf")


def stored_files(tmp_path):
    return [p for p in (tmp_path / "media").rglob("*") if p.is_file()]


def test_a_new_request_on_a_full_disk_tells_the_customer_and_saves_nothing(
    client, customer, installation, disk_full, tmp_path, caplog
):
    client.force_login(customer)
    url = reverse("atende:new", args=[installation.number])
    data = request_data(document=installation.customer.document_display)
    response = client.post(url, {**data, "file_identity": identity()})
    assert response.status_code == 503
    html = response.content.decode()
    assert MESSAGE in html and "Portal error" not in html and "Erro no portal" not in html
    assert 'value="Rua da Bahia"' in html  # what was typed comes back with the message
    assert not Case.objects.exists() and not DocumentVersion.objects.exists()
    assert not HeldUpload.objects.exists() and stored_files(tmp_path) == []
    assert any("No space left on device" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")

    disk_full(False)  # room again: the same form goes through
    sent = client.post(url, {**data, "file_identity": identity()})
    assert sent.status_code == 302
    assert Case.objects.get().state == CaseState.DRAFT and DocumentVersion.objects.count() == 1


def test_a_draft_edited_on_a_full_disk_is_left_as_it_was(client, customer, installation, disk_full, tmp_path):
    disk_full(False)
    client.force_login(customer)
    data = request_data(document=installation.customer.document_display)
    client.post(reverse("atende:new", args=[installation.number]), {**data, "file_identity": identity()})
    draft = Case.objects.get()
    before = list(DocumentVersion.objects.values_list("pk", "sha256", "file"))
    files_before = stored_files(tmp_path)

    disk_full()
    edit = reverse("atende:draft_edit", args=[draft.pk])
    response = client.post(edit, {**data, "power_kw": "9,5", "file_identity": identity()})
    assert response.status_code == 503 and MESSAGE in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == CaseState.DRAFT and str(draft.power_kw) == "8.50"  # the new power was not kept
    assert list(DocumentVersion.objects.values_list("pk", "sha256", "file")) == before
    assert stored_files(tmp_path) == files_before


def test_a_file_sent_through_the_api_on_a_full_disk_is_a_503_to_retry(customer, installation, disk_full):
    from tests.api.conftest import token_client
    from tests.api.test_atende import REQUEST

    api = token_client(customer)
    disk_full(False)
    draft = api.post(
        "/api/v1/access-requests/", {**REQUEST, "installation": installation.number}, format="json"
    )
    assert draft.status_code == 201, draft.json()
    disk_full()
    upload = f"/api/v1/access-requests/{draft.json()['id']}/documents/"
    answer = api.post(upload, {"kind": "identity", "file": identity()}, format="multipart")
    assert answer.status_code == 503 and answer["Retry-After"] == "120"
    assert answer.json()["detail"].startswith(MESSAGE) and answer.json()["type"].endswith("/storage")
    assert not DocumentVersion.objects.exists()
