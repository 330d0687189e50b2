"""The shipped reasons come back after a flush (the transactional tests, a `flush` by an operator) without
overwriting what a curator made of a reason (SPEC §15)."""

import pytest
from django.core.management import call_command

from gdportal.cases.reasons import DecisionReason
from gdportal.cases.reasons_shipped import REASONS


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_gets_the_shipped_catalogue_back_and_an_edit_is_kept():
    call_command("flush", "--noinput", verbosity=0)
    assert set(DecisionReason.objects.values_list("code", flat=True)) == {code for code, *_rest in REASONS}

    top = DecisionReason.objects.get(code="coordenadas-100m")
    top.text, top.active = "Texto revisto pelo curador", False
    top.save()
    call_command("migrate", verbosity=0)
    top.refresh_from_db()
    assert (top.text, top.active) == ("Texto revisto pelo curador", False)
