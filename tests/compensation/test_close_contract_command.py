"""`close_contract` (REN 655-M) as the billing team runs it: the credits move to the unit named, or stay in
the titular's name, and a refusal is a clear error."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compensation.models import CreditLot
from tests.compensation.ledger_setup import lot, read, tariffs, unit

pytestmark = pytest.mark.django_db


def test_the_named_unit_takes_the_credits(capsys):
    tariffs()
    leaving = unit("two")
    named = unit("two", customer=leaving.customer)
    lot(leaving, "2024-01", "100")
    read(named, "2025-03", "200")
    call_command("close_contract", leaving.number, "--cycle", "2025-03", "--to", named.number)
    assert f"moved to {named.number}" in capsys.readouterr().out
    assert CreditLot.objects.get(installation=named).remaining_kwh == Decimal("100")


def test_another_titulars_unit_is_refused_and_nothing_moves():
    tariffs()
    leaving, stranger = unit("two"), unit("two")
    lot(leaving, "2024-01", "100")
    with pytest.raises(CommandError):
        call_command("close_contract", leaving.number, "--cycle", "2025-03", "--to", stranger.number)
    assert CreditLot.objects.get(installation=leaving).remaining_kwh == Decimal("100")


def test_without_another_unit_the_credits_stay_in_the_titulars_name(capsys):
    tariffs()
    leaving = unit("two")
    lot(leaving, "2024-01", "100")
    call_command("close_contract", leaving.number, "--cycle", "2025-03")
    assert "titular's name" in capsys.readouterr().out
    assert CreditLot.objects.get(installation=None).customer_id == leaving.customer_id
