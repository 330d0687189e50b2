"""The compensation inputs and the statement command (SPEC §12): every command's happy path, each kind of
bad row with its exact `file:line: column: message`, `;` with decimal commas, idempotency, the statement's
columns.

The GD class rule and the ledger are the real ones; spies record what the imports asked of them.
"""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from compensation.models import (
    Allocation,
    AllocationSet,
    AllocationStatus,
    CycleResult,
    Generator,
    Reading,
    Tariff,
)
from gdportal.brdocs import cnpj_with_check_digits
from tests.factories import CustomerFactory, InstallationFactory

pytestmark = pytest.mark.django_db

GEN, R1, R2, R3, CLOSED = "3100000100", "3100000101", "3100000102", "3100000103", "3100000104"


@pytest.fixture(autouse=True)
def english():
    """The messages are gettext'd (pt-BR for the operator); the exact texts below are their English source."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def gd_class_calls(monkeypatch):
    """The real GD class rule, its calls recorded."""
    from compensation import imports

    calls = []
    real = imports.gd_class

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(imports, "gd_class", spy)
    return calls


@pytest.fixture(autouse=True)
def ledger_calls(monkeypatch):
    """The real ledger, told which readings changed: the calls are recorded."""
    from compensation import imports

    calls = []
    real = imports.readings_changed

    def spy(installations, cycles):
        calls.append((list(installations), list(cycles)))
        return real(installations, cycles)

    monkeypatch.setattr(imports, "readings_changed", spy)
    return calls


@pytest.fixture
def units(db):
    titular = CustomerFactory()
    other = CustomerFactory()
    return {
        GEN: InstallationFactory(number=GEN, customer=titular),
        R1: InstallationFactory(number=R1, customer=titular),
        R2: InstallationFactory(number=R2, customer=titular),
        R3: InstallationFactory(number=R3, customer=other),
        CLOSED: InstallationFactory(number=CLOSED, customer=titular, status="closed"),
    }


@pytest.fixture
def generator(units):
    return Generator.objects.create(
        installation=units[GEN],
        connected_on=dt.date(2024, 5, 2),
        power_kw=Decimal("75"),
        source="solar",
        modality="remote",
        requested_on=dt.date(2024, 1, 10),
        gd_class="II",
    )


def run(tmp_path, command, text, name="in.csv", encoding="utf-8", *args):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    out, err = StringIO(), StringIO()
    call_command(command, str(path), *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def problems(tmp_path, command, text, name="in.csv"):
    """Run an import that must fail: the problems it printed, one per line; the exit status is 1."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported") as exc:
        call_command(command, str(path), stdout=StringIO(), stderr=err)
    assert exc.value.returncode == 1
    return err.getvalue().splitlines()


# --- import_tariffs -----------------------------------------------------------------------------------------

TARIFFS = """valid_from,class,te,tusd,fio_a,fio_b
2025-01-01,Residencial,0.30,0.45,0.05,0.25
2025-01-01,COMERCIAL,0.31,0.46,0.05,0.26
2025-01-01,servico publico,0.32,0.47,0.05,0.27
2025-01-01,public_power,0.33,0.48,0.05,0.28
"""


def test_tariffs_load_with_group_b_by_default_and_the_registry_s_classes(tmp_path):
    assert run(tmp_path, "import_tariffs", TARIFFS) == "4 changed (4 new, 0 updated), 0 unchanged."
    assert list(Tariff.objects.order_by("te").values_list("group", "installation_class", "te", "fio_b")) == [
        ("B", "residential", Decimal("0.30"), Decimal("0.25")),
        ("B", "commercial", Decimal("0.31"), Decimal("0.26")),
        ("B", "public_service", Decimal("0.32"), Decimal("0.27")),
        ("B", "public_power", Decimal("0.33"), Decimal("0.28")),
    ]
    ids = list(Tariff.objects.values_list("pk", flat=True))
    assert run(tmp_path, "import_tariffs", TARIFFS) == "0 changed (0 new, 0 updated), 4 unchanged."
    assert list(Tariff.objects.values_list("pk", flat=True)) == ids


def test_tariffs_with_semicolons_decimal_commas_a_bom_and_an_update(tmp_path):
    text = "valid_from;group;class;te;tusd;fio_a;fio_b\n2025-07-01;A;Industrial;0,281234;0,4;0,05;0,2\n"
    assert (
        run(tmp_path, "import_tariffs", text, encoding="utf-8-sig")
        == "1 changed (1 new, 0 updated), 0 unchanged."
    )
    tariff = Tariff.objects.get()
    assert (tariff.group, tariff.installation_class, tariff.te) == ("A", "industrial", Decimal("0.281234"))
    updated = text.replace("0,281234", "0,29")
    assert run(tmp_path, "import_tariffs", updated) == "1 changed (0 new, 1 updated), 0 unchanged."
    assert Tariff.objects.get().te == Decimal("0.29")


def test_bad_tariff_rows_are_all_reported_and_nothing_is_saved(tmp_path):
    text = """valid_from;group;class;te;tusd;fio_a;fio_b
2025/01/01;B;Residencial;0,3;0,4;0,05;0,2
2025-01-01;C;Espacial;abc;-1;0,1234567;0,2
2025-01-01;B;Rural;0,3;0,4;0,3;0,2
2025-01-01;;rural;0,3;;0,05;0,2
"""
    assert problems(tmp_path, "import_tariffs", text, "t.csv") == [
        "t.csv:2: valid_from: not a date (aaaa-mm-dd or dd/mm/aaaa): '2025/01/01'",
        "t.csv:3: group: unknown value 'C'",
        "t.csv:3: class: unknown value 'Espacial'",
        "t.csv:3: te: not a number: 'abc'",
        "t.csv:3: tusd: out of range: -1",
        "t.csv:3: fio_a: at most 6 decimal places: 0,1234567",
        "t.csv:4: fio_b: fio_a + fio_b is more than tusd",
        "t.csv:5: tusd: required",
        "t.csv:5: valid_from: repeated (first on line 4)",
    ]
    assert not Tariff.objects.exists()


def test_a_missing_column_is_one_problem(tmp_path):
    text = "valid_from,class,te,tusd,fio_a\n2025-01-01,Rural,0.3,0.4,0.05\n"
    assert problems(tmp_path, "import_tariffs", text, "t.csv") == ["t.csv:1: missing columns: fio_b"]


# --- import_generators --------------------------------------------------------------------------------------


def test_generators_load_with_their_gd_class_and_twice_changes_nothing(tmp_path, units, gd_class_calls):
    text = f"""installation;connected_on;power_kw;source;modality;requested_on;dispatchable
{GEN};2023-03-02;4,5;Eólica;Autoconsumo remoto;2022-11-30;
{R1};02/05/2024;150;HIDRAULICA;geração compartilhada;2024-01-10;true
{R2};2024-06-01;30;cogeracao qualificada;EMUC;2024-02-01;não
"""
    assert run(tmp_path, "import_generators", text) == "3 changed (3 new, 0 updated), 0 unchanged."
    rows = Generator.objects.order_by("installation__number").values_list(
        "installation__number", "connected_on", "power_kw", "source", "modality", "dispatchable", "gd_class"
    )
    assert list(rows) == [
        (GEN, dt.date(2023, 3, 2), Decimal("4.50"), "wind", "remote", False, "I"),
        (R1, dt.date(2024, 5, 2), Decimal("150.00"), "hydro", "shared", True, "II"),
        (R2, dt.date(2024, 6, 1), Decimal("30.00"), "cogeneration", "emuc", False, "II"),
    ]
    assert gd_class_calls[0] == {
        "requested_on": dt.date(2022, 11, 30),
        "power_kw": Decimal("4.5"),
        "dispatchable": False,
        "modality": "remote",
        "allocation": None,
    }
    assert run(tmp_path, "import_generators", text) == "0 changed (0 new, 0 updated), 3 unchanged."
    changed = text.replace("4,5;", "5;")
    assert run(tmp_path, "import_generators", changed) == "1 changed (0 new, 1 updated), 2 unchanged."
    assert Generator.objects.get(installation__number=GEN).power_kw == Decimal("5")


def test_without_the_dispatchable_column_the_source_decides(tmp_path, units):
    text = (
        "installation,connected_on,power_kw,source,modality,requested_on\n"
        f"{GEN},2024-03-01,600,Biomassa,Autoconsumo local,2024-01-01\n"
    )
    run(tmp_path, "import_generators", text)
    assert Generator.objects.get().dispatchable is True


def test_bad_generator_rows(tmp_path, units):
    text = f"""installation,connected_on,power_kw,source,modality,requested_on,dispatchable
3199999999,2024-03-01,10,Solar,Autoconsumo local,2024-01-01,
123,2024-03-01,0,Nuclear,Venda,2024-01-01,talvez
{GEN},2024-03-01,5001,Solar,Autoconsumo local,2024-04-01,
{GEN},2024-03-01,10.123,Outra,Autoconsumo local,2024-01-01,
"""
    assert problems(tmp_path, "import_generators", text, "g.csv") == [
        "g.csv:2: installation: installation 3199999999 is not in the registry",
        "g.csv:3: installation: must have 10 digits",
        "g.csv:3: power_kw: must be greater than zero: 0",
        "g.csv:3: source: unknown value 'Nuclear'",
        "g.csv:3: modality: unknown value 'Venda'",
        "g.csv:3: dispatchable: not true or false: 'talvez'",
        "g.csv:4: power_kw: out of range: 5001",
        "g.csv:4: requested_on: after connected_on",
        "g.csv:5: power_kw: at most 2 decimal places: 10.123",
        "g.csv:5: installation: repeated (first on line 4)",
    ]
    assert not Generator.objects.exists()


# --- import_allocations -------------------------------------------------------------------------------------


def sets(generator):
    return [
        (
            f"{s.first_cycle:%Y-%m}",
            s.last_cycle and f"{s.last_cycle:%Y-%m}",
            s.mode,
            s.remainder_to and s.remainder_to.number,
            sorted((r.installation.number, r.percent, r.priority) for r in s.rows.all()),
        )
        for s in AllocationSet.objects.filter(generator=generator).order_by("first_cycle", "id")
    ]


def test_percent_allocation_is_accepted_and_twice_changes_nothing(tmp_path, generator):
    text = f'generator,installation,percent,first_cycle\n{GEN},{R1},60,2025-03\n{GEN},{R2},"39,5",2025-03\n'
    assert run(tmp_path, "import_allocations", text) == "1 changed (1 new, 0 updated), 0 unchanged."
    allocation = AllocationSet.objects.get()
    assert (allocation.status, allocation.imported) == (AllocationStatus.ACCEPTED, True)
    assert allocation.requested_at and allocation.decided_at
    assert sets(generator) == [
        ("2025-03", None, "percent", None, [(R1, Decimal("60"), None), (R2, Decimal("39.5"), None)])
    ]
    assert run(tmp_path, "import_allocations", text) == "0 changed (0 new, 0 updated), 1 unchanged."
    assert AllocationSet.objects.count() == 1 and Allocation.objects.count() == 2


def test_a_later_set_ends_the_one_in_force_and_an_earlier_one_ends_before_the_later(tmp_path, generator):
    later = (
        "generator;installation;priority;first_cycle;remainder_to\n"
        f"{GEN};{R2};1;2025-08;{R1}\n{GEN};{R1};2;2025-08;\n"
    )
    earlier = f"generator;installation;percent;first_cycle\n{GEN};{R1};100;2025-03\n"
    run(tmp_path, "import_allocations", later, "later.csv")
    run(tmp_path, "import_allocations", earlier, "earlier.csv")
    expected = [
        ("2025-03", "2025-07", "percent", None, [(R1, Decimal("100"), None)]),
        ("2025-08", None, "priority", R1, [(R1, None, 2), (R2, None, 1)]),
    ]
    assert sets(generator) == expected
    newest = f"generator;installation;percent;first_cycle\n{GEN};{R2};50;2026-01\n"
    run(tmp_path, "import_allocations", newest, "newest.csv")
    assert sets(generator)[1][1] == "2025-12"
    assert (
        run(tmp_path, "import_allocations", later, "later.csv")
        == "0 changed (0 new, 0 updated), 1 unchanged."
    )


def test_a_corrected_set_for_the_same_cycle_replaces_the_one_imported_and_keeps_it(tmp_path, generator):
    text = f"generator,installation,percent,first_cycle\n{GEN},{R1},60,2025-03\n"
    run(tmp_path, "import_allocations", text)
    fixed = text.replace(",60,", ",70,")
    assert run(tmp_path, "import_allocations", fixed) == "1 changed (0 new, 1 updated), 0 unchanged."
    assert sets(generator) == [
        ("2025-03", "2025-02", "percent", None, [(R1, Decimal("60"), None)]),  # never in force
        ("2025-03", None, "percent", None, [(R1, Decimal("70"), None)]),
    ]
    assert run(tmp_path, "import_allocations", fixed) == "0 changed (0 new, 0 updated), 1 unchanged."


def test_bad_allocation_rows(tmp_path, generator):
    text = f"""generator,installation,percent,priority,first_cycle,remainder_to
{R1},{R2},10,,2025-03,
{GEN},3199999999,10,,2025-03,
{GEN},{GEN},10,,2025-03,
{GEN},{CLOSED},10,,2025-03,
{GEN},{R3},10,,2025-03,
{GEN},{R1},60,,2025-03,
{GEN},{R1},"10,555",,2025-03,
{GEN},{R2},35,,2025-03,{R1}
{GEN},{R2},0,,2025-04,
{GEN},{R1},,1,2025-04,
{GEN},{R1},5,1,2025-05,
{GEN},{R2},,,2025-05,
{GEN},{R1},,0,2025-06,
{GEN},{R2},,2,2025-06,{R3}
{GEN},{R1},,2,2025-06,
{GEN},{R1},,1,03/2025,
"""
    assert problems(tmp_path, "import_allocations", text, "a.csv") == [
        f"a.csv:2: generator: no generating unit at installation {R1}",
        "a.csv:3: installation: installation 3199999999 is not in the registry",
        "a.csv:4: installation: is the generating unit itself",
        f"a.csv:5: installation: installation {CLOSED} is not active",
        f"a.csv:6: installation: autoconsumo remoto: installation {R3} belongs to another titular",
        "a.csv:8: percent: at most 2 decimal places: 10,555",
        "a.csv:8: installation: repeated in this allocation (first on line 7)",
        "a.csv:9: percent: the allocation's total passes 100% (135%)",
        "a.csv:9: remainder_to: only with priority order: with percentages the rest stays at the generator",
        "a.csv:10: percent: must be greater than zero: 0",
        "a.csv:11: priority: percentages and priority order mixed in one allocation (line 10 uses percent)",
        "a.csv:12: priority: fill percent or priority, not both",
        "a.csv:13: percent: percent or priority is required",
        "a.csv:14: priority: not a whole number of at least 1: '0'",
        f"a.csv:15: remainder_to: installation {R3} is not a receiving unit of this allocation",
        "a.csv:16: installation: repeated in this allocation (first on line 14)",
        "a.csv:16: priority: repeated in this allocation (first on line 15)",
        "a.csv:17: first_cycle: not a cycle (aaaa-mm): '03/2025'",
    ]
    assert not AllocationSet.objects.exists()


def test_the_unit_that_takes_the_remainder_is_one_of_the_allocation(tmp_path, generator):
    text = f"generator,installation,priority,first_cycle,remainder_to\n{GEN},{R1},1,2025-03,{R2}\n"
    assert problems(tmp_path, "import_allocations", text, "a.csv") == [
        f"a.csv:2: remainder_to: installation {R2} is not a receiving unit of this allocation"
    ]


def test_remote_self_consumption_accepts_the_same_cnpj_root(tmp_path, generator, units):
    company = units[GEN].customer
    company.document, company.person_type = cnpj_with_check_digits("123456780001"), "PJ"
    company.save()
    branch = CustomerFactory(document=cnpj_with_check_digits("123456780002"), person_type="PJ")
    stranger = CustomerFactory(document=cnpj_with_check_digits("876543210001"), person_type="PJ")
    InstallationFactory(number="3100000200", customer=branch)
    InstallationFactory(number="3100000201", customer=stranger)
    good = f"generator,installation,percent,first_cycle\n{GEN},3100000200,50,2025-03\n"
    assert run(tmp_path, "import_allocations", good).startswith("1 changed")
    bad = f"generator,installation,percent,first_cycle\n{GEN},3100000201,50,2025-04\n"
    assert problems(tmp_path, "import_allocations", bad, "a.csv") == [
        "a.csv:2: installation: autoconsumo remoto: installation 3100000201 belongs to another titular"
    ]


def test_shared_generation_may_send_credits_to_another_titular(tmp_path, generator):
    generator.modality = "shared"
    generator.save()
    text = f"generator,installation,percent,first_cycle\n{GEN},{R3},50,2025-03\n"
    assert run(tmp_path, "import_allocations", text).startswith("1 changed")


def test_allocations_need_percent_or_priority_columns(tmp_path, generator):
    text = f"generator,installation,first_cycle\n{GEN},{R1},2025-03\n"
    assert problems(tmp_path, "import_allocations", text, "a.csv") == [
        "a.csv:1: missing columns: percent or priority"
    ]


# --- import_readings ----------------------------------------------------------------------------------------


@pytest.fixture
def tariffs(db):
    from compensation.models import Tariff
    from gdportal.registry.models import InstallationClass

    for klass in InstallationClass.values:
        Tariff.objects.create(
            valid_from=dt.date(2024, 1, 1),
            group="B",
            installation_class=klass,
            te=Decimal("0.30"),
            tusd=Decimal("0.50"),
            fio_a=Decimal("0.05"),
            fio_b=Decimal("0.25"),
        )


def test_readings_load_and_the_ledger_hears_of_the_changed_ones_only(tmp_path, units, tariffs, ledger_calls):
    text = (
        "installation;cycle;consumed_kwh;injected_kwh\n"
        f"{R1};2025-01;300,5;0\n{GEN};2025-02;100;1234,125\n{GEN};2025-01;90;1000\n"
    )
    assert run(tmp_path, "import_readings", text) == "3 changed (3 new, 0 updated), 0 unchanged."
    assert Reading.objects.get(installation__number=GEN, cycle=dt.date(2025, 2, 1)).injected_kwh == Decimal(
        "1234.125"
    )
    assert ledger_calls == [([units[GEN], units[R1]], [dt.date(2025, 1, 1), dt.date(2025, 2, 1)])]

    assert run(tmp_path, "import_readings", text) == "0 changed (0 new, 0 updated), 3 unchanged."
    assert len(ledger_calls) == 1  # nothing changed: nothing to compute

    corrected = text.replace("1234,125", "1200")
    assert run(tmp_path, "import_readings", corrected) == "1 changed (0 new, 1 updated), 2 unchanged."
    assert ledger_calls[1] == ([units[GEN]], [dt.date(2025, 2, 1)])
    assert Reading.objects.count() == 3


def test_bad_reading_rows(tmp_path, units, ledger_calls):
    text = f"""installation,cycle,consumed_kwh,injected_kwh
3199999999,2025-01,10,0
{R1},2025-13,-1,"1,2345"
{R1},2025-01,,0
{R1},2025-01,10,x
"""
    assert problems(tmp_path, "import_readings", text, "r.csv") == [
        "r.csv:2: installation: installation 3199999999 is not in the registry",
        "r.csv:3: cycle: not a cycle (aaaa-mm): '2025-13'",
        "r.csv:3: consumed_kwh: out of range: -1",
        "r.csv:3: injected_kwh: at most 3 decimal places: 1,2345",
        "r.csv:4: consumed_kwh: required",
        "r.csv:5: injected_kwh: not a number: 'x'",
        "r.csv:5: cycle: repeated (first on line 4)",
    ]
    assert not Reading.objects.exists() and ledger_calls == []


# --- compensation_statement ---------------------------------------------------------------------------------

HEADER = (
    "cycle,consumed_kwh,injected_kwh,compensated_kwh,received_kwh,credits_created_kwh,credits_used_kwh,"
    "credits_expired_kwh,credits_transferred_kwh,balance_kwh,energy_parcel_brl,parcel_without_gd_brl"
)


def result(installation, cycle, **values):
    fields = dict(
        consumed_kwh=Decimal("1000.005"),
        injected_kwh=Decimal("1000"),
        compensated_own_kwh=Decimal("600.001"),
        compensated_received_kwh=Decimal("200.002"),
        compensated_lots_kwh=Decimal("100.003"),
        received_kwh=Decimal("250.125"),
        credits_created_kwh=Decimal("100"),
        credits_used_kwh=Decimal("100.003"),
        credits_expired_kwh=Decimal("0"),
        credits_transferred_kwh=Decimal("0.004"),
        balance_kwh=Decimal("1234.5"),
        energy_parcel_brl=Decimal("95.1"),
        parcel_without_gd_brl=Decimal("951"),
    )
    fields.update(values)
    return CycleResult.objects.create(installation=installation, cycle=cycle, **fields)


def statement(*args):
    out = StringIO()
    call_command("compensation_statement", *args, stdout=out)
    return out.getvalue()


def test_statement_csv_has_the_exact_columns_and_two_decimals_with_a_dot(units):
    unit = units[R1]
    for month in (1, 2, 3):
        result(unit, dt.date(2025, month, 1), balance_kwh=Decimal(month * 100))
    text = statement(R1, "--format", "csv")
    lines = text.splitlines()
    assert lines[0] == HEADER
    assert lines[1] == "2025-01,1000.01,1000.00,900.01,250.13,100.00,100.00,0.00,0.00,100.00,95.10,951.00"
    assert [line[:7] for line in lines[1:]] == ["2025-01", "2025-02", "2025-03"]
    between = statement(R1, "--from", "2025-02", "--to", "2025-02", "--format", "csv").splitlines()
    assert [line[:7] for line in between[1:]] == ["2025-02"]


def test_statement_json_is_one_object_per_cycle_with_the_same_columns(units):
    result(units[R1], dt.date(2025, 4, 1))
    text = statement(R1, "--from", "2025-04", "--format", "json")
    assert '"balance_kwh": 1234.50' in text and '"cycle": "2025-04"' in text
    rows = json.loads(text, parse_float=Decimal)
    assert list(rows[0]) == HEADER.split(",")
    assert rows[0]["compensated_kwh"] == Decimal("900.01")
    assert json.loads(statement(R2, "--format", "json")) == []


def test_statement_refuses_an_unknown_unit_and_a_bad_cycle(units):
    with pytest.raises(CommandError, match="3199999999 is not in the registry"):
        statement("3199999999", "--format", "csv")
    with pytest.raises(CommandError, match="not a cycle"):
        statement(R1, "--from", "2025-1", "--format", "csv")
