"""Reasons from a catalogue and one round of pendências (issue 18 items 4–6, SPEC §15), from the user's side:
the analyst's review page and the admin, the customer's case page, the RT's order, the e-mails, the API and
/transparencia/."""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from aprweb.services_orders import order_submit
from aprweb.services_technical import case_technical_reject, version_verdict
from gdportal.accounts import roles
from gdportal.cases.choices import CaseState
from gdportal.cases.documents import latest_versions
from gdportal.cases.models import DecisionReason
from gdportal.cases.services import RuleBroken
from gdportal.deadlines.calendar import LOCAL_TZ
from gdportal.notifications.models import OutboundEmail
from gdportal.transparency.services import transparency_compute
from tests import factories
from tests.aprweb.conftest import attach
from tests.files import pdf_bytes

pytestmark = pytest.mark.django_db

COORDINATES = "Coordenadas geográficas a mais de 100 m do endereço da unidade consumidora"
ART = "ART/TRT do responsável técnico ausente, sem pagamento ou sem as atividades de projeto e execução"
NOON = dt.datetime(2026, 11, 10, 12, 0, tzinfo=LOCAL_TZ)  # a Tuesday


def ids(*codes):
    return [str(pk) for pk in DecisionReason.objects.filter(code__in=codes).values_list("pk", flat=True)]


def technical(case):
    return {kind: v for kind, v in latest_versions(case).items() if kind != "identity"}


def review(client, case, *, verdicts, **extra):
    """The analyst's one-form review: {kind: (verdict, note, [codes], fato novo explanation or None)}; the
    other documents conforming."""
    data = {}
    for kind, version in technical(case).items():
        verdict, note, codes, new_fact = verdicts.get(kind, ("conforming", "", [], None))
        data[f"verdict-{version.pk}"] = verdict
        data[f"note-{version.pk}"] = note
        data[f"reasons-{version.pk}"] = ids(*codes)
        if new_fact is not None:
            data[f"new_fact-{version.pk}"] = "on"
            data[f"new_fact_note-{version.pk}"] = new_fact
    data.update(extra)
    return client.post(reverse("admin:aprweb_technicalqueue_change", args=[case.pk]), data)


@pytest.fixture
def analyst_client(client, technical_analyst):
    client.force_login(technical_analyst)
    return client


def suspend_for_the_art(client, case):
    """Round 1: the ART not conforming (with its reason), the rest conforming, suspended with the coordinates
    as a reason of the whole order."""
    return review(
        client,
        case,
        verdicts={"art": ("nonconforming", "ART sem comprovante de pagamento", ["art-ausente"], None)},
        decision="suspend",
        note="Confira as coordenadas",
        reasons=ids("coordenadas-100m"),
    )


def test_the_catalogue_ships_with_at_least_15_active_reasons_cemigs_top_one_first():
    active = list(DecisionReason.objects.filter(active=True))
    assert len(active) >= 15
    assert active[0].code == "coordenadas-100m" and active[0].text == COORDINATES
    assert all(reason.text and reason.norm_reference for reason in active)
    assert {"art-ausente", "unifilar-incompleto", "inversor-sem-inmetro", "procuracao-ausente"} <= {
        reason.code for reason in active
    }


def test_a_document_not_conforming_without_a_reason_is_refused_at_its_row(analyst_client, submitted_order):
    case = submitted_order.case
    art = technical(case)["art"]
    response = review(
        analyst_client,
        case,
        verdicts={"art": ("nonconforming", "Sem pagamento", [], None)},
        decision="suspend",
    )
    assert response.status_code == 400
    html = response.content.decode()
    row = html[html.index(f'name="verdict-{art.pk}"') :]
    row = row[: row.index("</tr>")]
    assert (
        gettext("Choose at least one reason from the catalogue: the RT will read it.") in row
    )  # at the field
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW and not case.decision_reasons.exists()


def test_suspend_and_reject_without_any_reason_are_refused(submitted_order, technical_analyst):
    case = submitted_order.case
    art = technical(case)["art"]
    with pytest.raises(RuleBroken) as refused:
        version_verdict(version=art, by=technical_analyst, verdict="nonconforming", note="Sem pagamento")
    assert list(refused.value.errors) == [f"reasons-{art.pk}"]
    with pytest.raises(RuleBroken) as refused:
        case_technical_reject(case=case, by=technical_analyst, reason="Projeto incompatível")
    assert list(refused.value.errors) == ["reasons"]
    # A retired reason is no longer offered, nor accepted.
    DecisionReason.objects.filter(code="art-ausente").update(active=False)
    with pytest.raises(RuleBroken):
        version_verdict(
            version=art, by=technical_analyst, verdict="nonconforming", note="x", reasons=["art-ausente"]
        )
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW


def test_the_customer_the_rt_and_the_api_see_each_reason_with_its_norm_reference(
    submitted_order,
    customer,
    technical_analyst,
    apr_client,
    django_capture_on_commit_callbacks,
):
    from tests.api.conftest import token_client

    case = submitted_order.case
    version_verdict(
        version=technical(case)["art"],
        by=technical_analyst,
        verdict="nonconforming",
        note="ART sem comprovante de pagamento",
        reasons=["art-ausente"],
    )
    status_url = reverse("atende:status_detail", args=[case.protocol])
    from django.test import Client

    customer_client, analyst_client = Client(), Client()  # apr_client is the RT's own browser
    customer_client.force_login(customer)
    analyst_client.force_login(technical_analyst)
    # A verdict is a draft of the round: nobody outside Cemig reads it before the decision sends it.
    assert ART not in customer_client.get(status_url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = suspend_for_the_art(analyst_client, case)
    assert response.status_code == 302, re.findall(
        r'<ul class="errorlist[^>]*>(.*?)</ul>', response.content.decode()
    )
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_CORRECTION

    page = customer_client.get(status_url).content.decode()
    panel = page[page.index('data-testid="reasons-panel"') :]
    assert ART in panel and "Lei 6.496/1977" in panel and "ART sem comprovante de pagamento" in panel
    assert COORDINATES in panel and "Confira as coordenadas" in panel

    order_page = apr_client.get(reverse("aprweb:order", args=[submitted_order.pk])).content.decode()
    assert ART in order_page and COORDINATES in order_page

    email = OutboundEmail.objects.get(template="case_suspended")
    assert ART in email.body_text and "(Lei 6.496/1977" in email.body_text and COORDINATES in email.body_text

    body = token_client(customer).get(f"/api/v1/cases/{case.pk}/").json()
    given = {(r["code"], r["kind"], r["decision"], r["document_kind"]) for r in body["reasons"]}
    assert given == {
        ("art-ausente", "pendency", "document", "art"),
        ("coordenadas-100m", "pendency", "suspension", None),
    }
    art = next(r for r in body["reasons"] if r["code"] == "art-ausente")
    assert art["text"] == ART and art["norm_reference"].startswith("Lei 6.496/1977")


def test_a_later_edit_of_the_catalogue_does_not_rewrite_what_was_told(
    analyst_client, submitted_order, customer, client
):
    case = submitted_order.case
    suspend_for_the_art(analyst_client, case)
    DecisionReason.objects.filter(code="coordenadas-100m").update(text="Texto novo do catálogo")
    client.force_login(customer)
    page = client.get(reverse("atende:status_detail", args=[case.protocol])).content.decode()
    assert COORDINATES in page and "Texto novo do catálogo" not in page


@pytest.fixture
def resubmitted(analyst_client, submitted_order, rt):
    """Round 1 suspended for the ART; the RT sends a new ART and resubmits: the memorial, conforming in round
    1, is unchanged."""
    case = submitted_order.case
    assert suspend_for_the_art(analyst_client, case).status_code == 302
    attach(submitted_order, "art", rt, name="art-paga.pdf", content=pdf_bytes(2))
    order_submit(order=submitted_order, by=rt)
    case.refresh_from_db()
    assert case.state == CaseState.TECHNICAL_REVIEW
    return case


ONE_ROUND = (
    "This version was marked conforming in an earlier analysis and has not changed since: all pending items "
    "must be pointed out at once (REN 1.000 art. 10). Mark it not conforming only for a new fact: tick “Fato "
    "novo” and explain it."
)


def test_an_unchanged_conforming_document_turns_not_conforming_only_as_a_new_fact(
    analyst_client, resubmitted, customer
):
    case = resubmitted
    memorial = technical(case)["generation_memorial"]
    assert memorial.verdict == "conforming"
    wrong = ("nonconforming", "Potência do memorial diverge", ["potencia-divergente"], None)
    response = review(analyst_client, case, verdicts={"generation_memorial": wrong}, decision="suspend")
    assert response.status_code == 400
    html = response.content.decode()
    row = html[html.index(f'name="verdict-{memorial.pk}"') :]
    row = row[: row.index("</tr>")]
    assert escape(gettext(ONE_ROUND)) in row  # at the document's row
    memorial.refresh_from_db()
    case.refresh_from_db()
    assert memorial.verdict == "conforming" and case.state == CaseState.TECHNICAL_REVIEW

    # Ticked without saying what is new: still refused.
    ticked = (*wrong[:3], " ")
    response = review(analyst_client, case, verdicts={"generation_memorial": ticked}, decision="suspend")
    assert response.status_code == 400

    explained = (*wrong[:3], "A nova ART declara 10 kW, o memorial aprovado 8,5 kW.")
    response = review(analyst_client, case, verdicts={"generation_memorial": explained}, decision="suspend")
    assert response.status_code == 302
    memorial.refresh_from_db()
    assert memorial.verdict == "nonconforming" and memorial.new_fact
    assert memorial.new_fact_note == "A nova ART declara 10 kW, o memorial aprovado 8,5 kW."
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_CORRECTION

    # The integrators see it on the document too (API).
    from tests.api.conftest import token_client

    api_memorial = next(
        d
        for d in token_client(customer).get(f"/api/v1/cases/{case.pk}/").json()["documents"]
        if d["kind"] == "generation_memorial"
    )
    assert api_memorial["new_fact"] and api_memorial["new_fact_note"].startswith("A nova ART")

    # Counted apart on /transparencia/, with the pendências and refusals per reason of the month.
    month = timezone.localtime().strftime("%Y-%m")
    transparency_compute()
    html = analyst_client.get(reverse("transparency:index")).content.decode()
    reasons_csv = analyst_client.get(reverse("transparency:reasons_csv")).content.decode()
    lines = list(csv.DictReader(io.StringIO(reasons_csv)))
    table = html[html.index('data-testid="reasons"') :]
    assert re.search(r'data-testid="new-fact">1<', table)
    this_month = {
        (line["kind"], line["reason_code"]): line["count"] for line in lines if line["month"] == month
    }
    assert this_month == {
        ("pendency", "coordenadas-100m"): "1",
        ("pendency", "art-ausente"): "1",
        ("pendency", "potencia-divergente"): "1",
        ("new_fact", ""): "1",
    }
    assert ART in table and COORDINATES in table


def test_refusals_per_reason_per_month_on_the_page_and_in_the_csv(
    client, submitted_order, technical_analyst, commercial_analyst, customer, installation
):
    from atende import services as atende
    from tests.atende.conftest import make_case

    first = timezone.localtime()
    later = first + dt.timedelta(days=35)  # the next month
    m1, m2 = f"{first:%Y-%m}", f"{later:%Y-%m}"
    filed = make_case(customer, installation)
    atende.case_commercial_reject(
        case=filed, by=commercial_analyst, reason="RG ilegível", reasons=["documento-ilegivel"]
    )
    with time_machine.travel(later, tick=False):
        case_technical_reject(
            case=submitted_order.case,
            by=technical_analyst,
            reason="Diagrama sem a proteção",
            reasons=["unifilar-incompleto", "documento-ilegivel"],
        )
    with time_machine.travel(later + dt.timedelta(hours=1), tick=False):
        transparency_compute()
        html = client.get(reverse("transparency:index")).content.decode()
        response = client.get(reverse("transparency:reasons_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    counts = {
        (line["month"], line["kind"], line["reason_code"]): line["count"]
        for line in csv.DictReader(io.StringIO(response.content.decode()))
    }
    assert counts == {
        (m1, "refusal", "documento-ilegivel"): "1",
        (m1, "new_fact", ""): "0",
        (m2, "refusal", "documento-ilegivel"): "1",
        (m2, "refusal", "unifilar-incompleto"): "1",
        (m2, "new_fact", ""): "0",
    }
    table = html[html.index('data-testid="reasons"') :]
    assert f'data-month="{first:%m/%Y}" data-code="documento-ilegivel"' in table
    assert f'data-month="{later:%m/%Y}" data-code="unifilar-incompleto"' in table
    assert customer.email not in response.content.decode() and submitted_order.protocol not in table


def test_only_the_catalogue_curators_edit_it_analysts_read_it(client, technical_analyst, commercial_analyst):
    roles.sync_roles(strict=True)
    reason = DecisionReason.objects.get(code="art-ausente")
    change = reverse("admin:cases_decisionreason_change", args=[reason.pk])
    for analyst in (technical_analyst, commercial_analyst):
        client.force_login(analyst)
        assert client.get(reverse("admin:cases_decisionreason_changelist")).status_code == 200
        client.post(change, {"text": "Outro texto", "norm_reference": "x", "active": "on", "position": 1})
        reason.refresh_from_db()
        assert reason.text == ART  # read only
    curator = factories.StaffFactory(username="curador.motivos", role=roles.REASONS_CURATOR)
    client.force_login(curator)
    response = client.post(
        change, {"text": "ART ausente ou sem pagamento", "norm_reference": "Lei 6.496/1977", "position": 20}
    )
    assert response.status_code == 302
    reason.refresh_from_db()
    assert (
        reason.text == "ART ausente ou sem pagamento" and not reason.active and reason.code == "art-ausente"
    )
    assert (
        not Group.objects.get(name=roles.REASONS_CURATOR)
        .permissions.filter(codename__startswith="delete")
        .exists()
    )
