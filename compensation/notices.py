"""The compensation e-mails that no transition sends (SPEC §8): credits about to expire (90 days before) and
the yearly statement. Run by beat (compensation/tasks.py); each is idempotent — the outbox row's
`related_object` is the marker, so running twice, or late after an outage, sends each e-mail once.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from gdportal.notifications.models import OutboundEmail
from gdportal.notifications.services import email_queue
from gdportal.registry.models import Customer

from .extrato import expiry_date
from .models import CreditLot, CycleResult

EXPIRY_NOTICE_DAYS = 90


def _sent(markers):
    return set(
        OutboundEmail.objects.filter(related_object__in=markers).values_list("related_object", flat=True)
    )


def _recipients(customer):
    emails = [customer.email, *customer.users.filter(is_active=True).values_list("email", flat=True)]
    return [e for e in dict.fromkeys(e.lower() for e in emails if e)]


@transaction.atomic
def notify_expiring_credits(today=None):
    """One e-mail per titular and expiry month, listing the lots (and kWh) that expire within 90 days."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=EXPIRY_NOTICE_DAYS)
    # A lot's expiry month ends on or before the horizon and on or after today.
    lots = (
        CreditLot.objects.filter(
            remaining_kwh__gt=0,
            expires_after__gte=today.replace(day=1),
            expires_after__lte=horizon.replace(day=1),
        )
        .select_related("installation")
        .order_by("customer_id", "expires_after", "origin_cycle", "id")
    )
    by_key = defaultdict(list)
    for lot in lots:
        if today <= expiry_date(lot.expires_after) <= horizon:
            by_key[(lot.customer_id, lot.expires_after)].append(lot)
    markers = {key: f"credits-expiring:{key[0]}:{key[1]:%Y-%m}" for key in by_key}
    done = _sent(list(markers.values()))
    customers = Customer.objects.in_bulk({customer_id for customer_id, _ in by_key})
    sent = 0
    for key, group in by_key.items():
        if markers[key] in done:
            continue
        customer = customers[key[0]]
        email = email_queue(
            to=_recipients(customer),
            template="credits_expiring",
            context={
                "customer": customer,
                "lots": group,
                "expires_on": expiry_date(group[0].expires_after),
                "total_kwh": sum((lot.remaining_kwh for lot in group), Decimal("0")),
            },
            related_object=markers[key],
        )
        sent += email is not None
    return sent


@transaction.atomic
def send_yearly_statements(year=None):
    """After a calendar year closes, each titular gets the year's totals per unit (PL 1.417/2022 asks for a
    yearly summary); the statement page has the details."""
    year = year or timezone.localdate().year - 1
    totals = (
        CycleResult.objects.filter(cycle__year=year)
        .values("installation_id", "installation__number", "installation__customer_id")
        .annotate(
            consumed=Sum("consumed_kwh"),
            injected=Sum("injected_kwh"),
            compensated_own=Sum("compensated_own_kwh"),
            compensated_received=Sum("compensated_received_kwh"),
            compensated_lots=Sum("compensated_lots_kwh"),
            expired=Sum("credits_expired_kwh"),
            parcel=Sum("energy_parcel_brl"),
            without=Sum("parcel_without_gd_brl"),
        )
        .order_by("installation__customer_id", "installation__number")
    )
    by_customer = defaultdict(list)
    for row in totals:
        row["compensated"] = row["compensated_own"] + row["compensated_received"] + row["compensated_lots"]
        row["saved"] = row["without"] - row["parcel"]
        by_customer[row["installation__customer_id"]].append(row)
    markers = {customer_id: f"yearly-statement:{customer_id}:{year}" for customer_id in by_customer}
    done = _sent(list(markers.values()))
    customers = Customer.objects.in_bulk(list(by_customer))
    sent = 0
    for customer_id, rows in by_customer.items():
        if markers[customer_id] in done:
            continue
        email = email_queue(
            to=_recipients(customers[customer_id]),
            template="yearly_statement",
            context={
                "customer": customers[customer_id],
                "year": year,
                "units": rows,
            },
            related_object=markers[customer_id],
        )
        sent += email is not None
    return sent
