"""Cadastramento de UC recebedora (SPEC §7.1, issue 12 item 1): the titular's form with its rows, every rule's
message at the row (or field) that breaks it, "Inserir registro" without JavaScript, the commercial analyst's
decision in the admin with the effective cycle, the history, the e-mails, and who may do what."""

import html
import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext

from compensation.allocation_rules import RowInput, first_cycle_for
from compensation.models import AllocationSet, AllocationStatus, Generator
from compensation.services import allocation_accept, allocation_refuse, allocation_request
from gdportal.brdocs import cnpj_with_check_digits
from gdportal.notifications.models import OutboundEmail
from tests import factories
from tests.files import pdf_bytes

SP = ZoneInfo("America/Sao_Paulo")
REQUEST_DAY = datetime(2026, 3, 15, 10, 0, tzinfo=SP)
DECISION_DAY = datetime(2026, 3, 20, 15, 0, tzinfo=SP)


def make_generator(installation, **fields):
    values = {
        "connected_on": date(2025, 6, 1),
        "power_kw": Decimal("10.00"),
        "source": "solar",
        "modality": "remote",
        "requested_on": date(2025, 2, 1),
        "gd_class": "II",
    }
    values.update(fields)
    return Generator.objects.create(installation=installation, **values)


@pytest.fixture
def generator(installation):
    return make_generator(installation)


@pytest.fixture
def units(customer_record):
    """Two active units of the generator's titular."""
    return [factories.InstallationFactory(customer=customer_record) for _ in range(2)]


def form_data(rows, mode="percent", **fields):
    """The POST of the form; `rows` are (installation, share): the share is the percentage or the position."""
    data = {
        "unit_type": "remote",
        "voltage": "BT",
        "contact_name": "Maria Aparecida Souza",
        "contact_phone": "(31) 98888-7777",
        "contact_mobile": "",
        "contact_email": "maria@example.com",
        "mode": mode,
        "legal_form": "",
        "rows-TOTAL_FORMS": str(len(rows)),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "50",
    }
    share_field = "percent" if mode == "percent" else "priority"
    for index, (number, share) in enumerate(rows):
        data[f"rows-{index}-installation"] = number
        data[f"rows-{index}-{share_field}"] = share
    data.update(fields)
    return data


def register_url(generator):
    return reverse("compensation_atende:register", args=[generator.installation.number])


def page(response):
    return html.unescape(response.content.decode())


def row_html(response, line):
    """The HTML of row `line` (1-based) of "Relação de instalações"."""
    body = response.content.decode().split("<tbody data-rows>", 1)[1].split("</tbody>", 1)[0]
    return html.unescape(body.split("<tr data-row")[1:][line - 1])


def row_count(response):
    body = response.content.decode().split("<tbody data-rows>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr data-row")


def pdf_upload(name="instrumento.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def post(client, generator, rows, **fields):
    return client.post(register_url(generator), form_data(rows, **fields))


# --- the page, and who may open it -------------------------------------------------------------------------


def test_the_gd_service_page_links_to_the_compensation_system(client, customer):
    client.force_login(customer)
    text = page(client.get(reverse("atende:gd")))
    assert gettext("Compensation system") in text and reverse("compensation_atende:home") in text


def test_the_form_is_prefilled_from_the_registry(client, customer, generator):
    client.force_login(customer)
    response = client.get(register_url(generator))
    text = page(response)
    assert response.status_code == 200
    assert generator.installation.number in text and generator.installation.address in text
    assert response.context["form"]["voltage"].value() == "BT"
    assert response.context["form"]["contact_email"].value() == customer.customer.email
    assert row_count(response) == 2
    assert "<template data-row-template>" in response.content.decode()
    assert "js/allocation.js" in text


def test_another_customer_gets_404(client, outsider, generator):
    client.force_login(outsider)
    assert client.get(register_url(generator)).status_code == 404
    assert client.post(register_url(generator), form_data([])).status_code == 404
    assert AllocationSet.objects.count() == 0


def test_an_rt_and_staff_cannot_file(client, rt, commercial_analyst, generator, units):
    for user in (rt, commercial_analyst):
        client.force_login(user)
        assert client.get(reverse("compensation_atende:home")).status_code == 403
        assert client.post(register_url(generator), form_data([(units[0].number, "50")])).status_code == 403
    with pytest.raises(PermissionDenied):
        allocation_request(
            generator=generator,
            by=rt,
            mode="percent",
            unit_type="remote",
            rows=[RowInput(units[0].number, Decimal(50))],
        )
    assert AllocationSet.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(client, generator):
    response = client.get(register_url(generator))
    assert response.status_code == 302 and "login" in response["Location"]


# --- a valid request ---------------------------------------------------------------------------------------


def test_a_valid_60_40_request_is_pending_and_acknowledged(client, customer, generator, units):
    client.force_login(customer)
    response = post(client, generator, [(units[0].number, "60"), (units[1].number, "40,00")])
    assert response.status_code == 302 and response["Location"] == reverse("compensation_atende:home")
    allocation_set = AllocationSet.objects.get()
    assert allocation_set.status == AllocationStatus.PENDING and allocation_set.mode == "percent"
    assert allocation_set.requested_by == customer and allocation_set.unit_type == "remote"
    assert allocation_set.contact_phone == "31988887777" and allocation_set.voltage == "BT"
    assert {(r.installation.number, r.percent) for r in allocation_set.rows.all()} == {
        (units[0].number, Decimal("60.00")),
        (units[1].number, Decimal("40.00")),
    }
    assert OutboundEmail.objects.filter(template="allocation_received").count() == 1
    home = page(client.get(reverse("compensation_atende:home")))
    assert gettext("Awaiting analysis") in home and units[0].number in home


def test_blank_rows_are_ignored_and_the_dot_is_a_decimal_point(client, customer, generator, units):
    client.force_login(customer)
    response = post(client, generator, [(units[0].number, "33.33"), ("", ""), (units[1].number, "66,67")])
    assert response.status_code == 302
    assert sorted(r.percent for r in AllocationSet.objects.get().rows.all()) == [
        Decimal("33.33"),
        Decimal("66.67"),
    ]


def test_priority_order_with_the_unit_that_takes_the_remainder(client, customer, generator, units):
    client.force_login(customer)
    data = form_data([(units[0].number, "2"), (units[1].number, "1")], mode="priority", remainder_to="0")
    response = client.post(register_url(generator), data)
    assert response.status_code == 302
    allocation_set = AllocationSet.objects.get()
    assert allocation_set.mode == "priority" and allocation_set.remainder_to == units[0]
    assert [(r.installation, r.priority) for r in allocation_set.rows.order_by("priority")] == [
        (units[1], 1),
        (units[0], 2),
    ]


def test_a_cnpj_titular_may_send_to_a_branch_with_the_same_root(client, db):
    root = "12345678"
    head = factories.CustomerFactory(document=cnpj_with_check_digits(root + "0001"), person_type="PJ")
    branch = factories.CustomerFactory(document=cnpj_with_check_digits(root + "0002"), person_type="PJ")
    user = factories.UserFactory(customer=head)
    generator = make_generator(factories.InstallationFactory(customer=head))
    unit = factories.InstallationFactory(customer=branch)
    client.force_login(user)
    response = post(client, generator, [(unit.number, "100")])
    assert response.status_code == 302 and AllocationSet.objects.get().rows.get().installation == unit


# --- every rule, at its row -------------------------------------------------------------------------------


def test_a_zero_percentage_is_refused_at_its_row(client, customer, generator, units):
    client.force_login(customer)
    response = post(client, generator, [(units[0].number, "50"), (units[1].number, "0")])
    assert response.status_code == 400
    assert gettext("The percentage must be greater than zero.") in row_html(response, 2)
    assert gettext("The percentage must be greater than zero.") not in row_html(response, 1)
    assert AllocationSet.objects.count() == 0


def test_three_decimals_are_refused_at_the_row(client, customer, generator, units):
    client.force_login(customer)
    response = post(client, generator, [(units[0].number, "33,333"), (units[1].number, "10")])
    assert response.status_code == 400
    assert gettext("Use at most 2 decimal places, e.g. 33,33.") in row_html(response, 1)
    assert 'value="33,333"' in row_html(response, 1)  # what was typed stays


def test_a_total_above_100_is_refused_at_the_row_that_passes_it_and_in_the_summary(
    client, customer, generator, units
):
    client.force_login(customer)
    response = post(client, generator, [(units[0].number, "60"), (units[1].number, "50")])
    assert response.status_code == 400
    at_row = gettext("With this row the percentages reach %(total)s %%, above 100 %%.") % {"total": "110"}
    assert at_row in row_html(response, 2) and at_row not in row_html(response, 1)
    summary = page(response).split('data-testid="error-summary"', 1)[1].split("</div>", 1)[0]
    total = gettext(
        "The percentages add up to %(total)s %%: the total may not exceed 100 %% (what is not "
        "allocated stays with the generating unit)."
    ) % {"total": "110"}
    assert total in summary


@pytest.mark.parametrize(
    ("make_unit", "message"),
    [
        (
            lambda c: factories.InstallationFactory(customer=c, status="closed"),
            "Installation %(number)s is closed: only active units receive credits.",
        ),
        (
            lambda c: factories.InstallationFactory.build(number="3999999999"),
            "Installation %(number)s is not in Cemig's registry: credits go only to Cemig consumer units, in "
            "its concession area. Check the number on the electricity bill.",
        ),
        (
            lambda c: factories.InstallationFactory(),
            "Installation %(number)s belongs to another holder. In remote self-consumption every receiving "
            "unit has the generating unit's holder (the same CPF, or the same CNPJ root); other holders take "
            "part only through shared generation or multiple consumer units.",
        ),
    ],
    ids=["closed", "unknown-or-another-distributor", "another-titular-in-autoconsumo-remoto"],
)
def test_a_unit_that_may_not_receive_is_refused_at_its_row(
    client, customer, customer_record, generator, units, make_unit, message
):
    unit = make_unit(customer_record)
    client.force_login(customer)
    response = post(client, generator, [(units[0].number, "50"), (unit.number, "20")])
    assert response.status_code == 400
    expected = gettext(message) % {"number": unit.number}
    assert expected in row_html(response, 2) and expected not in row_html(response, 1)
    assert AllocationSet.objects.count() == 0


def test_a_malformed_number_a_repeated_unit_and_the_generator_itself_each_at_its_row(
    client, customer, generator, units
):
    client.force_login(customer)
    rows = [
        (units[0].number, "10"),
        ("12345", "10"),
        (units[0].number, "10"),
        (generator.installation.number, "10"),
    ]
    response = post(client, generator, rows)
    assert response.status_code == 400
    assert gettext("An installation number has 10 digits.") in row_html(response, 2)
    repeated = gettext("Installation %(number)s is already in row %(line)s: list each unit once.") % {
        "number": units[0].number,
        "line": 1,
    }
    assert repeated in row_html(response, 3)
    itself = gettext(
        "This is the generating unit itself: it is not listed, what is not allocated to the other units "
        "already stays with it."
    )
    assert itself in row_html(response, 4)
    assert 'data-testid="row-error"' not in row_html(response, 1)


def test_a_repeated_position_in_priority_order_is_refused_at_the_row(client, customer, generator, units):
    client.force_login(customer)
    data = form_data([(units[0].number, "1"), (units[1].number, "1")], mode="priority")
    response = client.post(register_url(generator), data)
    assert response.status_code == 400
    message = gettext("Position %(position)s is already given to row %(line)s.") % {"position": 1, "line": 1}
    assert message in row_html(response, 2)


def test_the_remainder_must_go_to_a_listed_unit(client, customer, generator, units):
    client.force_login(customer)
    data = form_data([(units[0].number, "1"), ("", "")], mode="priority", remainder_to="1")
    response = client.post(register_url(generator), data)
    assert response.status_code == 400
    assert gettext("The unit that takes the remainder must be one of the units listed.") in page(response)


def test_an_empty_list_is_refused(client, customer, generator):
    client.force_login(customer)
    response = post(client, generator, [("", ""), ("", "")])
    assert response.status_code == 400
    assert gettext("List at least one receiving unit in “Relação de instalações”.") in page(response)


def test_shared_generation_needs_the_legal_form_and_the_instrument(client, customer, installation):
    generator = make_generator(installation, modality="shared")
    other = factories.InstallationFactory()  # another titular: allowed in shared generation
    client.force_login(customer)
    response = post(client, generator, [(other.number, "30")], unit_type="shared")
    assert response.status_code == 400
    text = page(response)
    assert gettext("Choose how the participants of the shared generation are bound.") in text
    assert (
        gettext(
            "Attach the legal instrument that binds the participants (the consortium or cooperative "
            "agreement, the condominium's convention…): it is required for shared generation and for "
            "multiple consumer units."
        )
        in text
    )
    assert 'data-testid="row-error"' not in row_html(response, 1)  # another titular is fine here

    data = form_data([(other.number, "30")], unit_type="shared", legal_form="cooperative")
    data["legal_instrument"] = pdf_upload()
    response = client.post(register_url(generator), data)
    assert response.status_code == 302
    allocation_set = AllocationSet.objects.get()
    assert (
        allocation_set.legal_form == "cooperative"
        and allocation_set.legal_instrument_name == "instrumento.pdf"
    )
    assert len(allocation_set.legal_instrument_sha256) == 64
    assert "instrumento" not in allocation_set.legal_instrument.name  # stored under a random key


def test_emuc_chosen_on_the_form_needs_the_instrument_too(client, customer, generator, units):
    client.force_login(customer)
    response = post(client, generator, [(units[0].number, "30")], unit_type="emuc", legal_form="condominium")
    assert response.status_code == 400
    assert 'name="legal_instrument"' in response.content.decode()
    assert "legal_instrument" in response.context["form"].errors


def test_a_lei_11795_consortium_is_refused(client, customer, installation):
    generator = make_generator(installation, modality="shared")
    other = factories.InstallationFactory()
    client.force_login(customer)
    data = form_data([(other.number, "30")], unit_type="shared", legal_form="consortium_11795")
    data["legal_instrument"] = pdf_upload()
    response = client.post(register_url(generator), data)
    assert response.status_code == 400
    assert "consórcio de bens" in response.context["form"].errors["legal_form"][0]
    assert AllocationSet.objects.count() == 0


def test_the_fast_track_unit_is_told_and_refused(client, customer, installation, units):
    generator = make_generator(installation, modality="local", power_kw=Decimal("7.50"))
    message = gettext(
        "This generating unit (local self-consumption up to 7,5 kW, connected without the flow-inversion "
        "study) may not send credits to other units (REN 1.000 art. 73-A §2 II): its surplus stays as credit "
        "at the unit itself."
    )
    client.force_login(customer)
    assert message in page(client.get(register_url(generator)))
    assert message in page(client.get(reverse("compensation_atende:home")))
    response = post(client, generator, [(units[0].number, "50")], unit_type="micro")
    assert response.status_code == 400 and message in response.context["form"].non_field_errors()
    assert AllocationSet.objects.count() == 0


def test_a_second_registration_waits_for_the_first(client, customer, generator, units):
    client.force_login(customer)
    assert post(client, generator, [(units[0].number, "50")]).status_code == 302
    response = post(client, generator, [(units[1].number, "50")])
    assert response.status_code == 400 and AllocationSet.objects.count() == 1


def test_rules_and_missing_fields_show_together(client, customer, generator, units):
    client.force_login(customer)
    response = post(client, generator, [(units[0].number, "0")], contact_name="")
    assert response.status_code == 400
    assert "contact_name" in response.context["form"].errors
    assert gettext("The percentage must be greater than zero.") in row_html(response, 1)


# --- "Inserir registro" without JavaScript -----------------------------------------------------------------


def test_add_row_without_javascript_keeps_everything_typed(client, customer, generator, units):
    client.force_login(customer)
    data = form_data([(units[0].number, "60"), (units[1].number, "40")], contact_name="Fulana de Tal")
    data["add_row"] = "1"
    response = client.post(register_url(generator), data)
    assert response.status_code == 200
    assert row_count(response) == 3
    assert f'value="{units[0].number}"' in row_html(response, 1) and 'value="60"' in row_html(response, 1)
    assert f'value="{units[1].number}"' in row_html(response, 2) and 'value="40"' in row_html(response, 2)
    assert 'value=""' in row_html(response, 3)
    assert 'value="Fulana de Tal"' in page(response)
    assert 'data-testid="error-summary"' not in response.content.decode()
    assert AllocationSet.objects.count() == 0


def test_add_row_keeps_the_chosen_pdf_for_the_submit(client, customer, installation):
    generator = make_generator(installation, modality="shared")
    other = factories.InstallationFactory()
    client.force_login(customer)
    data = form_data([(other.number, "30")], unit_type="shared", legal_form="cooperative", add_row="1")
    data["legal_instrument"] = pdf_upload("estatuto.pdf")
    response = client.post(register_url(generator), data)
    assert response.status_code == 200 and "estatuto.pdf" in page(response)
    token = re.search(r'name="held_uploads" value="([^"]+)"', response.content.decode()).group(1)
    data = form_data([(other.number, "30"), ("", "")], unit_type="shared", legal_form="cooperative")
    data["held_uploads"] = token
    response = client.post(register_url(generator), data)
    assert response.status_code == 302
    assert AllocationSet.objects.get().legal_instrument_name == "estatuto.pdf"


# --- the analyst's decision ---------------------------------------------------------------------------------


def _file_request(generator, customer, units, shares=("60", "40")):
    with time_machine.travel(REQUEST_DAY, tick=False):
        return allocation_request(
            generator=generator,
            by=customer,
            mode="percent",
            unit_type="remote",
            contact_email="contato@example.com",
            rows=[RowInput(unit.number, Decimal(share)) for unit, share in zip(units, shares, strict=True)],
        )


def test_the_first_cycle_follows_the_notice_setting(settings):
    settings.GD_ALLOCATION_NOTICE_DAYS = 60
    assert first_cycle_for(date(2026, 3, 15)) == date(2026, 6, 1)  # 14/05 → the cycle that starts 01/06
    assert first_cycle_for(date(2026, 3, 2)) == date(2026, 5, 1)  # 01/05 is 60 days after
    settings.GD_ALLOCATION_NOTICE_DAYS = 0
    assert first_cycle_for(date(2026, 3, 15)) == date(2026, 4, 1)  # REN 1.000's next cycle
    assert first_cycle_for(date(2026, 3, 1)) == date(2026, 4, 1)
    # A late decision never rewrites a cycle that ended before it.
    assert first_cycle_for(date(2026, 3, 15), date(2026, 7, 10), notice_days=60) == date(2026, 7, 1)


def test_the_analyst_accepts_in_the_admin_and_the_previous_allocation_ends(
    client, settings, customer, commercial_analyst, generator, units
):
    settings.GD_ALLOCATION_NOTICE_DAYS = 60
    earlier = AllocationSet.objects.create(
        generator=generator,
        mode="percent",
        status=AllocationStatus.ACCEPTED,
        first_cycle=date(2025, 7, 1),
        requested_at=datetime(2025, 5, 1, tzinfo=SP),
        imported=True,
    )
    earlier.rows.create(installation=units[0], percent=Decimal("100"))
    pending = _file_request(generator, customer, units)
    client.force_login(commercial_analyst)
    change_url = reverse("admin:compensation_allocationset_change", args=[pending.pk])
    with time_machine.travel(DECISION_DAY, tick=False):
        listing = client.get(reverse("admin:compensation_allocationset_changelist"))
        assert listing.status_code == 200
        assert listing.context["cl"].result_list[0] == pending  # pending first
        change = client.get(change_url)
        assert change.status_code == 200 and 'data-testid="decision"' in change.content.decode()
        assert "06/2026" in page(change)
        response = client.post(reverse("admin:compensation_allocationset_accept", args=[pending.pk]))
    assert response.status_code == 302
    pending.refresh_from_db()
    earlier.refresh_from_db()
    assert pending.status == AllocationStatus.ACCEPTED and pending.decided_by == commercial_analyst
    assert pending.first_cycle == date(2026, 6, 1) and pending.last_cycle is None
    assert earlier.last_cycle == date(2026, 5, 1)
    email = OutboundEmail.objects.get(template="allocation_accepted")
    assert "06/2026" in email.body_text and "06/2026" in email.subject
    assert set(email.to) == {customer.customer.email, customer.email, "contato@example.com"}
    # The titular's history: both allocations with their cycles.
    client.force_login(customer)
    with time_machine.travel(datetime(2026, 7, 2, tzinfo=SP), tick=False):
        home = page(client.get(reverse("compensation_atende:home")))
    assert "07/2025" in home and "05/2026" in home and "06/2026" in home
    assert gettext("in force") in home


def test_the_notice_setting_moves_the_first_cycle(settings, customer, commercial_analyst, generator, units):
    settings.GD_ALLOCATION_NOTICE_DAYS = 0
    pending = _file_request(generator, customer, units)
    with time_machine.travel(DECISION_DAY, tick=False):
        accepted = allocation_accept(allocation_set=pending, by=commercial_analyst)
    assert accepted.first_cycle == date(2026, 4, 1)


def test_the_analyst_refuses_with_a_reason(client, customer, commercial_analyst, generator, units):
    pending = _file_request(generator, customer, units)
    client.force_login(commercial_analyst)
    refuse_url = reverse("admin:compensation_allocationset_refuse", args=[pending.pk])
    client.post(refuse_url, {"reason": "  "})
    pending.refresh_from_db()
    assert pending.status == AllocationStatus.PENDING  # a refusal needs its reason
    client.post(refuse_url, {"reason": "Instrumento jurídico ilegível."})
    pending.refresh_from_db()
    assert (
        pending.status == AllocationStatus.REFUSED
        and pending.refusal_reason == "Instrumento jurídico ilegível."
    )
    assert pending.first_cycle is None
    email = OutboundEmail.objects.get(template="allocation_refused")
    assert "Instrumento jurídico ilegível." in email.body_text
    client.force_login(customer)
    assert "Instrumento jurídico ilegível." in page(client.get(reverse("compensation_atende:home")))


def test_a_decided_registration_is_not_decided_again(customer, commercial_analyst, generator, units):
    from gdportal.cases.services import ServiceError

    pending = _file_request(generator, customer, units)
    allocation_refuse(allocation_set=pending, by=commercial_analyst, reason="Dados incompletos.")
    with pytest.raises(ServiceError):
        allocation_accept(allocation_set=pending, by=commercial_analyst)


def test_only_the_commercial_group_decides(client, customer, technical_analyst, generator, units):
    pending = _file_request(generator, customer, units)
    with pytest.raises(PermissionDenied):
        allocation_accept(allocation_set=pending, by=technical_analyst)
    client.force_login(technical_analyst)
    assert (
        client.post(reverse("admin:compensation_allocationset_accept", args=[pending.pk])).status_code == 403
    )
    pending.refresh_from_db()
    assert pending.status == AllocationStatus.PENDING


def test_a_unit_closed_meanwhile_stops_the_acceptance(customer, commercial_analyst, generator, units):
    from gdportal.cases.services import ServiceError

    pending = _file_request(generator, customer, units)
    units[1].status = "closed"
    units[1].save()
    with pytest.raises(ServiceError):
        allocation_accept(allocation_set=pending, by=commercial_analyst)


def test_the_legal_instrument_is_served_only_to_the_titular_and_the_analysts(
    client, customer, outsider, commercial_analyst, installation
):
    generator = make_generator(installation, modality="shared")
    other = factories.InstallationFactory()
    allocation_set = allocation_request(
        generator=generator,
        by=customer,
        mode="percent",
        unit_type="shared",
        legal_form="condominium",
        rows=[RowInput(other.number, Decimal("25"))],
        legal_instrument=pdf_upload("convencao.pdf"),
    )
    url = reverse("compensation_atende:legal_instrument", args=[allocation_set.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    for user in (customer, commercial_analyst):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    change = client.get(reverse("admin:compensation_allocationset_change", args=[allocation_set.pk]))
    assert url in change.content.decode() and "convencao.pdf" in page(change)


def test_the_commercial_group_edits_tariffs_and_reads_generators(client, commercial_analyst, generator):
    client.force_login(commercial_analyst)
    assert client.get(reverse("admin:compensation_generator_changelist")).status_code == 200
    assert client.get(reverse("admin:compensation_tariff_add")).status_code == 200
    assert commercial_analyst.has_perm("compensation.change_tariff")
    assert not commercial_analyst.has_perm("compensation.change_generator")
