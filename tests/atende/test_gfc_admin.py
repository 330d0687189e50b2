"""The performance guarantee (GFC, SPEC §6.5) in the commercial admin: verified on the case page before the
NS, listed on its own, released once releasable — always through the kernel's services."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from gdportal.brformats import number_br
from gdportal.cases.choices import CaseState
from gdportal.cases.gfc import gfc_amount, gfc_mark_releasable, gfc_verify
from gdportal.cases.models import Guarantee
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db
SP = ZoneInfo("America/Sao_Paulo")
POWER = Decimal("800")  # minigeneration above 500 kW, modality local: the GFC is required


def pt(message, **values):
    """The message as the pt-BR page shows it (or the English source while it has no translation yet)."""
    with translation.override("pt-br"):
        text = gettext(message)
    return escape(text % values if values else text)


def owed():
    return gfc_amount(POWER)


def mini_case(customer, installation):
    return make_case(
        customer,
        installation,
        state=CaseState.SUBMITTED,
        reason="mini",
        power_kw=POWER,
        gfc_form="bank",
        gfc_bank="itau",
        gfc_amount=owed(),
    )


@pytest.fixture
def case(customer, installation):
    return mini_case(customer, installation)


@pytest.fixture
def no_templates(monkeypatch):
    # The GFC's e-mail templates are written elsewhere; these tests look at the outbox rows, not the text.
    monkeypatch.setattr("gdportal.notifications.services._render", lambda template, context: ("s", "t", "h"))


def expiry():
    return timezone.localdate() + dt.timedelta(days=200)


def verify_data(**overrides):
    data = {
        "gfc-form": "bank",
        "gfc-bank": "itau",
        "gfc-amount": number_br(owed(), 2),
        "gfc-expires_on": expiry().strftime("%d/%m/%Y"),
        "gfc-note": "Carta de fiança n.º 123 conferida.",
    }
    data.update(overrides)
    return data


def change_url(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def verify(client, case, **overrides):
    return client.post(reverse("admin:cases_case_gfc_verify", args=[case.pk]), verify_data(**overrides))


def release(client, case, note=""):
    return client.post(reverse("admin:cases_case_gfc_release", args=[case.pk]), {"note": note}, follow=True)


def verified(case, analyst):
    return gfc_verify(
        case=case, by=analyst, form="bank", bank="itau", amount=owed(), expires_on=expiry(), note=""
    )


def test_the_panel_shows_what_was_declared_and_what_is_owed(client, commercial_analyst, case):
    client.force_login(commercial_analyst)
    html = client.get(change_url(case)).content.decode()
    assert 'id="gfc"' in html and "Itaú Unibanco" in html
    assert "R$ 80.000,00" in html  # 2.5 % × 800 kW × R$ 4.000,00
    assert reverse("admin:cases_case_gfc_verify", args=[case.pk]) in html
    assert 'name="gfc-amount"' in html and 'name="gfc-expires_on"' in html
    assert 'value="80.000,00"' in html  # the declared amount, to check against the guarantee


def test_a_request_without_gfc_has_no_panel(client, commercial_analyst, customer, installation):
    client.force_login(commercial_analyst)
    html = client.get(change_url(make_case(customer, installation))).content.decode()
    assert 'id="gfc"' not in html


def test_approving_before_the_verification_is_refused_with_the_message(client, commercial_analyst, case):
    client.force_login(commercial_analyst)
    response = client.post(reverse("admin:cases_case_decide", args=[case.pk, "approve"]), follow=True)
    assert pt("Verify the performance guarantee (GFC) on this page before issuing the NS.") in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.state == CaseState.SUBMITTED and case.ns is None
    assert not case.events.filter(action="commercial_approved").exists()


def test_an_amount_below_the_owed_one_is_refused_next_to_the_field(client, commercial_analyst, case):
    client.force_login(commercial_analyst)
    response = verify(client, case, **{"gfc-amount": "79.999,99"})
    html = response.content.decode()
    assert response.status_code == 200
    message = pt("The guarantee must be at least R$ %(amount)s.", amount="80.000,00")
    errors = html.index('class="errorlist', html.index('id="gfc"'))
    assert html.index(message) > errors and html.index(message) < html.index('name="gfc-amount"')
    assert 'value="79.999,99"' in html and 'value="Carta de fiança n.º 123 conferida."' not in html
    assert "Carta de fiança n.º 123 conferida.</textarea>" in html  # what was typed is kept
    assert not Guarantee.objects.exists()
    assert not case.deadlines.filter(kind="gfc_expiry").exists()
    assert not case.events.filter(action="gfc_verified").exists()


def test_an_expiry_date_in_the_past_is_refused(client, commercial_analyst, case):
    client.force_login(commercial_analyst)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    html = verify(client, case, **{"gfc-expires_on": yesterday}).content.decode()
    assert pt("The guarantee's expiry date must be in the future.") in html
    assert f'value="{yesterday}"' in html
    assert not Guarantee.objects.exists()


def test_an_unreadable_date_is_refused_by_the_form(client, commercial_analyst, case):
    client.force_login(commercial_analyst)
    html = verify(client, case, **{"gfc-expires_on": "31/02/2027"}).content.decode()
    assert pt("Type the date as dd/mm/yyyy, e.g. 01/03/2027.") in html
    assert not Guarantee.objects.exists()


@pytest.mark.parametrize("amount", ["80.000,00", "80000.00", "80000"])
def test_a_valid_verification_lets_the_ns_be_issued(client, commercial_analyst, case, amount):
    client.force_login(commercial_analyst)
    response = verify(client, case, **{"gfc-amount": amount})
    assert response.status_code == 302 and response["Location"] == change_url(case)
    guarantee = Guarantee.objects.get(case=case)
    assert (guarantee.form, guarantee.bank, guarantee.amount) == ("bank", "itau", Decimal("80000.00"))
    assert guarantee.expires_on == expiry() and guarantee.verified_by == commercial_analyst
    assert guarantee.status == Guarantee.Status.HELD
    clock = case.deadlines.get(kind="gfc_expiry", state="open")
    assert clock.due_at == dt.datetime.combine(expiry(), dt.time(23, 59, 59), tzinfo=SP)
    html = client.get(change_url(case)).content.decode()
    assert expiry().strftime("%d/%m/%Y") in html and str(guarantee.get_status_display()) in html
    client.post(reverse("admin:cases_case_decide", args=[case.pk, "approve"]))
    case.refresh_from_db()
    assert case.state == CaseState.AWAITING_TECHNICAL and len(case.ns) == 10


def test_the_technical_analyst_cannot_verify(client, technical_analyst, case):
    client.force_login(technical_analyst)
    html = client.get(change_url(case)).content.decode()
    assert 'id="gfc"' in html and 'name="gfc-amount"' not in html  # sees the panel, not the form
    assert verify(client, case).status_code == 403
    with pytest.raises(PermissionDenied):
        verified(case, technical_analyst)
    assert not Guarantee.objects.exists()


def test_release_is_refused_while_the_guarantee_is_held(client, commercial_analyst, case):
    verified(case, commercial_analyst)
    client.force_login(commercial_analyst)
    html = release(client, case, "devolvida").content.decode()
    assert pt("Only a releasable guarantee can be released.") in html
    assert Guarantee.objects.get(case=case).status == Guarantee.Status.HELD
    assert reverse("admin:cases_case_gfc_release", args=[case.pk]) not in html  # no form while held


def test_a_releasable_guarantee_is_released_and_who_did_it_recorded(
    client, commercial_analyst, technical_analyst, case, no_templates
):
    verified(case, commercial_analyst)
    gfc_mark_releasable(case=case, reason="Pedido cancelado")
    client.force_login(technical_analyst)
    assert release(client, case).status_code == 403
    client.force_login(commercial_analyst)
    html = client.get(change_url(case)).content.decode()
    assert reverse("admin:cases_case_gfc_release", args=[case.pk]) in html and "Pedido cancelado" in html
    html = release(client, case, "Carta de fiança devolvida ao cliente.").content.decode()
    guarantee = Guarantee.objects.get(case=case)
    assert guarantee.status == Guarantee.Status.RELEASED and guarantee.released_by == commercial_analyst
    assert guarantee.released_at and guarantee.release_note == "Carta de fiança devolvida ao cliente."
    assert case.events.filter(action="gfc_released", actor=commercial_analyst).count() == 1
    assert "Carta de fiança devolvida ao cliente." in html
    assert reverse("admin:cases_case_gfc_release", args=[case.pk]) not in html
    release(client, case)  # a second release changes nothing
    assert case.events.filter(action="gfc_released").count() == 1


# --- the guarantees' own list ------------------------------------------------------------------------------


def test_the_list_shows_filters_searches_and_orders(client, commercial_analyst, customer, installation):
    held = mini_case(customer, installation)
    verified(held, commercial_analyst)
    soon = mini_case(customer, installation)
    gfc_verify(
        case=soon,
        by=commercial_analyst,
        form="cash",
        bank="",
        amount=Decimal("90000"),
        expires_on=timezone.localdate() + dt.timedelta(days=40),
    )
    client.force_login(commercial_analyst)
    url = reverse("admin:cases_guarantee_changelist")
    html = client.get(url).content.decode()
    assert html.index(soon.protocol) < html.index(held.protocol)  # held first, the nearest expiry first
    assert "R$ 90.000,00" in html and "Itaú Unibanco" in html
    assert (timezone.localdate() + dt.timedelta(days=40)).strftime("%d/%m/%Y") in html
    searched = client.get(url, {"q": held.protocol}).content.decode()
    assert held.protocol in searched and soon.protocol not in searched
    assert held.protocol not in client.get(url, {"status__exact": "releasable"}).content.decode()
    assert held.protocol in client.get(url, {"status__exact": "held"}).content.decode()


def test_the_list_runs_a_fixed_number_of_queries(
    client, commercial_analyst, customer, installation, django_assert_max_num_queries
):
    for _ in range(3):
        verified(mini_case(customer, installation), commercial_analyst)
    client.force_login(commercial_analyst)
    url = reverse("admin:cases_guarantee_changelist")
    client.get(url)
    with django_assert_max_num_queries(20) as baseline:
        assert client.get(url).status_code == 200
    for _ in range(17):
        verified(mini_case(customer, installation), commercial_analyst)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        html = client.get(url).content.decode()
    assert html.count('class="field-protocol"') == 20


def test_the_guarantee_page_is_read_only_and_releases_when_releasable(
    client, commercial_analyst, case, no_templates
):
    guarantee = verified(case, commercial_analyst)
    client.force_login(commercial_analyst)
    url = reverse("admin:cases_guarantee_change", args=[guarantee.pk])
    html = client.get(url).content.decode()
    assert change_url(case) in html and case.protocol in html
    assert 'name="amount"' not in html and "R$ 80.000,00" in html
    assert reverse("admin:cases_guarantee_release", args=[guarantee.pk]) not in html
    client.post(url, {"amount": "1"})
    assert Guarantee.objects.get(pk=guarantee.pk).amount == owed()
    gfc_mark_releasable(case=case, reason="Pedido cancelado")
    html = client.get(url).content.decode()
    assert reverse("admin:cases_guarantee_release", args=[guarantee.pk]) in html
    response = client.post(reverse("admin:cases_guarantee_release", args=[guarantee.pk]), {"note": "ok"})
    assert response.status_code == 302 and response["Location"] == url
    assert Guarantee.objects.get(pk=guarantee.pk).status == Guarantee.Status.RELEASED


def test_others_do_not_reach_the_guarantees(client, technical_analyst, customer, case, commercial_analyst):
    guarantee = verified(case, commercial_analyst)
    client.force_login(technical_analyst)  # no cases.view_guarantee
    assert client.get(reverse("admin:cases_guarantee_changelist")).status_code == 403
    client.force_login(customer)
    response = client.get(reverse("admin:cases_guarantee_change", args=[guarantee.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert verify(client, case).status_code == 302  # the admin's login, not the action
    assert Guarantee.objects.get(pk=guarantee.pk).note == ""
