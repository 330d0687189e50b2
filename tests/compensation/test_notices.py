"""Credits about to expire (90 days before) and the yearly statement (SPEC §8): once each, to the titular."""

import datetime as dt
from decimal import Decimal

import pytest

from compensation.models import CreditLot, CycleResult
from compensation.notices import notify_expiring_credits, send_yearly_statements
from gdportal.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def lot(installation, origin, expires_after, kwh):
    return CreditLot.objects.create(
        installation=installation,
        customer=installation.customer,
        origin_cycle=origin,
        gd_class="II",
        expires_after=expires_after,
        remaining_kwh=Decimal(kwh),
    )


def test_credits_expiring_within_90_days_are_told_once(installation, customer):
    lot(installation, dt.date(2022, 3, 1), dt.date(2027, 3, 1), "120.500")  # expires 31/03/2027
    lot(installation, dt.date(2022, 3, 1), dt.date(2027, 3, 1), "0")  # used up: nothing to say
    lot(installation, dt.date(2022, 8, 1), dt.date(2027, 8, 1), "50")  # too far away
    assert notify_expiring_credits(today=dt.date(2026, 12, 30)) == 0  # 31/03 is 91 days ahead
    assert notify_expiring_credits(today=dt.date(2026, 12, 31)) == 1  # 90 days ahead
    assert notify_expiring_credits(today=dt.date(2027, 1, 2)) == 0  # once
    email = OutboundEmail.objects.get(template="credits_expiring")
    assert installation.customer.email in email.to
    assert "31/03/2027" in email.subject and "120,50 kWh" in email.body_text
    assert installation.number in email.body_text


def test_the_yearly_statement_sums_the_year_per_unit_once(installation):
    zero = Decimal("0")
    for month, consumed, injected, parcel, without in (
        (1, 300, 500, "45.00", "240.00"),
        (2, 200, 100, "40.00", "160.00"),
    ):
        CycleResult.objects.create(
            installation=installation,
            cycle=dt.date(2026, month, 1),
            consumed_kwh=consumed,
            injected_kwh=injected,
            compensated_own_kwh=min(consumed, injected),
            compensated_received_kwh=zero,
            compensated_lots_kwh=zero,
            received_kwh=zero,
            credits_created_kwh=max(injected - consumed, 0),
            credits_used_kwh=zero,
            credits_expired_kwh=zero,
            credits_transferred_kwh=zero,
            balance_kwh=zero,
            energy_parcel_brl=Decimal(parcel),
            parcel_without_gd_brl=Decimal(without),
        )
    assert send_yearly_statements(2026) == 1
    assert send_yearly_statements(2026) == 0
    email = OutboundEmail.objects.get(template="yearly_statement")
    assert "2026" in email.subject
    # 500 kWh consumed; saved (240 + 160) − (45 + 40) = R$ 315,00.
    assert "500,00 kWh" in email.body_text and "R$ 315,00" in email.body_text
