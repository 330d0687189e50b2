"""Issue 13's journey through the API, against the same journey through the pages (SPEC §14).

An RT's token files a request, attaches the identity document, sends it; the analyst issues the NS; the token
registers the APR order, uploads every document the checklist asks for and sends it: the case is under
analysis with the same timeline and the same e-mails as when the RT does it all in the browser. Retries with
the same Idempotency-Key file nothing twice; another RT's token finds none of it; a revoked token is refused.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from aprweb.models import AprOrder
from aprweb.selectors import missing_kinds
from atende import services
from atende.forms import AccessRequestForm
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case, DocumentVersion
from gdportal.notifications.models import OutboundEmail
from tests import factories
from tests.aprweb.conftest import in_three_months, order_data, register
from tests.atende.conftest import request_data
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db

# The §4.2 fields as an integrator sends them: JSON, decimals as strings, the declaration a boolean.
REQUEST = {
    **{
        k: v
        for k, v in request_data().items()
        if k not in ("document", "declaration", "gfc_form", "gfc_bank")
    },
    "latitude": "-19.92",
    "longitude": "-43.94",
    "power_kw": "8.5",
    "declaration": True,
}


def pdf(name, version=1):
    return SimpleUploadedFile(name, pdf_bytes(version), content_type="application/pdf")


def timeline(case):
    return [
        (e.action, e.from_state, e.to_state, e.actor_id, e.note)
        for e in case.events.order_by("created_at", "id")
    ]


def emails(case):
    return [
        (m.template, m.to)
        for m in OutboundEmail.objects.filter(related_object=f"case:{case.pk}").order_by("id")
    ]


def approve(case, analyst):
    services.case_commercial_approve(case=case, by=analyst)


def browser_journey(client, rt, installation, analyst):
    """What the RT does today in the browser: Atende's form and confirm page, then APR Web's pages."""
    client.force_login(rt)
    url = reverse("atende:new", args=[installation.number])
    draft = client.post(url, {**request_data(), "file_identity": pdf("rg-cpf.pdf")})
    assert draft.status_code == 302, draft.content.decode()[:2000]
    assert client.post(draft["Location"]).status_code == 302
    case = Case.objects.get(installation=installation)
    approve(case, analyst)
    assert (
        client.post("/apr/", {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD}).status_code == 302
    )
    case.refresh_from_db()
    assert register(client, case).status_code == 302
    order = AprOrder.objects.get(case=case)
    for kind in missing_kinds(case, order):
        client.post(reverse("aprweb:order_upload", args=[order.pk, kind]), {"file": pdf(f"{kind}.pdf")})
    page = reverse("aprweb:order_generation", args=[order.pk])
    assert client.post(page, factories.generation_page_data(save="1")).status_code == 302
    assert client.post(reverse("aprweb:order_submit", args=[order.pk])).status_code == 302
    case.refresh_from_db()
    return case


def twice(call, *args, key, **kwargs):
    """The call, then its retry with the same key (a client that lost the answer): the same answer twice."""
    first = call(*args, HTTP_IDEMPOTENCY_KEY=key, **kwargs)
    for value in (args[1] if len(args) > 1 else {}).values():
        if hasattr(value, "seek"):
            value.seek(0)  # the retry sends the same bytes again
    retried = call(*args, HTTP_IDEMPOTENCY_KEY=key, **kwargs)
    assert retried.status_code == first.status_code and retried.content == first.content
    assert retried["Idempotent-Replayed"] == "true"
    return first


def test_an_rt_files_through_the_api_as_through_the_pages(
    client, customer_record, rt, other_rt, commercial_analyst, api_as, django_capture_on_commit_callbacks
):
    by_page = browser_journey(
        client, rt, factories.InstallationFactory(customer=customer_record), commercial_analyst
    )
    assert by_page.state == CaseState.TECHNICAL_REVIEW

    installation = factories.InstallationFactory(customer=customer_record)
    api, stranger = api_as(rt), api_as(other_rt)
    created = twice(
        api.post,
        "/api/v1/access-requests/",
        {**REQUEST, "installation": installation.number},
        format="json",
        key="draft-1",
    )
    assert created.status_code == 201, created.json()
    draft_id = created.json()["id"]
    assert created["Location"] == f"/api/v1/access-requests/{draft_id}/"
    assert created.json()["missing_documents"] == ["identity"]
    assert Case.objects.filter(installation=installation).count() == 1

    detail = f"/api/v1/access-requests/{draft_id}/"
    assert stranger.get(detail).status_code == 404
    assert stranger.patch(detail, {"street": "X"}, format="json").status_code == 404
    for tail in ("submit/", "cancel/"):
        assert stranger.post(detail + tail, {}, format="json").status_code == 404
    upload = f"/api/v1/access-requests/{draft_id}/documents/"
    assert (
        stranger.post(upload, {"kind": "identity", "file": pdf("x.pdf")}, format="multipart").status_code
        == 404
    )

    attached = twice(
        api.post, upload, {"kind": "identity", "file": pdf("rg-cpf.pdf")}, format="multipart", key="rg"
    )
    assert attached.status_code == 201 and attached.json()["kind"] == "identity"
    with django_capture_on_commit_callbacks(execute=True):
        sent = twice(api.post, f"/api/v1/access-requests/{draft_id}/submit/", key="send")
    assert sent.status_code == 200 and not sent.json()["already_sent"]
    protocol = sent.json()["protocol"]
    again = api.post(
        f"/api/v1/access-requests/{draft_id}/submit/"
    )  # no key: the service says it went already
    assert again.status_code == 200 and again.json()["already_sent"] and again.json()["protocol"] == protocol

    case = Case.objects.get(pk=draft_id)
    approve(case, commercial_analyst)
    case.refresh_from_db()
    order_body = {
        "protocol": protocol,
        "document": customer_record.document_display,
        **{k: v for k, v in order_data().items() if k in ("art_number", "plant_format", "reference_point")},
        "expected_connection": in_three_months(),
    }
    registered = twice(api.post, "/api/v1/orders/", order_body, format="json", key="order")
    assert registered.status_code == 201, registered.json()
    order_id = registered.json()["id"]
    assert api.post("/api/v1/orders/", order_body, format="json").status_code == 200  # registered: that one

    checklist = api.get(f"/api/v1/orders/{order_id}/checklist/").json()
    assert checklist["missing"] and not checklist["complete"] and checklist["can_upload"]
    for kind in checklist["missing"]:
        answer = twice(
            api.post,
            f"/api/v1/orders/{order_id}/documents/",
            {"kind": kind, "file": pdf(f"{kind}.pdf")},
            format="multipart",
            key=f"doc-{kind}",
        )
        assert answer.status_code == 201, answer.json()
    assert api.get(f"/api/v1/orders/{order_id}/checklist/").json()["complete"]
    # The plant as data (SPEC §16): a PUT replaces the step whole, so sending it again changes nothing.
    generation = f"/api/v1/orders/{order_id}/generation/"
    for _attempt in range(2):
        saved = api.put(generation, factories.generation_api_body(), format="json")
        assert saved.status_code == 200 and saved.json()["version"] == 1, saved.json()
    submitted = twice(api.post, f"/api/v1/orders/{order_id}/submit/", key="order-send")
    assert submitted.status_code == 200 and submitted.json()["case_state"] == CaseState.TECHNICAL_REVIEW

    case.refresh_from_db()
    assert case.state == by_page.state == CaseState.TECHNICAL_REVIEW
    assert timeline(case) == timeline(by_page)
    assert emails(case) == emails(by_page) and len(emails(case)) >= 3
    kinds = sorted(case.documents.values_list("kind", flat=True))
    assert kinds == sorted(by_page.documents.values_list("kind", flat=True))  # one version each: no double
    assert AprOrder.objects.filter(case=case).count() == 1

    for url in (
        f"/api/v1/orders/{order_id}/",
        f"/api/v1/orders/{order_id}/checklist/",
        f"/api/v1/cases/{case.pk}/",
    ):
        assert stranger.get(url).status_code == 404
    for tail in ("submit/", "documents/"):
        assert stranger.post(f"/api/v1/orders/{order_id}/{tail}", {}, format="json").status_code == 404
    assert stranger.get("/api/v1/orders/").json()["results"] == []

    api.token.revoke(by=rt)
    assert api.get("/api/v1/orders/").status_code == 401
    assert api.post("/api/v1/orders/", order_body, format="json").status_code == 401


def test_the_same_key_with_another_body_is_422_and_files_nothing(rt, installation, api_as):
    api = api_as(rt)
    body = {**REQUEST, "installation": installation.number}
    assert (
        api.post("/api/v1/access-requests/", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    )
    other = api.post(
        "/api/v1/access-requests/", {**body, "street": "Rua Outra"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert other.status_code == 422 and other["Content-Type"] == "application/problem+json"
    assert Case.objects.count() == 1 and Case.objects.get().street == "Rua da Bahia"


@pytest.mark.parametrize(
    "changes",
    [
        {"power_kw": "10.01"},  # micro up to 10 kW
        {"latitude": "-23.5"},  # outside Minas Gerais
        {"phone": "123"},
        {"request_type": "new_unit"},  # an existing installation
        {"declaration": False},
    ],
)
def test_field_errors_are_the_pages_words(customer, installation, api_as, changes):
    answer = api_as(customer).post(
        "/api/v1/access-requests/", {**REQUEST, "installation": installation.number, **changes}, format="json"
    )
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    with translation.override("pt-br"):
        form = AccessRequestForm(
            data={**request_data(), **changes, "declaration": changes.get("declaration", True)},
            customer=installation.customer,
            installation=installation,
            user=customer,
            documents_later=True,
        )
        expected = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    got = {}
    for error in answer.json()["errors"]:
        got.setdefault(error["field"], []).append(error["message"])
    assert got == expected and expected  # the same fields, the same pt-BR sentences
    assert not Case.objects.exists()


def test_a_customers_browser_session_uses_the_same_endpoints_with_csrf(client, customer, installation):
    from rest_framework.test import APIClient

    api = APIClient(enforce_csrf_checks=True)
    api.force_login(customer)
    body = {**REQUEST, "installation": installation.number}
    refused = api.post("/api/v1/access-requests/", body, format="json")
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert not Case.objects.exists()
    api.get(reverse("api_access:tokens"))  # any page with a form hands the browser its CSRF cookie
    token = api.cookies["csrftoken"].value
    created = api.post("/api/v1/access-requests/", body, format="json", HTTP_X_CSRFTOKEN=token)
    assert created.status_code == 201, created.json()
    draft_id = created.json()["id"]
    assert api.get(f"/api/v1/access-requests/{draft_id}/").json()["holder_name"] == installation.customer.name
    attached = api.post(
        f"/api/v1/access-requests/{draft_id}/documents/",
        {"kind": "identity", "file": pdf("rg.pdf")},
        format="multipart",
        HTTP_X_CSRFTOKEN=token,
    )
    assert attached.status_code == 201
    sent = api.post(f"/api/v1/access-requests/{draft_id}/submit/", HTTP_X_CSRFTOKEN=token)
    assert sent.status_code == 200 and Case.objects.get().state == CaseState.SUBMITTED
    assert DocumentVersion.objects.count() == 1
