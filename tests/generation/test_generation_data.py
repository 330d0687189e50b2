"""The plant as data (SPEC §16): the RT's "Dados técnicos da geração", its rules at submission, the API and
the analyst's verdict."""

from decimal import Decimal

import pytest
from django.urls import reverse

from aprweb.services_orders import order_submit
from aprweb.services_technical import case_technical_approve, version_verdict
from gdportal.cases.choices import CaseState, Reason
from gdportal.cases.documents import latest_versions
from gdportal.cases.models import Case
from gdportal.cases.reasons import DecisionReason
from gdportal.cases.services import RuleBroken, ServiceError
from gdportal.generation.models import GenerationData
from gdportal.generation.rules import installed_kw
from gdportal.generation.services import generation_store
from gdportal.generation.validate import power_errors
from tests import factories
from tests.api.conftest import token_client
from tests.aprweb.conftest import apr_client, attach_all, build_order, rt_registration  # noqa: F401
from tests.atende.conftest import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_as():
    return token_client


@pytest.fixture
def awaiting_case(customer, installation):
    return make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL)


@pytest.fixture
def order(awaiting_case, rt, rt_registration):  # noqa: F811
    return build_order(awaiting_case, rt)


def documented(order, rt, **generation):
    """Every document attached and the data step filled as given (the request's 8,5 kW by default)."""
    factories.fill_generation(order.case, rt, **generation)
    attach_all(order, rt)
    return order


# --- the installed power against the request -------------------------------------------------------


def test_the_order_is_not_sent_when_the_inverters_do_not_add_up_to_the_requests_power(order, rt):
    documented(order, rt, power_kw=Decimal("8"))
    with pytest.raises(ServiceError) as refused:
        order_submit(order=order, by=rt)
    message = str(refused.value)
    # Both figures named, and what to do.
    assert (
        "(8 kW)" in message
        and "(8,5 kW)" in message
        and "re-analysis" in message.lower()
        or "reanálise" in message
    )
    order.case.refresh_from_db()
    assert order.case.state == CaseState.AWAITING_TECHNICAL


def test_with_the_inverters_equal_to_the_request_the_order_goes_to_analysis(order, rt):
    documented(order, rt)
    case = order_submit(order=order, by=rt)
    assert case.state == CaseState.TECHNICAL_REVIEW


def test_the_smaller_rule_takes_the_modules_kwp_when_they_are_below_the_inverters(order, rt, settings):
    # 10 kW of inverters over 8,5 kWp of modules (17 × 500 W): 10 kW by default, refused for 8,5 kW.
    modules = [{"manufacturer": "Jinko", "model": "Tiger 500", "power_w": Decimal(500), "quantity": 17}]
    documented(order, rt, power_kw=Decimal("10"), modules=modules)
    with pytest.raises(ServiceError, match="10 kW"):
        order_submit(order=order, by=rt)
    settings.GD_INSTALLED_POWER_RULE = "smaller"
    assert order_submit(order=order, by=rt).state == CaseState.TECHNICAL_REVIEW


def test_installed_power_rules_on_plain_rows():
    modules = [{"power_w": Decimal(550), "quantity": 20}]  # 11 kWp
    inverters = [{"power_kw": Decimal(5), "quantity": 2}]  # 10 kW CA
    assert installed_kw("inverter", modules, inverters, [], rule="inverters") == Decimal(10)
    assert installed_kw("inverter", modules, inverters, [], rule="smaller") == Decimal(10)
    assert (
        installed_kw("inverter", [{"power_w": Decimal(450), "quantity": 20}], inverters, [], rule="smaller")
        == 9
    )
    assert installed_kw("synchronous", [], [], [{"power_kva": Decimal(30), "quantity": 2}]) == Decimal(60)


# --- motivo bracket, GFC, fast track from the structured total -------------------------------------


def test_the_motivo_bracket_is_judged_on_the_structured_total(customer, installation, rt, rt_registration):  # noqa: F811
    case = make_case(
        customer, installation, state=CaseState.AWAITING_TECHNICAL, power_kw="12", reason="micro_gt10"
    )
    # An older request whose motivo no longer fits its power (filed before the rule): the data say 12 kW.
    Case.objects.filter(pk=case.pk).update(reason="micro_le10")
    order = build_order(Case.objects.get(pk=case.pk), rt)
    documented(order, rt)
    with pytest.raises(ServiceError) as refused:
        order_submit(order=order, by=rt)
    # The motivo the data's 12 kW belong to, and the one filed, by their labels.
    assert str(Reason.MICRO_ABOVE_10.label) in str(refused.value)
    assert str(Reason.MICRO_UP_TO_10.label) in str(refused.value)


def test_minigeneration_above_500_kw_by_the_data_needs_the_guarantee(awaiting_case):
    case = awaiting_case
    case.power_kw, case.reason, case.modality, case.gfc_form = Decimal(600), "mini", "local", ""
    errors = power_errors(case, Decimal(600))
    assert len(errors) == 1 and "GFC" in errors[0]
    case.gfc_form = "cash"
    assert power_errors(case, Decimal(600)) == []
    # Shared generation is exempt (SPEC §6.5).
    case.gfc_form, case.modality = "", "shared"
    assert power_errors(case, Decimal(600)) == []


def test_a_fast_track_request_may_not_carry_more_than_7_5_kw_of_equipment(awaiting_case):
    case = awaiting_case
    case.flow_dispensation, case.power_kw = "fast_track", Decimal("8.5")
    assert any("7,5 kW" in e for e in power_errors(case, Decimal("8.5")))
    case.power_kw = Decimal("7.5")
    assert power_errors(case, Decimal("7.5")) == []


# --- participating units (§7.1 rules) --------------------------------------------------------------


@pytest.fixture
def remote_case(customer, installation):
    return make_case(customer, installation, state=CaseState.AWAITING_TECHNICAL, modality="remote")


def test_participating_units_over_100_percent_are_refused_at_the_row(remote_case, rt):
    a = factories.InstallationFactory(customer=remote_case.customer)
    b = factories.InstallationFactory(customer=remote_case.customer)
    units = [
        {"installation": a.number, "percentage": Decimal(60), "priority": None},
        {"installation": b.number, "percentage": Decimal(50), "priority": None},
    ]
    with pytest.raises(RuleBroken) as refused:
        generation_store(
            case=remote_case, by=rt, values=factories.generation_values(remote_case, units=units)
        )
    assert "110" in refused.value.errors["units.1.percentage"]
    assert not GenerationData.objects.filter(case=remote_case).exists()


def test_remote_self_consumption_units_have_the_generators_holder(remote_case, rt):
    stranger = factories.InstallationFactory()
    units = [{"installation": stranger.number, "percentage": Decimal(30), "priority": None}]
    with pytest.raises(RuleBroken) as refused:
        generation_store(
            case=remote_case, by=rt, values=factories.generation_values(remote_case, units=units)
        )
    assert stranger.number in refused.value.errors["units.0.installation"]


def test_local_self_consumption_lists_no_units(awaiting_case, rt):
    other = factories.InstallationFactory(customer=awaiting_case.customer)
    units = [{"installation": other.number, "percentage": Decimal(30), "priority": None}]
    with pytest.raises(RuleBroken) as refused:
        generation_store(
            case=awaiting_case, by=rt, values=factories.generation_values(awaiting_case, units=units)
        )
    assert "units" in refused.value.errors


# --- declarations and versions ---------------------------------------------------------------------


def test_declarations_keep_who_and_when_and_the_version_moves_only_on_a_change(awaiting_case, rt, other_rt):
    data = factories.fill_generation(awaiting_case, rt)
    first = {d.code: (d.by_id, d.at) for d in data.declarations.all()}
    assert set(first) == {"8.4", "8.6"} and data.version == 1
    again = factories.fill_generation(awaiting_case, other_rt)
    assert again.version == 1  # the same data saved again
    assert {d.code: (d.by_id, d.at) for d in again.declarations.all()} == first
    changed = factories.fill_generation(awaiting_case, other_rt, declarations=["8.1", "8.4", "8.6"])
    assert changed.version == 2
    assert changed.declarations.get(code="8.1").by == other_rt


def test_the_required_declarations_are_needed_to_send(order, rt):
    documented(order, rt, declarations=["8.4"])
    with pytest.raises(ServiceError, match="8.6"):
        order_submit(order=order, by=rt)


# --- the page, with and without JavaScript ---------------------------------------------------------


def test_add_row_without_javascript_keeps_what_was_typed_and_adds_an_empty_row(order, apr_client):  # noqa: F811
    url = reverse("aprweb:order_generation", args=[order.pk])
    response = apr_client.post(url, factories.generation_page_data(add_row="modules"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="modules-1-manufacturer"' in html and 'value="CS6W-550MS"' in html
    assert 'name="modules-TOTAL_FORMS" value="2"' in html
    # The totals the server computed from what was typed: 16 × 550 W and 8,5 kW.
    assert 'data-testid="total-modules">8,8<' in html and 'data-testid="total-inverters">8,5<' in html
    assert not GenerationData.objects.filter(case=order.case).exists()  # nothing saved yet


def test_remove_row_without_javascript(order, apr_client):  # noqa: F811
    url = reverse("aprweb:order_generation", args=[order.pk])
    data = factories.generation_page_data(
        **{"modules-TOTAL_FORMS": "2", "modules-1-manufacturer": "Jinko", "modules-1-model": "X"}
    )
    html = apr_client.post(url, {**data, "remove_row": "modules-0"}).content.decode()
    assert 'value="Jinko"' in html and 'value="CS6W-550MS"' not in html


def test_saving_the_page_stores_the_rows_and_the_declarations(order, apr_client, rt):  # noqa: F811
    url = reverse("aprweb:order_generation", args=[order.pk])
    response = apr_client.post(url, factories.generation_page_data(save="1"))
    assert response.status_code == 302
    data = GenerationData.objects.get(case=order.case)
    assert data.inverters.get().power_kw == Decimal("8.5") and data.modules.get().quantity == 16
    assert {d.code for d in data.declarations.filter(by=rt)} == {"8.4", "8.6"}
    page = apr_client.get(url).content.decode()
    assert "Growatt" in page


def test_a_broken_row_is_told_at_the_row(order, apr_client):  # noqa: F811
    url = reverse("aprweb:order_generation", args=[order.pk])
    response = apr_client.post(url, factories.generation_page_data(save="1", **{"inverters-0-quantity": "0"}))
    assert response.status_code == 400
    assert 'data-testid="row-error"' in response.content.decode()


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_reads_and_writes_the_same_data(order, rt, api_as):
    api = api_as(rt)
    api.default_format = "json"
    url = f"/api/v1/orders/{order.pk}/generation/"
    assert api.get(url).json()["version"] == 0
    saved = api.put(url, factories.generation_api_body())
    assert saved.status_code == 200, saved.content
    assert (
        saved.json()["totals"]["installed_kw"] == "8.500" and saved.json()["totals"]["modules_kwp"] == "8.800"
    )
    data = GenerationData.objects.get(case=order.case)
    assert data.inverters.get().model == "MIN 8000TL-X"
    assert {d["code"] for d in api.get(url).json()["declarations"]} == {"8.4", "8.6"}
    # The same rule as the page, reported at the row's field; nothing changed.
    refused = api.put(
        url,
        factories.generation_api_body(
            inverters=[{**factories.generation_api_body()["inverters"][0], "power_kw": "abc"}]
        ),
    )
    assert refused.status_code == 400
    assert any(e["field"] == "inverters.0.power_kw" for e in refused.json()["errors"]), refused.json()
    assert api.put(url, factories.generation_api_body(declarations=["9.9"])).status_code == 400
    assert GenerationData.objects.get(case=order.case).version == 1


def test_the_api_refuses_units_over_100_percent(remote_case, rt, api_as):
    order = build_order(remote_case, rt)
    a = factories.InstallationFactory(customer=remote_case.customer)
    b = factories.InstallationFactory(customer=remote_case.customer)
    api = api_as(rt)
    api.default_format = "json"
    units = [{"installation": a.number, "percentage": "70"}, {"installation": b.number, "percentage": "40"}]
    refused = api.put(f"/api/v1/orders/{order.pk}/generation/", factories.generation_api_body(units=units))
    assert refused.status_code == 400
    assert any(e["field"] == "units.1.percentage" for e in refused.json()["errors"])


def test_another_rt_cannot_reach_the_data(order, other_rt, api_as):
    assert api_as(other_rt).get(f"/api/v1/orders/{order.pk}/generation/").status_code == 404


# --- the analyst's verdict -------------------------------------------------------------------------


def test_approving_needs_the_data_step_conforming(order, rt, technical_analyst):
    documented(order, rt)
    case = order_submit(order=order, by=rt)
    for version in latest_versions(case).values():
        if version.kind != "identity":
            version_verdict(version=version, by=technical_analyst, verdict="conforming")
    with pytest.raises(ServiceError, match="Generation technical data|Dados técnicos da geração"):
        case_technical_approve(case=case, by=technical_analyst)
    factories.judge_generation(case, technical_analyst)
    assert case_technical_approve(case=case, by=technical_analyst).state == CaseState.APPROVED


def test_the_review_form_judges_the_data_step_and_a_nonconforming_one_suspends(
    order, rt, client, technical_analyst
):
    documented(order, rt)
    case = order_submit(order=order, by=rt)
    client.force_login(technical_analyst)
    url = reverse("admin:aprweb_technicalqueue_change", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="generation-data"' in page and "MIN 8000TL-X" in page
    response = client.post(
        url,
        {
            "all_conforming": "on",
            "data_verdict": "nonconforming",
            "data_note": "Inversor sem registro",
            "decision": "suspend",
            # Every pendência names its reasons from the catalogue (SPEC §15).
            "reasons": [DecisionReason.objects.get(code="inversor-sem-inmetro").pk],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.PENDING_CORRECTION
    assert GenerationData.objects.get(case=case).verdict_current == "nonconforming"
    # The RT must change the data before resending: the same data would be judged the same.
    with pytest.raises(ServiceError):
        order_submit(order=order, by=rt)


def test_the_titular_confirms_the_units_that_become_the_allocation(remote_case, rt, customer):
    from gdportal.generation.selectors import confirmed_units
    from gdportal.generation.services import units_confirm

    factories.fill_generation(remote_case, rt)
    assert confirmed_units(remote_case) == (None, [])
    with pytest.raises(ServiceError):
        units_confirm(case=remote_case, by=rt)  # the RT files them, only the holder confirms
    units_confirm(case=remote_case, by=customer)
    mode, units = confirmed_units(remote_case)
    assert mode == "percent" and [pct for _number, pct, _priority in units] == [Decimal("40.00")]
    # Changing a unit's share after the confirmation needs a new one.
    unit = units[0][0]
    factories.fill_generation(
        remote_case, rt, units=[{"installation": unit, "percentage": Decimal(30), "priority": None}]
    )
    assert confirmed_units(remote_case) == (None, [])
