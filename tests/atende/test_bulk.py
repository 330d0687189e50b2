"""Bulk filing /apr/lote/ (SPEC §14): an RT's CSV of requests, checked row by row with the page's own form."""

import csv
import io
import time
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from atende import bulk
from gdportal.cases import rules
from gdportal.cases.choices import CaseState
from gdportal.cases.models import Case
from gdportal.registry.models import Customer, Debt, Installation, LookupAudit
from tests import factories
from tests.atende.conftest import make_case, request_data

pytestmark = pytest.mark.django_db

UPLOAD = "bulk:upload"


def row_for(installation, **overrides):
    """A valid row: the page's own test data, in the file's columns."""
    data = request_data(**{"declaration": "sim", **overrides})
    # The optional columns (SPEC §15's override and art. 73-A) left blank, as a spreadsheet leaves them.
    return {
        **dict.fromkeys(bulk.COLUMNS, ""),
        "installation": installation.number if installation else "",
        **data,
    }


def csv_bytes(rows, delimiter=";", bom=True, columns=bulk.COLUMNS):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def upload(client, data, name="lote.csv"):
    return client.post(reverse(UPLOAD), {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def report(response):
    """{line: (status, [(column, message)])} from the page's own context."""
    return {
        r.line: ("created" if r.created else "error", [(m["column"], m["message"]) for m in r.messages])
        for r in response.context["results"]
    }


@pytest.fixture
def installations(db):
    return [factories.InstallationFactory() for _ in range(4)]


# --- the template -------------------------------------------------------------------------------------------


def test_the_template_downloads_and_its_example_row_files_a_draft(client, rt):
    example = factories.InstallationFactory(number=bulk.EXAMPLE_INSTALLATION)
    client.force_login(rt)
    response = client.get(reverse("bulk:template"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = response.content
    assert content.startswith("\ufeff".encode())
    header = content.decode("utf-8-sig").splitlines()[0].split(";")
    assert header == bulk.COLUMNS and "installation" in header and "holder_name" not in header

    result = upload(client, content)
    assert result.status_code == 200
    assert report(result) == {2: ("created", [])}
    case = Case.objects.get()
    assert case.state == CaseState.DRAFT and case.installation == example
    assert case.filed_by == rt and case.rt == rt and case.customer == example.customer
    assert str(case.power_kw) == "8.50" and str(case.latitude) == "-19.920000" and case.declaration
    # Drafts are the RT's alone: neither the holder nor another RT sees them.
    assert list(Case.objects.for_user(rt)) == [case]
    holder = factories.UserFactory(customer=example.customer)
    assert not Case.objects.for_user(holder).exists()
    assert not Case.objects.for_user(factories.RTFactory()).exists()
    # The report leads to the draft's page, where the documents go.
    assert reverse("atende:draft_edit", args=[case.pk]) in result.content.decode()
    assert client.get(reverse("atende:draft_edit", args=[case.pk])).status_code == 200


def test_the_page_explains_the_rules_and_lists_every_column(client, rt):
    client.force_login(rt)
    response = client.get(reverse(UPLOAD))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("bulk:template") in html
    for column in bulk.COLUMNS:
        assert f"<code>{column}</code>" in html
    assert "<code>micro_le10</code>" in html and "<code>without_increase</code>" in html


def test_the_rt_finds_the_page_from_apr_web(client, rt):
    signed_out = client.get(reverse(UPLOAD))
    response = client.post(
        signed_out["Location"], {"username": rt.cpf, "password": "Apr-" + factories.PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse(UPLOAD)
    orders = client.get(reverse("aprweb:orders")).content.decode()
    assert reverse(UPLOAD) in orders
    lookup = client.get(reverse("atende:lookup")).content.decode()
    assert reverse(UPLOAD) in lookup


# --- who may use it -----------------------------------------------------------------------------------------


def test_only_an_rt_may_file_in_bulk(client, customer, outsider, commercial_analyst, installation):
    data = csv_bytes([row_for(installation)])
    for url in (reverse(UPLOAD), reverse("bulk:template")):
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/apr/?next=/apr/lote/")
    assert upload(client, data).status_code == 302
    for user in (customer, outsider, commercial_analyst):
        client.force_login(user)
        assert client.get(reverse(UPLOAD)).status_code == 403
        assert client.get(reverse("bulk:template")).status_code == 403
        assert upload(client, data).status_code == 403
    assert not Case.objects.exists()


def test_the_upload_takes_get_and_post_only(client, rt):
    client.force_login(rt)
    assert client.put(reverse(UPLOAD)).status_code == 405
    assert client.post(reverse("bulk:template")).status_code == 405


# --- rows: valid ones become drafts, invalid ones create nothing --------------------------------------------


def test_a_mixed_file_creates_only_the_valid_rows(client, rt, installations):
    a, b, c, d = installations
    rows = [
        row_for(a),  # line 2: valid
        row_for(b, power_kw="12"),  # line 3: above 10 kW for "micro up to 10 kW"
        row_for(None),  # line 4: no installation
        row_for(c, cep="123", declaration="talvez"),  # line 5: two problems
        row_for(a),  # line 6: the same installation again
        {**row_for(d), "installation": "3199999999"},  # line 7: not in the registry
        row_for(
            d, power_kw="1.000,5", reason="mini", modality="remote", source="Solar", gfc_form="cash"
        ),  # valid
    ]
    client.force_login(rt)
    response = upload(client, csv_bytes(rows))
    assert response.status_code == 200
    lines = report(response)
    assert {line: status for line, (status, _messages) in lines.items()} == {
        2: "created",
        3: "error",
        4: "error",
        5: "error",
        6: "error",
        7: "error",
        8: "created",
    }
    assert [column for column, _message in lines[3][1]] == ["power_kw"]
    assert [column for column, _message in lines[4][1]] == ["installation"]
    assert {column for column, _message in lines[5][1]} == {"cep", "declaration"}
    assert lines[6][1] == [("installation", "repetido (primeira vez na linha 2)")]
    assert lines[7][1][0][0] == "installation" and "3199999999" in lines[7][1][0][1]
    drafts = Case.objects.order_by("pk")
    assert [case.installation for case in drafts] == [a, d]
    assert str(drafts[1].power_kw) == "1000.50" and drafts[1].source == "solar" and drafts[1].gfc_amount
    assert all(case.state == CaseState.DRAFT and case.rt == rt for case in drafts)
    summary = response.content.decode()
    assert 'data-status="created"' in summary and 'data-status="error"' in summary


def test_messages_are_the_request_pages_own(client, rt, installations):
    a, b, _c, _d = installations
    bad = {"power_kw": "12", "cep": "123", "latitude": "-10,5", "requester_email": "nao-e-email", "uf": "SP"}
    client.force_login(rt)
    page = client.post(reverse("atende:new", args=[a.number]), request_data(**bad))
    assert page.status_code == 400
    page_errors = {name: list(messages) for name, messages in page.context["form"].errors.items()}
    page_errors.pop("file_identity")  # the page asks for the file now; the draft gets it afterwards

    response = upload(client, csv_bytes([row_for(b, **bad)]))
    status, messages = report(response)[2]
    bulk_errors = {}
    for column, message in messages:
        bulk_errors.setdefault(column, []).append(message)
    assert status == "error" and bulk_errors == page_errors
    assert set(bulk_errors) == set(bad)
    assert not Case.objects.exists()


def test_an_installation_with_a_request_under_way_is_refused_as_on_the_page(
    client, rt, customer, installation
):
    open_case = make_case(customer, installation)
    client.force_login(rt)
    response = upload(client, csv_bytes([row_for(installation)]))
    status, messages = report(response)[2]
    assert status == "error"
    assert messages == [("", rules.open_request_error(installation.number, open_case))]
    assert "já tem uma solicitação de acesso em andamento" in messages[0][1]
    assert Case.objects.filter(state=CaseState.DRAFT).count() == 0


def test_debts_and_closed_installations_stop_the_row(client, rt, installations):
    a, b, _c, _d = installations
    Debt.objects.create(
        customer=a.customer, reference="2026-01", amount="10.00", due_date=date.today() - timedelta(1)
    )
    Installation.objects.filter(pk=b.pk).update(status="closed")
    client.force_login(rt)
    lines = report(upload(client, csv_bytes([row_for(a), row_for(b)])))
    assert lines[2] == (
        "error",
        [("installation", "O titular tem débitos vencidos; quite-os antes de solicitar o acesso.")],
    )
    assert lines[3] == (
        "error",
        [("installation", f"A instalação {b.number} está encerrada e não pode receber geração.")],
    )
    assert not Case.objects.exists()


def test_labels_and_codes_both_work_in_choice_columns(client, rt, installation):
    row = row_for(
        installation, modality="Autoconsumo local", installation_class="RESIDENCIAL", source="solar"
    )
    client.force_login(rt)
    assert report(upload(client, csv_bytes([row])))[2] == ("created", [])
    case = Case.objects.get()
    assert (case.modality, case.installation_class) == ("local", "residential")


def test_comma_separated_file_without_bom_and_with_dot_decimals(client, rt, installation):
    row = row_for(installation, latitude="-19.92", longitude="-43.94", power_kw="8.5")
    client.force_login(rt)
    assert report(upload(client, csv_bytes([row], delimiter=",", bom=False)))[2] == ("created", [])
    assert str(Case.objects.get().power_kw) == "8.50"


def test_what_a_spreadsheet_leaves_behind_is_ignored_and_extra_values_refused(client, rt, installations):
    a, b, _c, _d = installations
    header = ";".join(bulk.COLUMNS) + ";"  # a trailing separator: a nameless column
    lines = [
        header,
        ";".join(row_for(a)[column] for column in bulk.COLUMNS) + ";",
        ";" * len(bulk.COLUMNS),  # a row of separators only
        ";".join(row_for(b)[column] for column in bulk.COLUMNS) + ";;surplus",
    ]
    client.force_login(rt)
    result = report(upload(client, ("\r\n".join(lines) + "\r\n").encode()))
    assert result[2] == ("created", [])
    assert 3 not in result
    assert result[4][0] == "error" and result[4][1][0][0] == ""
    assert Case.objects.get().installation == a


def test_an_unticked_declaration_is_refused(client, rt, installation):
    client.force_login(rt)
    lines = report(upload(client, csv_bytes([row_for(installation, declaration="não")])))
    assert lines[2][0] == "error" and [c for c, _m in lines[2][1]] == ["declaration"]


# --- the file as a whole ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"installation;reason\n3100000000;mini\n", "colunas ausentes"),
        (csv_bytes([]), None),
        (b"\xff\xfe\x00\x00garbage", None),
        ("installation;reason;é\n".encode("cp1252"), None),
    ],
)
def test_a_file_that_cannot_be_used_creates_nothing(client, rt, data, expected):
    client.force_login(rt)
    response = upload(client, data)
    assert response.status_code == 400
    errors = response.context["form"].errors["file"]
    assert errors and (expected is None or expected in errors[0])
    assert not Case.objects.exists()


def test_unknown_columns_are_named(client, rt, installation):
    client.force_login(rt)
    data = csv_bytes([{**row_for(installation), "potencia": "8"}], columns=[*bulk.COLUMNS, "potencia"])
    response = upload(client, data)
    assert response.status_code == 400 and "potencia" in response.context["form"].errors["file"][0]


def test_the_number_of_rows_and_the_size_are_limited(client, rt, installation, monkeypatch):
    client.force_login(rt)
    monkeypatch.setattr(bulk, "MAX_ROWS", 2)
    rows = [row_for(installation)] * 3
    response = upload(client, csv_bytes(rows))
    assert response.status_code == 400 and "2" in response.context["form"].errors["file"][0]
    monkeypatch.setattr(bulk, "MAX_ROWS", 1000)
    monkeypatch.setattr(bulk, "MAX_BYTES", 1024 * 1024)
    big = csv_bytes([row_for(installation, other_info="x" * 2000)] * 600)
    assert len(big) > 1024 * 1024
    response = upload(client, big)
    assert response.status_code == 400 and "1 MB" in response.context["form"].errors["file"][0]
    assert not Case.objects.exists()


# --- privacy, audit and throttle ----------------------------------------------------------------------------


def test_another_rts_customer_stays_masked_and_every_lookup_is_audited(client, rt, other_rt, installations):
    a, b, _c, _d = installations
    served = make_case(
        factories.UserFactory(customer=b.customer), b, rt=rt, state=CaseState.AWAITING_TECHNICAL
    )
    make_case(factories.UserFactory(customer=a.customer), a, rt=other_rt, state=CaseState.AWAITING_TECHNICAL)
    mine = factories.InstallationFactory(customer=b.customer)  # served.installation has a request under way
    client.force_login(rt)
    response = upload(
        client, csv_bytes([row_for(factories.InstallationFactory(customer=a.customer)), row_for(mine)])
    )
    html = response.content.decode()
    assert a.customer.name not in html and a.customer.document not in html and a.customer.email not in html
    holders = {r.line: r.holder for r in response.context["results"]}
    assert holders[2] != a.customer.name and holders[2].startswith(a.customer.name[0])
    assert holders[3] == b.customer.name and served.rt == rt  # an RT who serves the holder sees the name
    audit = LookupAudit.objects.get(kind=LookupAudit.Kind.BULK_ROW)
    assert (audit.user, audit.customer, audit.succeeded) == (rt, a.customer, True)
    # Bulk rows do not use up the search's allowance.
    assert not LookupAudit.objects.filter(kind__in=["search", "form"]).exists()


def test_unknown_numbers_are_throttled_like_searches(client, rt, settings, installation):
    settings.GD_RT_LOOKUPS_PER_HOUR = 2
    client.force_login(rt)
    unknown = [{**row_for(installation), "installation": f"39000000{n:02d}"} for n in range(2)]
    lines = report(upload(client, csv_bytes(unknown)))
    assert all(status == "error" for status, _m in lines.values())
    assert LookupAudit.objects.filter(kind="bulk_row", succeeded=False).count() == 2
    response = upload(
        client, csv_bytes([row_for(installation), {**row_for(installation), "installation": "3900000099"}])
    )
    assert response.status_code == 429 and "3900000099" not in response.content.decode()
    assert not Case.objects.exists()
    # A file with every number known still goes through.
    assert report(upload(client, csv_bytes([row_for(installation)])))[2] == ("created", [])


# --- sending the same file twice ----------------------------------------------------------------------------


def test_the_same_file_twice_does_not_file_twice(client, rt, installations):
    data = csv_bytes([row_for(inst) for inst in installations[:3]])
    client.force_login(rt)
    first = report(upload(client, data))
    assert all(status == "created" for status, _m in first.values())
    drafts = {case.installation_id: case.pk for case in Case.objects.all()}
    second = upload(client, data)
    assert Case.objects.count() == 3
    html = second.content.decode()
    for result in second.context["results"]:
        assert not result.created and result.draft_pk in drafts.values()
        assert reverse("atende:draft_edit", args=[result.draft_pk]) in html
    # Another RT filing for the same installations is not blocked by this RT's drafts.
    client.force_login(factories.RTFactory())
    assert all(status == "created" for status, _m in report(upload(client, data)).values())


# --- 500 rows in a few seconds ------------------------------------------------------------------------------


def registry(size):
    customers = Customer.objects.bulk_create(
        factories.CustomerFactory.build(number=f"72{n:08d}", document=f"{n:014d}", person_type="PJ")
        for n in range(size)
    )
    return Installation.objects.bulk_create(
        factories.InstallationFactory.build(number=f"32{n:08d}", customer=customer)
        for n, customer in enumerate(customers)
    )


@pytest.mark.slow
def test_500_rows_are_checked_and_filed_in_a_few_seconds(client, rt, django_assert_max_num_queries):
    installations = registry(500)
    data = csv_bytes([row_for(inst) for inst in installations])
    client.force_login(rt)
    started, cpu = time.perf_counter(), time.process_time()
    # Per row, what the page's form and service do for one request: the one-request-under-way check (form and
    # service), a savepoint and its release, the insert and its history row. Nothing per installation or
    # customer: those come in one query for the whole file.
    with django_assert_max_num_queries(500 * 6 + 20):
        response = upload(client, data)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 200
    assert Case.objects.filter(state=CaseState.DRAFT, rt=rt).count() == 500
    print(f"\n500 rows checked and filed in {elapsed:.2f} s ({cpu:.2f} s of this process's CPU)")
    # The CPU time is what the code costs; the wall time also holds whatever else the machine was running.
    assert cpu < 12 and elapsed < 60
