"""Stage 3 in Atende, the customer's and the RT's pages (SPEC §6.1 acceptance, §6.3 Vistoria, §6.4
Cancelamento, §9 whose turn): the case panel, accepting, cancelling, the Vistoria form, and who may walk
each URL."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from gdportal.cases.choices import CaseState
from gdportal.cases.documents import document_store
from gdportal.cases.models import Case, DocumentVersion, Guarantee
from gdportal.deadlines.models import Deadline
from gdportal.deadlines.services import deadline_pause, deadline_start
from parecer import deadline_kinds as clocks
from parecer.documents import PARECER_COPY, PARECER_PDF
from parecer.models import Inspection, Parecer
from parecer.services import new_verification_code
from tests import factories
from tests.atende.conftest import make_case
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db


def page(response):
    return html.unescape(response.content.decode())


def staged(customer, installation, analyst, *, state, rt=None, favourable=True, works_pending=False, **extra):
    """A case whose NS was issued, moved straight to `state` with its parecer row (and PDF) and, while the
    parecer is in force, its validity clock — the rows parecer_issue writes, without its PDF renderer."""
    case = make_case(customer, installation, rt=rt, state=CaseState.AWAITING_TECHNICAL)
    Deadline.objects.of(case).update(state=Deadline.State.CANCELLED)  # the earlier stages' clocks are done
    now = timezone.now()
    pdf = document_store(
        case=case,
        kind=PARECER_PDF,
        uploaded=ContentFile(pdf_bytes(), name=f"parecer-{case.protocol}.pdf"),
        by=analyst,
    )
    accepted = state not in (CaseState.PARECER_ISSUED, CaseState.PARECER_UNFAVOURABLE)
    Parecer.objects.create(
        case=case,
        favourable=favourable,
        unfavourable_reason="" if favourable else "Capacidade do transformador esgotada.",
        voltage="BT",
        phases="single",
        tariff_group="B1",
        connection_point="Alimentador BHAD-05, transformador 45 kVA",
        works_needed=works_pending,
        works_description="Troca do transformador" if works_pending else "",
        issued_at=now,
        issued_by=analyst,
        verification_code=new_verification_code(),
        valid_until=timezone.localdate() + dt.timedelta(days=120) if favourable else None,
        document=pdf,
        accepted_at=now if accepted and favourable else None,
        accepted_by=customer if accepted and favourable else None,
        **extra,
    )
    if favourable and state in (CaseState.PARECER_ISSUED, CaseState.PARECER_ACCEPTED):
        deadline_start(subject=case, kind=clocks.VALIDITY.code, started_at=now)
    Case.objects.filter(pk=case.pk).update(state=state)
    case.refresh_from_db()
    return case


@pytest.fixture
def issued(customer, installation, technical_analyst):
    return staged(customer, installation, technical_analyst, state=CaseState.PARECER_ISSUED)


@pytest.fixture
def accepted(customer, installation, technical_analyst):
    return staged(customer, installation, technical_analyst, state=CaseState.PARECER_ACCEPTED)


@pytest.fixture
def rt_case(customer, installation, rt, technical_analyst):
    """A case the RT holds (filed it for the customer), with its parecer issued."""
    return staged(customer, installation, technical_analyst, state=CaseState.PARECER_ISSUED, rt=rt)


def vistoria_post(case, **overrides):
    data = {
        "holder_name": case.holder_name,
        "document": case.customer.document_display,
        "street": case.street,
        "cep": "30160-011",
        "street_number": case.street_number,
        "complement": "",
        "district": case.district,
        "municipality": case.municipality,
        "email": case.email,
        "phone": "(31) 98888-7777",
        "mobile": "",
        "declaration": "on",
    }
    data.update(overrides)
    return data


def status_url(case):
    return reverse("atende:status_detail", args=[case.protocol])


# --- the case panel ----------------------------------------------------------------------------------------


def test_the_case_page_shows_the_parecer_with_its_code_pdf_and_the_titulars_buttons(client, customer, issued):
    parecer = issued.pareceres.get()
    client.force_login(customer)
    text = page(client.get(status_url(issued)))
    assert 'data-testid="parecer-panel"' in text
    assert gettext("Favourable") in text and parecer.code_display in text
    assert (
        reverse("verify:code", args=[parecer.verification_code]) == f"/verificar/{parecer.verification_code}/"
    )
    assert f'href="/verificar/{parecer.verification_code}/"' in text
    assert f'href="{reverse("atende:document", args=[parecer.document_id])}"' in text
    assert parecer.valid_until.strftime("%d/%m/%Y") in text
    assert reverse("parecer:accept", args=[issued.protocol]) in text
    assert reverse("parecer:cancel", args=[issued.protocol]) in text
    # Not accepted yet: no inspection button, and the reason why.
    assert reverse("parecer:inspection_form", args=[issued.protocol]) not in text


def test_an_unfavourable_parecer_shows_its_reason_and_no_buttons(
    client, customer, installation, technical_analyst
):
    case = staged(
        customer, installation, technical_analyst, state=CaseState.PARECER_UNFAVOURABLE, favourable=False
    )
    client.force_login(customer)
    text = page(client.get(status_url(case)))
    assert gettext("Unfavourable") in text and "Capacidade do transformador esgotada." in text
    assert 'data-testid="parecer-actions"' not in text


def test_the_panel_shows_payment_works_inspection_report_and_the_gfc(
    client, customer, installation, technical_analyst, commercial_analyst
):
    case = staged(
        customer,
        installation,
        technical_analyst,
        state=CaseState.INSPECTION_FAILED,
        financial_participation=Decimal("12500.00"),
        paid_at=timezone.now(),
    )
    parecer = case.pareceres.get()
    Inspection.objects.create(
        case=case,
        parecer=parecer,
        requested_at=timezone.now(),
        requested_by=customer,
        holder_name=case.holder_name,
        document=case.document,
        street=case.street,
        cep=case.cep,
        street_number=case.street_number,
        district=case.district,
        municipality=case.municipality,
        email=case.email,
        phone=case.phone,
        declaration=True,
        scheduled_for=timezone.localdate(),
        period="morning",
        visited_on=timezone.localdate(),
        result="failed",
        report="Placa de advertência ausente\nAterramento do inversor incompleto",
    )
    Case.objects.filter(pk=case.pk).update(reason="mini", power_kw=Decimal("600"))
    Guarantee.objects.create(
        case=case,
        form="cash",
        amount=Decimal("45000.00"),
        expires_on=timezone.localdate() + dt.timedelta(days=400),
        verified_by=commercial_analyst,
        verified_at=timezone.now(),
    )
    client.force_login(customer)
    text = page(client.get(status_url(case)))
    assert "R$ 12.500,00" in text and 'data-testid="parecer-payment"' in text
    assert "<li>Placa de advertência ausente</li>" in text
    assert "<li>Aterramento do inversor incompleto</li>" in text
    assert 'data-testid="guarantee"' in text and "R$ 45.000,00" in text
    # After a failure the holder asks again.
    assert reverse("parecer:inspection_form", args=[case.protocol]) in text


def test_a_passed_inspection_shows_the_meter_and_the_connection_date(
    client, customer, installation, technical_analyst
):
    case = staged(customer, installation, technical_analyst, state=CaseState.CONNECTED)
    Inspection.objects.create(
        case=case,
        parecer=case.pareceres.get(),
        requested_at=timezone.now(),
        requested_by=customer,
        holder_name=case.holder_name,
        document=case.document,
        street=case.street,
        cep=case.cep,
        street_number=case.street_number,
        district=case.district,
        municipality=case.municipality,
        email=case.email,
        phone=case.phone,
        declaration=True,
        result="passed",
        meter_number="MED-778899",
        connected_on=dt.date(2027, 3, 10),
    )
    client.force_login(customer)
    text = page(client.get(status_url(case)))
    assert "MED-778899" in text and "10/03/2027" in text
    assert 'data-testid="parecer-actions"' not in text


def test_a_paused_clock_says_since_when_and_why_and_the_public_page_leaves_the_reason_out(
    client, customer, accepted
):
    deadline_pause(subject=accepted, kind=clocks.VALIDITY.code, reason="Consulta ao ONS")
    since = timezone.localdate().strftime("%d/%m/%Y")
    client.force_login(customer)
    for url in (status_url(accepted), reverse("atende:status")):
        text = page(client.get(url))
        assert 'data-testid="clock-paused"' in text and since in text and "Consulta ao ONS" in text, url
    client.logout()
    public = page(
        client.post(
            reverse("tracking:public_lookup"),
            {"protocol": accepted.protocol, "document": accepted.customer.document_display},
        )
    )
    assert 'data-testid="clock-paused"' in public and since in public
    assert "Consulta ao ONS" not in public and accepted.holder_name not in public


def test_the_case_page_runs_a_fixed_number_of_queries_however_many_inspections(
    client, customer, installation, technical_analyst, django_assert_max_num_queries
):
    """The panels read in a fixed number of queries; a case with nothing for them (no parecer, inspection,
    guarantee…) does not even run those (gdportal.cases.extensions.read_panel_presence)."""
    plain = make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL)
    full = staged(customer, installation, technical_analyst, state=CaseState.INSPECTION_REQUESTED)
    client.force_login(customer)
    client.get(status_url(plain))
    with django_assert_max_num_queries(30) as without:
        assert client.get(status_url(plain)).status_code == 200
    with django_assert_max_num_queries(30) as before:
        assert client.get(status_url(full)).status_code == 200
    assert len(without.captured_queries) < len(before.captured_queries)
    for _ in range(3):
        Inspection.objects.create(
            case=full,
            parecer=full.pareceres.get(),
            requested_at=timezone.now(),
            requested_by=customer,
            holder_name="x",
            document=full.document,
            street="x",
            cep="30160011",
            street_number="1",
            district="x",
            municipality="x",
            email="x@example.com",
            phone="31988887777",
            declaration=True,
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get(status_url(full))
    assert 'data-testid="inspection"' in response.content.decode()


# --- Aceitar o parecer -------------------------------------------------------------------------------------


def test_the_titular_accepts_after_a_confirmation_page(client, customer, issued):
    parecer = issued.pareceres.get()
    url = reverse("parecer:accept", args=[issued.protocol])
    client.force_login(customer)
    text = page(client.get(url))
    assert 'data-testid="parecer-summary"' in text and "Alimentador BHAD-05" in text
    assert f'href="{reverse("atende:document", args=[parecer.document_id])}"' in text
    response = client.post(url)
    assert response.status_code == 302 and response.url == status_url(issued)
    issued.refresh_from_db()
    parecer.refresh_from_db()
    assert issued.state == CaseState.PARECER_ACCEPTED
    assert parecer.accepted_by == customer and not parecer.accepted_tacitly
    # A second click: nothing happens, the page says why.
    assert client.post(url).status_code == 302
    assert issued.events.filter(action="parecer_accepted").count() == 1


def test_the_rt_cannot_accept_or_cancel_and_never_sees_the_cancel_link(client, rt, rt_case):
    client.force_login(rt)
    text = page(client.get(status_url(rt_case)))
    assert 'data-testid="parecer-panel"' in text  # the RT follows the parecer…
    cancel_url = reverse("parecer:cancel", args=[rt_case.protocol])
    accept_url = reverse("parecer:accept", args=[rt_case.protocol])
    assert cancel_url not in text and accept_url not in text  # …but acts on it never
    assert cancel_url not in page(client.get(reverse("parecer:cancel_list")))
    for url in (accept_url, cancel_url):
        assert client.get(url).status_code in (403, 404), url
        assert client.post(url, {"reason": "x"}).status_code in (403, 404), url
    rt_case.refresh_from_db()
    assert rt_case.state == CaseState.PARECER_ISSUED


def test_the_titular_cancels_after_a_page_that_says_what_is_lost(client, customer, rt, rt_case):
    client.force_login(customer)
    listed = page(client.get(reverse("parecer:cancel_list")))
    url = reverse("parecer:cancel", args=[rt_case.protocol])
    assert url in listed
    text = page(client.get(url))
    assert 'data-testid="what-is-lost"' in text
    for lost in (
        "the access opinion: it no longer authorises building or connecting the plant;",
        "the grid capacity reserved for your generation, which may go to other requests;",
        "this request: to connect a plant later you must file a new access request, from the start.",
    ):
        assert gettext(lost) in text
    rt_case.refresh_from_db()
    assert rt_case.state == CaseState.PARECER_ISSUED  # the page alone changes nothing
    response = client.post(url, {"reason": "Desisti da usina"})
    assert response.status_code == 302
    rt_case.refresh_from_db()
    assert rt_case.state == CaseState.CANCELLED
    assert not rt_case.deadlines.open().exists()
    assert rt_case.events.filter(action="parecer_cancelled", actor=customer).exists()
    assert url not in page(client.get(reverse("parecer:cancel_list")))


# --- Vistoria ----------------------------------------------------------------------------------------------


def test_the_vistoria_form_is_prefilled_and_offers_the_issued_parecer(client, customer, accepted):
    parecer = accepted.pareceres.get()
    client.force_login(customer)
    listed = page(client.get(reverse("parecer:inspection_list")))
    assert reverse("parecer:inspection_form", args=[accepted.protocol]) in listed
    response = client.get(reverse("parecer:inspection_form", args=[accepted.protocol]))
    text = page(response)
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in text
    assert accepted.ns in text and accepted.protocol in text
    for value in (
        accepted.holder_name,
        accepted.customer.document_display,
        "30160-011",
        accepted.street,
        accepted.district,
        accepted.municipality,
        accepted.email,
    ):
        assert f'value="{value}"' in text, value
    assert 'data-testid="issued-parecer"' in text
    assert reverse("atende:document", args=[parecer.document_id]) in text
    assert 'name="copy"' in text and 'name="declaration"' in text


def _refused(client, case, reason):
    url = reverse("parecer:inspection_form", args=[case.protocol])
    response = client.get(url)
    assert response.status_code == 409 and gettext(reason) in page(response)
    response = client.post(url, vistoria_post(case))
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.state != CaseState.INSPECTION_REQUESTED and not Inspection.objects.filter(case=case).exists()
    return response


def test_the_vistoria_is_refused_for_an_unfavourable_parecer(
    client, customer, installation, technical_analyst
):
    case = staged(
        customer, installation, technical_analyst, state=CaseState.PARECER_UNFAVOURABLE, favourable=False
    )
    client.force_login(customer)
    _refused(client, case, "An unfavourable access opinion does not authorise the connection.")


def test_the_vistoria_is_refused_once_the_validity_is_over(client, customer, accepted, installation):
    # Past its date but not yet swept…
    accepted.deadlines.filter(kind=clocks.VALIDITY.code).update(due_at=timezone.now() - dt.timedelta(days=1))
    client.force_login(customer)
    _refused(client, accepted, "The access opinion is no longer valid.")
    # …and once the sweep expired it.
    Case.objects.filter(pk=accepted.pk).update(state=CaseState.PARECER_EXPIRED)
    _refused(client, accepted, "The access opinion is no longer valid.")


def test_the_vistoria_is_refused_while_works_are_pending(client, customer, installation, technical_analyst):
    case = staged(
        customer, installation, technical_analyst, state=CaseState.PARECER_ACCEPTED, works_pending=True
    )
    client.force_login(customer)
    _refused(client, case, "The utility's grid works are still pending.")
    listed = page(client.get(reverse("parecer:inspection_list")))
    assert gettext("The utility's grid works are still pending.") in listed


def test_a_valid_vistoria_without_a_copy_uses_the_issued_parecer(client, customer, accepted):
    client.force_login(customer)
    response = client.post(
        reverse("parecer:inspection_form", args=[accepted.protocol]), vistoria_post(accepted)
    )
    assert response.status_code == 302 and response.url == status_url(accepted)
    accepted.refresh_from_db()
    assert accepted.state == CaseState.INSPECTION_REQUESTED
    inspection = Inspection.objects.get(case=accepted)
    assert (
        inspection.attachment is None and inspection.cep == "30160011" and inspection.phone == "31988887777"
    )
    assert accepted.deadlines.get(kind=clocks.INSPECTION.code).state == Deadline.State.OPEN
    text = page(client.get(status_url(accepted)))
    assert 'data-testid="inspection"' in text


def test_the_rt_requests_the_vistoria_with_another_copy_of_the_parecer(
    client, customer, installation, rt, technical_analyst
):
    case = staged(customer, installation, technical_analyst, state=CaseState.PARECER_ACCEPTED, rt=rt)
    client.force_login(rt)
    copy = SimpleUploadedFile("parecer-assinado.pdf", pdf_bytes(2), content_type="application/pdf")
    response = client.post(
        reverse("parecer:inspection_form", args=[case.protocol]), vistoria_post(case, copy=copy)
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.INSPECTION_REQUESTED
    inspection = Inspection.objects.get(case=case)
    assert inspection.attachment.kind == PARECER_COPY
    assert inspection.attachment.original_name == "parecer-assinado.pdf"
    assert inspection.requested_by == rt


def test_a_4_mb_copy_is_refused_next_to_its_field_and_nothing_is_saved(client, customer, accepted):
    client.force_login(customer)
    big = SimpleUploadedFile(
        "grande.pdf", pdf_bytes() + b"\n" * (4 * 1024 * 1024), content_type="application/pdf"
    )
    response = client.post(
        reverse("parecer:inspection_form", args=[accepted.protocol]),
        vistoria_post(accepted, copy=big, complement="Casa 2"),
    )
    assert response.status_code == 400
    text = page(response)
    too_large = gettext("The file is larger than %(max)s MB.") % {"max": "3"}
    assert "data-error-summary" in text and 'href="#id_copy"' in text  # the summary leads to the field…
    assert f'<p id="error_1_id_copy"><strong>{too_large}</strong></p>' in text  # …which says why
    assert 'value="Casa 2"' in text  # what was typed stays
    accepted.refresh_from_db()
    assert accepted.state == CaseState.PARECER_ACCEPTED
    assert not Inspection.objects.exists() and not DocumentVersion.objects.filter(kind=PARECER_COPY).exists()


def test_a_checked_copy_is_kept_when_the_form_fails_elsewhere(client, customer, accepted):
    client.force_login(customer)
    url = reverse("parecer:inspection_form", args=[accepted.protocol])
    copy = SimpleUploadedFile("copia.pdf", pdf_bytes(), content_type="application/pdf")
    failed = client.post(url, vistoria_post(accepted, copy=copy, declaration=""))
    assert failed.status_code == 400
    text = page(failed)
    assert 'data-testid="held-copy"' in text and "copia.pdf" in text
    token = failed.context["form"].held_token
    response = client.post(url, vistoria_post(accepted, held_uploads=token))
    assert response.status_code == 302
    assert Inspection.objects.get(case=accepted).attachment.original_name == "copia.pdf"


def test_the_vistoria_is_refused_for_a_document_that_is_not_the_holders(client, customer, accepted):
    client.force_login(customer)
    response = client.post(
        reverse("parecer:inspection_form", args=[accepted.protocol]),
        vistoria_post(accepted, document="390.533.447-05"),
    )
    assert response.status_code == 400
    assert gettext("The CPF/CNPJ must be the holder's of this request.") in page(response)
    assert not Inspection.objects.exists()


# --- who may walk the pages --------------------------------------------------------------------------------


def test_every_new_url_is_404_for_another_customer_and_a_login_for_an_anonymous_user(
    client, customer, outsider, other_rt, issued
):
    per_case = [
        reverse("parecer:inspection_form", args=[issued.protocol]),
        reverse("parecer:cancel", args=[issued.protocol]),
        reverse("parecer:accept", args=[issued.protocol]),
    ]
    lists = [reverse("parecer:inspection_list"), reverse("parecer:cancel_list")]
    for person in (outsider, other_rt):
        client.force_login(person)
        for url in per_case:
            assert client.get(url).status_code == 404, (person, url)
            assert client.post(url, {}).status_code == 404, (person, url)
        for url in lists:
            response = client.get(url)
            assert response.status_code == 200 and issued.protocol not in response.content.decode()
    client.logout()
    login = reverse("accounts:login")
    for url in per_case + lists:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(login), url
    issued.refresh_from_db()
    assert issued.state == CaseState.PARECER_ISSUED


def test_staff_use_the_admin_not_these_pages(client, commercial_analyst, issued):
    client.force_login(commercial_analyst)
    assert client.get(reverse("parecer:cancel", args=[issued.protocol])).status_code == 403


def test_the_gd_page_lists_the_two_new_options_after_atendes_own(client, customer):
    client.force_login(customer)
    text = page(client.get(reverse("atende:gd")))
    urls = [
        reverse("atende:lookup"),
        reverse("atende:consultation_lookup"),
        reverse("atende:status"),
        reverse("parecer:inspection_list"),
        reverse("parecer:cancel_list"),
    ]
    positions = [text.index(f'href="{url}"') for url in urls]
    assert positions == sorted(positions)
    assert gettext("Inspection") in text and gettext("Cancellation of the access opinion") in text
    assert reverse("parecer:inspection_list") == "/atende/gd/vistoria/"
    assert reverse("parecer:cancel_list") == "/atende/gd/cancelamento-parecer/"


def test_a_customer_without_cases_is_told_what_to_do_next(client):
    user = factories.UserFactory(customer=factories.CustomerFactory())
    client.force_login(user)
    for name in ("parecer:inspection_list", "parecer:cancel_list"):
        text = page(client.get(reverse(name)))
        assert 'data-testid="empty"' in text and reverse("atende:status") in text
