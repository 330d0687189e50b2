"""Demo data for the sistema de compensação (seed_demo only, never production): the demo customer's solar
plant — connected before the portal, as `import_generators` would bring it — with two receiving units at 60 %
and 40 %, plausible tariffs, and the last 14 cycles of readings computed through the ledger, so the statement
and its chart show real numbers at once (issue 12 item 7). Idempotent: keyed by installation numbers and
cycles; the ledger itself does not recompute a cycle whose readings did not change.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from compensation.ledger import compute_cycle
from compensation.models import (
    Allocation,
    AllocationMode,
    AllocationSet,
    AllocationStatus,
    Generator,
    Reading,
    Tariff,
)
from gdportal import demo
from gdportal.registry.models import InstallationClass, Phases

GENERATOR = "3000000012"
RECEIVERS = [("3000000013", Decimal("60")), ("3000000014", Decimal("40"))]
CYCLES = 14
# R$/kWh without taxes (plausible for Cemig's group B in 2025-2026; demo only).
TARIFFS = {
    dt.date(2025, 1, 1): ("0.301200", "0.498700", "0.052100", "0.241300"),
    dt.date(2026, 1, 1): ("0.312400", "0.517900", "0.054300", "0.252800"),
}
# A solar plant's monthly yield in Minas Gerais, January first (kWh per kWp).
SOLAR_YIELD = [128, 120, 122, 112, 104, 98, 105, 118, 121, 126, 122, 127]


def _cycles(today):
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # the last closed cycle
    cycles = [first]
    while len(cycles) < CYCLES:
        cycles.append((cycles[-1] - dt.timedelta(days=1)).replace(day=1))
    return sorted(cycles)


def _tariffs():
    for valid_from, (te, tusd, fio_a, fio_b) in TARIFFS.items():
        for klass in InstallationClass.values:
            Tariff.objects.update_or_create(
                valid_from=valid_from,
                group="B",
                installation_class=klass,
                defaults={
                    "te": Decimal(te),
                    "tusd": Decimal(tusd),
                    "fio_a": Decimal(fio_a),
                    "fio_b": Decimal(fio_b),
                },
            )


def seed_cases(customer_user, rt_user):
    today = timezone.localdate()
    rng = random.Random(2027)  # noqa: S311 — deterministic demo data, not security
    customer = customer_user.customer
    _tariffs()
    plant = demo._installation(
        GENERATOR,
        customer,
        rng,
        today,
        klass=InstallationClass.RESIDENTIAL,
        phases=Phases.THREE,
        consumption=420,
    )
    receivers = [
        demo._installation(number, customer, rng, today, klass=InstallationClass.RESIDENTIAL, consumption=260)
        for number, _ in RECEIVERS
    ]
    cycles = _cycles(today)
    generator, _ = Generator.objects.get_or_create(
        installation=plant,
        defaults={
            "connected_on": cycles[0] - dt.timedelta(days=45),
            "power_kw": Decimal("6.60"),
            "source": "solar",
            "modality": "remote",
            "requested_on": dt.date(2024, 5, 20),
            "gd_class": "II",
        },
    )
    if not generator.allocation_sets.exists():
        User = get_user_model()
        allocation = AllocationSet.objects.create(
            generator=generator,
            mode=AllocationMode.PERCENT,
            status=AllocationStatus.ACCEPTED,
            first_cycle=cycles[0],
            requested_at=timezone.now() - dt.timedelta(days=500),
            requested_by=customer_user,
            decided_at=timezone.now() - dt.timedelta(days=490),
            decided_by=User.objects.filter(username="analista.comercial").first(),
            contact_name=customer.name,
            contact_email=customer.email,
        )
        for (_number, percent), unit in zip(RECEIVERS, receivers, strict=True):
            Allocation.objects.create(allocation_set=allocation, installation=unit, percent=percent)
    for cycle in cycles:
        injected = Decimal(SOLAR_YIELD[cycle.month - 1]) * generator.power_kw * Decimal("0.92")
        rows = [(plant, Decimal(rng.randint(150, 260)), injected.quantize(Decimal("0.001")))]
        rows += [(unit, Decimal(rng.randint(180, 340)), Decimal("0")) for unit in receivers]
        for unit, consumed, inj in rows:
            Reading.objects.get_or_create(
                installation=unit, cycle=cycle, defaults={"consumed_kwh": consumed, "injected_kwh": inj}
            )
        compute_cycle(cycle)
