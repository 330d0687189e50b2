"""The INMETRO table of inverters (SPEC §16): `import_inverters` and the warnings an RT sees on the order."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from gdportal.registry.inverters import inverter_warnings
from gdportal.registry.models import InverterCertificate

pytestmark = pytest.mark.django_db

HEADER = "fabricante;modelo;potencia_kw;registro_inmetro;valido_ate\n"
GOOD = (
    HEADER
    + "Growatt;MIN 5000TL-X;5,0;004512/2022;2030-06-30\n"
    + "Fronius;Primo 5.0-1;5;002871/2022;31/12/2029\n"
    + "Hoymiles;HMS-2000-4T;2,0;000977/2021;2025-12-31\n"
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def write(tmp_path, text, name="inverters.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(path):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("import_inverters", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_loads_the_table_and_a_second_run_changes_nothing(tmp_path):
    path = write(tmp_path, GOOD)
    out, _ = run(path)
    assert "3 changed (3 new, 0 updated), 0 unchanged" in out
    growatt = InverterCertificate.objects.get(model="MIN 5000TL-X")
    assert growatt.manufacturer == "Growatt"
    assert growatt.power_kw == Decimal("5.000")
    assert growatt.registration == "004512/2022"
    assert growatt.valid_until == dt.date(2030, 6, 30)
    stamp = growatt.updated_at

    out, _ = run(path)
    assert "0 changed (0 new, 0 updated), 3 unchanged" in out
    growatt.refresh_from_db()
    assert growatt.updated_at == stamp
    assert InverterCertificate.objects.count() == 3


def test_a_new_export_updates_the_changed_model_only(tmp_path):
    run(write(tmp_path, GOOD))
    renewed = GOOD.replace("000977/2021;2025-12-31", "000977/2021;2028-12-31")
    out, _ = run(write(tmp_path, renewed, "inverters-2.csv"))
    assert "1 changed (0 new, 1 updated), 2 unchanged" in out
    assert InverterCertificate.objects.get(model="HMS-2000-4T").valid_until == dt.date(2028, 12, 31)


def test_a_bad_row_saves_nothing_and_every_problem_names_file_line_and_column(tmp_path):
    bad = (
        HEADER
        + "Growatt;MIN 5000TL-X;5,0;004512/2022;2030-06-30\n"
        + "Fronius;;cinco;002871/2022;2029-31-12\n"
        + "WEG;SIW300H M050;-5;;\n"
        + "GROWATT;min-5000tl x;5;004512/2022;\n"
    )
    path = write(tmp_path, bad)
    with pytest.raises(CommandError, match="problems found; nothing was imported"):
        run(path)
    assert InverterCertificate.objects.count() == 0
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_inverters", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert "inverters.csv:3: modelo: required" in lines
    assert "inverters.csv:3: potencia_kw: not a number: 'cinco'" in lines
    assert any(line.startswith("inverters.csv:3: valido_ate: not a date") for line in lines)
    assert "inverters.csv:4: potencia_kw: must be greater than zero: -5" in lines
    assert "inverters.csv:4: registro_inmetro: required" in lines
    # The same model written another way is the same model.
    assert "inverters.csv:5: modelo: repeated (first on line 2)" in lines


def test_a_file_without_a_column_is_refused(tmp_path):
    path = write(tmp_path, "fabricante,modelo,potencia_kw\nGrowatt,MIN 5000TL-X,5\n")
    with pytest.raises(CommandError):
        run(path)
    assert InverterCertificate.objects.count() == 0


def test_warnings_for_unknown_model_other_registration_and_expired(tmp_path):
    run(write(tmp_path, GOOD))
    rows = [
        # Matches, written with other case and punctuation: nothing to say.
        {"manufacturer": "growatt", "model": "MIN-5000TL-X", "inmetro": "4512/2022"},
        {"manufacturer": "Fronius", "model": "Primo 5.0-1", "inmetro": "009999/2022"},
        {"manufacturer": "Hoymiles", "model": "HMS-2000-4T", "inmetro": "000977/2021"},
        {"manufacturer": "Acme", "model": "X-1", "inmetro": "123/2024"},
    ]
    warnings = inverter_warnings(rows, today=dt.date(2026, 12, 1))
    assert warnings == [
        "Inverter Fronius Primo 5.0-1: INMETRO registration 009999/2022 differs from the table's "
        "002871/2022.",
        "Inverter Hoymiles HMS-2000-4T: INMETRO registration 000977/2021 expired on 31/12/2025.",
        "Inverter Acme X-1 is not in the portal's INMETRO table: check that it is registered "
        "(Portaria INMETRO 140/2022).",
    ]


def test_the_demo_loads_a_small_inverter_table():
    call_command("seed_demo")
    assert InverterCertificate.objects.filter(manufacturer="Growatt", model="MIN 5000TL-X").exists()
    count = InverterCertificate.objects.count()
    call_command("seed_demo")
    assert InverterCertificate.objects.count() == count >= 5
