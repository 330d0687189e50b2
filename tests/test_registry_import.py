import csv
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gdportal.brdocs import cnpj_with_check_digits
from gdportal.registry.importer import RegistryImportError, import_registry
from gdportal.registry.models import ConsumptionReading, Customer, Debt, Installation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are gettext'd (pt-BR for the operator); these tests read their English source."""
    with translation.override("en"):
        yield


ALNUM_CNPJ = cnpj_with_check_digits("12ABC34501DE")

CUSTOMERS = [
    {
        "number": "7100000001",
        "name": "Maria Souza",
        "document": "529.982.247-25",
        "person_type": "física",
        "email": "Maria@Example.com",
        "phone": "(31) 98888-7777",
        "debt_reference": "",
        "debt_amount": "",
        "debt_due_date": "",
    },
    {
        "number": "7100000002",
        "name": "Padaria Sol Ltda",
        "document": ALNUM_CNPJ,
        "person_type": "PJ",
        "email": "",
        "phone": "",
        "debt_reference": "FAT-09",
        "debt_amount": "120,50",
        "debt_due_date": "10/09/2026",
    },
]
INSTALLATION = {
    "number": "3100000001",
    "customer_number": "7100000001",
    "status": "Ativo",
    "voltage": "BT",
    "class": "Residencial",
    "phases": "bifásico",
    "street": "Rua da Bahia",
    "street_number": "100",
    "complement": "",
    "district": "Centro",
    "municipality": "Belo Horizonte",
    "state": "MG",
    "cep": "30160-011",
    "latitude": "-19,92",
    "longitude": "-43.94",
    "available_power_kw": "12",
    "regional_office": "Metropolitana",
    "readings_until": "2026-10",
    "readings_kwh": "300|310|320|330|340|350|360|370|380|390|400|410",
}


def write(path, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path):
    second = {
        **INSTALLATION,
        "number": "3100000002",
        "customer_number": "7100000002",
        "status": "encerrado",
        "voltage": "MT",
        "class": "comercial",
        "phases": "trifasico",
        "readings_until": "",
        "readings_kwh": "",
    }
    return write(tmp_path / "customers.csv", CUSTOMERS), write(
        tmp_path / "installations.csv", [INSTALLATION, second]
    )


def test_import_loads_customers_installations_debts_and_readings(files):
    result = import_registry(*files)
    assert (result.customers_created, result.installations_created, result.readings) == (2, 2, 12)
    maria = Customer.objects.get(number="7100000001")
    assert (
        maria.document == "52998224725"
        and maria.email == "maria@example.com"
        and maria.phone == "31988887777"
    )
    company = Customer.objects.get(number="7100000002")
    assert company.document == ALNUM_CNPJ and company.person_type == "PJ"
    assert Debt.objects.get(customer=company).amount == Decimal("120.50")
    inst = Installation.objects.get(number="3100000001")
    assert (inst.status, inst.installation_class, inst.phases, inst.cep) == (
        "active",
        "residential",
        "two",
        "30160011",
    )
    assert inst.latitude == Decimal("-19.92")
    readings = list(ConsumptionReading.objects.filter(installation=inst).order_by("month"))
    assert readings[0].month.isoformat() == "2025-11-01" and readings[-1].month.isoformat() == "2026-10-01"
    assert readings[-1].kwh == 410
    assert Installation.objects.get(number="3100000002").status == "closed"


def test_import_twice_changes_nothing(files):
    import_registry(*files)
    snapshot = (
        list(Installation.objects.values()),
        list(Customer.objects.values("number", "name", "document")),
    )
    again = import_registry(*files)
    assert (
        again.customers_created,
        again.customers_updated,
        again.installations_created,
        again.installations_updated,
    ) == (0, 0, 0, 0)
    assert Customer.objects.count() == 2 and Installation.objects.count() == 2 and Debt.objects.count() == 1
    assert ConsumptionReading.objects.count() == 12
    after = list(Installation.objects.values()), list(Customer.objects.values("number", "name", "document"))
    assert [{k: v for k, v in r.items() if k != "updated_at"} for r in snapshot[0]] == [
        {k: v for k, v in r.items() if k != "updated_at"} for r in after[0]
    ]


def test_a_changed_row_is_updated_in_place(files, tmp_path):
    import_registry(*files)
    write(files[0], [{**CUSTOMERS[0], "name": "Maria A. Souza"}, CUSTOMERS[1]])
    result = import_registry(*files)
    assert (result.customers_created, result.customers_updated) == (0, 1)
    assert Customer.objects.get(number="7100000001").name == "Maria A. Souza"


def test_semicolon_separated_export_is_accepted(tmp_path):
    customers = write(tmp_path / "c.csv", CUSTOMERS, delimiter=";")
    installations = write(tmp_path / "i.csv", [INSTALLATION], delimiter=";")
    assert import_registry(customers, installations).installations_created == 1


def test_a_bad_file_changes_nothing_and_every_bad_row_is_reported(files, tmp_path):
    import_registry(*files)
    before = list(Customer.objects.values_list("number", "name"))
    bad_customers = [
        {**CUSTOMERS[0], "name": "Nome novo que não deve ser salvo"},
        {**CUSTOMERS[1], "document": "12.345.678/0001-00"},
        {**CUSTOMERS[0], "number": "123", "document": "111.111.111-11", "email": "não-é-email"},
    ]
    bad_installations = [
        {**INSTALLATION, "cep": "3016", "class": "Espacial", "latitude": "abc"},
        {**INSTALLATION, "number": "3100000009", "customer_number": "7999999999", "state": "XX"},
    ]
    write(tmp_path / "bad_c.csv", bad_customers)
    write(tmp_path / "bad_i.csv", bad_installations)
    with pytest.raises(RegistryImportError) as exc:
        import_registry(tmp_path / "bad_c.csv", tmp_path / "bad_i.csv")
    errors = "\n".join(exc.value.errors)
    assert "bad_c.csv:3: document:" in errors
    assert "bad_c.csv:4: number: must have 10 digits" in errors
    assert "bad_c.csv:4: document:" in errors and "bad_c.csv:4: email:" in errors
    assert "bad_i.csv:2: cep:" in errors and "bad_i.csv:2: class: unknown value 'Espacial'" in errors
    assert "bad_i.csv:2: latitude:" in errors
    assert "bad_i.csv:3: customer_number:" in errors and "bad_i.csv:3: state:" in errors
    assert list(Customer.objects.values_list("number", "name")) == before
    assert not Installation.objects.filter(number="3100000009").exists()


def test_person_type_must_match_the_document(tmp_path):
    write(tmp_path / "c.csv", [{**CUSTOMERS[0], "person_type": "PJ"}])
    write(tmp_path / "i.csv", [INSTALLATION])
    with pytest.raises(RegistryImportError) as exc:
        import_registry(tmp_path / "c.csv", tmp_path / "i.csv")
    assert "c.csv:2: person_type:" in exc.value.errors[0]
    assert not Customer.objects.exists()


def test_missing_columns_are_reported(tmp_path):
    (tmp_path / "c.csv").write_text("number,name\n7100000001,Maria\n")
    write(tmp_path / "i.csv", [INSTALLATION])
    with pytest.raises(RegistryImportError) as exc:
        import_registry(tmp_path / "c.csv", tmp_path / "i.csv")
    assert "c.csv:1: missing columns: document, person_type" in exc.value.errors[0]


def test_command_reports_and_fails_on_bad_rows(tmp_path, capsys):
    write(tmp_path / "c.csv", [{**CUSTOMERS[0], "document": "000"}])
    write(tmp_path / "i.csv", [INSTALLATION])
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_registry", str(tmp_path / "c.csv"), str(tmp_path / "i.csv"))
    assert "c.csv:2: document:" in capsys.readouterr().err
    assert not Customer.objects.exists()


def test_command_success_message(files, capsys):
    call_command("import_registry", *map(str, files))
    assert "Customers: 2 created" in capsys.readouterr().out


@pytest.mark.slow
def test_ten_thousand_installations_import_in_bulk(tmp_path, django_assert_max_num_queries):
    customers = [
        {
            **CUSTOMERS[0],
            "number": f"72{i:08d}",
            "document": cnpj_with_check_digits(f"{i:08d}0001"),
            "person_type": "PJ",
        }
        for i in range(2000)
    ]
    installations = [
        {**INSTALLATION, "number": f"32{i:08d}", "customer_number": f"72{i % 2000:08d}"} for i in range(10000)
    ]
    write(tmp_path / "c.csv", customers)
    write(tmp_path / "i.csv", installations)
    # Bulk statements only: the count follows batches (SQLite caps a statement at 999 parameters), not rows.
    with django_assert_max_num_queries(1000):
        result = import_registry(tmp_path / "c.csv", tmp_path / "i.csv")
    assert result.installations_created == 10000 and result.readings == 120000


def test_import_refreshes_the_cached_regional_offices(files, tmp_path):
    from gdportal.registry.models import regional_offices

    import_registry(*files)
    assert regional_offices() == ["Metropolitana"]
    write(files[1], [{**INSTALLATION, "regional_office": "Norte"}])
    import_registry(*files)
    assert regional_offices() == ["Metropolitana", "Norte"]  # the untouched installation keeps its office
