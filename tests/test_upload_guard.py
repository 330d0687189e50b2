"""Request bodies are refused by their headers, before anything reads them (security test, item 14).

A multipart POST used to be parsed — every file part over 1 MB spooled to the temporary directory — on any
URL, anonymously, before the CSRF check (CsrfViewMiddleware reads request.POST).
"""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import FakePayload
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from aprweb import api_urls as aprweb_api_urls
from aprweb import views as apr_views
from atende import api_urls as atende_api_urls
from atende import views_bulk, views_request
from compensation import views_allocation
from gdportal.cases.choices import CaseState, DocumentKind
from gdportal.cases.models import DocumentVersion
from gdportal.middleware import FORM_MAX_BYTES, body_limit, upload_files
from parecer import api as parecer_api
from parecer import views as parecer_views
from tests import factories
from tests.aprweb.conftest import build_order
from tests.atende.conftest import make_case
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def body_reads(monkeypatch):
    """Every read the server makes from the request body (the test client's wsgi.input)."""
    reads = []
    for name in ("read", "readline"):
        original = getattr(FakePayload, name)

        def counting(self, *args, _original=original, **kwargs):
            data = _original(self, *args, **kwargs)
            reads.append(len(data))
            return data

        monkeypatch.setattr(FakePayload, name, counting)
    return reads


@pytest.fixture
def spool(settings, tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(folder)
    return folder


@pytest.fixture
def apr_order(client, rt, customer, installation):
    order = build_order(make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL), rt)
    assert (
        client.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD}).status_code == 302
    )
    return order


def test_anonymous_multipart_to_the_login_is_refused_before_the_body_is_read(body_reads, spool):
    browser = Client(enforce_csrf_checks=True)  # no CSRF cookie or token: the attacker needs none
    big = SimpleUploadedFile("big.bin", b"x" * (4 * 1024 * 1024))
    response = browser.post("/accounts/login/", {"username": "a@example.com", "password": "x", "file": big})
    assert response.status_code == 415
    assert "não recebe arquivos" in response.content.decode()
    assert (
        response["X-Frame-Options"] == "DENY" and "default-src 'self'" in response["Content-Security-Policy"]
    )
    assert sum(body_reads) == 0 and list(spool.iterdir()) == []


def test_even_a_small_file_part_is_refused_where_no_file_is_taken(client, apr_order, body_reads):
    response = client.post(
        reverse("aprweb:order_new"),
        {"register": "1", "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
    )
    assert response.status_code == 415 and sum(body_reads) == 0


def test_a_form_body_over_the_form_limit_is_413_unread(client, body_reads):
    response = client.post(
        "/accounts/login/", {"username": "a@example.com"}, CONTENT_LENGTH=str(FORM_MAX_BYTES + 1)
    )
    assert response.status_code == 413 and "grandes demais" in response.content.decode()
    assert sum(body_reads) == 0


def test_an_upload_declared_over_its_limit_is_413_before_the_body_is_read(client, apr_order, body_reads):
    url = reverse("aprweb:order_upload", args=[apr_order.pk, "art"])
    limit = body_limit(apr_views.order_upload)
    response = client.post(
        url, {"file": SimpleUploadedFile("art.pdf", pdf_bytes())}, CONTENT_LENGTH=str(limit + 1)
    )
    assert response.status_code == 413
    assert "Cada arquivo pode ter até 3 MB" in response.content.decode()
    assert sum(body_reads) == 0 and not DocumentVersion.objects.filter(kind="art").exists()


def test_an_upload_within_its_limit_goes_through(client, apr_order, spool):
    url = reverse("aprweb:order_upload", args=[apr_order.pk, "art"])
    response = client.post(url, {"file": SimpleUploadedFile("art.pdf", pdf_bytes())})
    assert response.status_code == 302 and DocumentVersion.objects.filter(kind="art").count() == 1


def test_each_url_has_its_limit(settings):
    settings.GD_UPLOAD_MAX_BYTES = 2 * 2**20
    assert body_limit(apr_views.order_upload) == 2 * 2**20 + FORM_MAX_BYTES
    assert body_limit(views_request.new_request) == len(DocumentKind) * 2 * 2**20 + FORM_MAX_BYTES
    assert body_limit(apr_views.order_new) == body_limit(None) == FORM_MAX_BYTES
    # The Vistoria's one copy of the parecer (3 MB) with room for a scan a little over it: its message then
    # comes at the field, not on the bare 413 page.
    assert body_limit(parecer_views.inspection_form) == 2 * 2 * 2**20 + FORM_MAX_BYTES


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern.callback


def _patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def test_only_the_known_upload_views_take_files_and_only_the_flow_study_admin_pages():
    # A class-based view (the API's) carries the mark on its class: the guard reads it there too.
    views = _views(get_resolver().url_patterns)
    takes_files = {getattr(view, "view_class", view) for view in views if upload_files(view)}
    expected = {
        apr_views.order_upload,
        views_request.new_request,
        views_request.new_without_installation,
        views_request.edit_draft,
        parecer_views.inspection_form,
        views_allocation.register,  # the legal instrument of a receiving-units registration
        parecer_api.InspectionRequestView,  # the Vistoria through the API, with the same copy
        views_bulk.upload,  # bulk filing's CSV (/apr/lote/)
        # The API's document uploads (SPEC §14): one route each, not the rest of their viewsets.
        _route(atende_api_urls, "api-access-request-documents"),
        _route(aprweb_api_urls, "api-order-documents"),
    }
    assert expected <= takes_files
    # The admin pages that take one file: the flow-inversion study behind a decision and the studies
    # delivered on request (SPEC §15). No other admin page does.
    others = {
        pattern.name
        for pattern in _patterns(get_resolver().url_patterns)
        if upload_files(pattern.callback)
        and getattr(pattern.callback, "view_class", pattern.callback) not in expected
    }
    assert others == {
        "aprweb_technicalqueue_change",
        "parecer_parecerqueue_issue",
        "cases_flowstudiesrequest_change",
    }


def _route(module, name):
    return next(pattern.callback for pattern in module.urlpatterns if pattern.name == name)


def test_the_guard_runs_before_anything_reads_the_body():
    order = settings.MIDDLEWARE
    guard = order.index("gdportal.middleware.UploadGuardMiddleware")
    assert guard < order.index("django.middleware.csrf.CsrfViewMiddleware")
    assert guard < order.index("django.contrib.auth.middleware.AuthenticationMiddleware")


def test_under_the_api_a_body_over_its_limit_is_a_problem_json_413_unread(client, body_reads):
    response = client.post(
        "/api/v1/cases/", "{}", content_type="application/json", CONTENT_LENGTH=str(50 * 2**20)
    )
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413 and problem["type"].endswith("/413") and problem["detail"]
    assert sum(body_reads) == 0


def test_under_the_api_a_multipart_body_is_a_problem_json_415_unread(client, body_reads):
    response = client.post("/api/v1/cases/", {"file": SimpleUploadedFile("a.pdf", pdf_bytes())})
    assert response.status_code == 415 and response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 415 and sum(body_reads) == 0


def test_the_proxy_limit_is_the_largest_url_limit(settings):
    from gdportal.middleware import largest_body_limit

    settings.GD_UPLOAD_MAX_BYTES = 2 * 2**20
    assert (
        largest_body_limit()
        == body_limit(views_request.new_request)
        == len(DocumentKind) * 2 * 2**20 + FORM_MAX_BYTES
    )
