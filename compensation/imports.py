"""The compensation inputs the utility's systems send (SPEC §7.2, §12): tariffs, generators connected before
the portal existed, and the readings of each cycle. Allocations are in `imports_allocations`.

Each import reads its file with `gdportal.csvimport` (the machinery of `import_registry`): every row is
validated first, any bad row means nothing is saved and every problem is reported as `file:line: column:
message`; only the rows that differ from what is stored are written, so the same file twice changes nothing.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from gdportal.cases.choices import NON_DISPATCHABLE, Modality, Source
from gdportal.csvimport import ImportProblems, Row, choice_map, differs, read_csv, repeated, upsert
from gdportal.registry.importer import CLASSES
from gdportal.registry.models import Installation

from .gd_class import gd_class
from .ledger_corrections import readings_changed
from .models import AllocationSet, AllocationStatus, Generator, Reading, Tariff, TariffGroup

RATE_MAX = Decimal("9999.999999")  # Tariff's 10 digits with 6 places
KWH_MAX = Decimal("99999999999.999")  # 14 digits with 3 places
# Lei 14.300 art. 1º: minigeneration ends at 5 MW; a bigger plant is not distributed generation.
POWER_MAX_KW = Decimal("5000")

GROUPS = choice_map(TariffGroup.choices)
SOURCES = choice_map(
    Source.choices,
    {
        "solar": Source.SOLAR,
        "eolica": Source.WIND,
        "hidraulica": Source.HYDRO,
        "biomassa": Source.BIOMASS,
        "cogeracao qualificada": Source.COGENERATION,
        "cogeracao": Source.COGENERATION,
        "outra": Source.OTHER,
        "outras": Source.OTHER,
    },
)
MODALITIES = choice_map(
    Modality.choices,
    {
        "autoconsumo local": Modality.LOCAL,
        "autoconsumo remoto": Modality.REMOTE,
        "geracao compartilhada": Modality.SHARED,
        "emuc": Modality.MULTIPLE_UNITS,
        "multiplas unidades consumidoras": Modality.MULTIPLE_UNITS,
        "empreendimento com multiplas unidades consumidoras": Modality.MULTIPLE_UNITS,
    },
)

TARIFF_COLUMNS = ["valid_from", "group", "class", "te", "tusd", "fio_a", "fio_b"]
TARIFF_OPTIONAL = frozenset({"group"})
TARIFF_RATES = ["te", "tusd", "fio_a", "fio_b"]
GENERATOR_COLUMNS = [
    "installation",
    "connected_on",
    "power_kw",
    "source",
    "modality",
    "requested_on",
    "dispatchable",
]
GENERATOR_OPTIONAL = frozenset({"dispatchable"})
GENERATOR_FIELDS = [
    "connected_on",
    "power_kw",
    "source",
    "modality",
    "requested_on",
    "dispatchable",
    "gd_class",
]
READING_COLUMNS = ["installation", "cycle", "consumed_kwh", "injected_kwh"]


@dataclass
class ImportCount:
    """What an import did: the second run of the same file reports 0 changed."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_keys: list = field(default_factory=list)

    @property
    def changed(self):
        return self.created + self.updated

    def summary(self):
        return _("%(changed)s changed (%(created)s new, %(updated)s updated), %(unchanged)s unchanged.") % {
            "changed": self.changed,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def installation_ids(numbers):
    """{number: Installation} for the numbers the registry has, in one query."""
    found = Installation.objects.filter(number__in=[n for n in numbers if n]).select_related("customer")
    return {i.number: i for i in found}


def known_installation(row, column, number, installations):
    if number and number not in installations:
        row.error(column, _("installation %(number)s is not in the registry") % {"number": number})
        return None
    return installations.get(number)


# --- import_tariffs -----------------------------------------------------------------------------------------


def import_tariffs(csv_path):
    errors = []
    path, rows = read_csv(csv_path, TARIFF_COLUMNS, errors, TARIFF_OPTIONAL)
    parsed, seen = {}, {}
    for line, data in rows:
        row = Row(path, line, data, errors, TARIFF_OPTIONAL)
        valid_from = row.date("valid_from")
        group = row.choice("group", GROUPS) if row.get("group") else TariffGroup.B
        installation_class = row.choice("class", CLASSES)
        rates = {c: row.decimal(c, minimum=Decimal(0), maximum=RATE_MAX, places=6) for c in TARIFF_RATES}
        # Fio A and Fio B are parts of the TUSD (the ledger charges GD II/III a share of them).
        if None not in rates.values() and rates["fio_a"] + rates["fio_b"] > rates["tusd"]:
            row.error("fio_b", _("fio_a + fio_b is more than tusd"))
        key = (valid_from, group, installation_class)
        if all(key):
            repeated(row, "valid_from", key, seen)
            parsed[key] = rates
    if errors:
        raise ImportProblems(errors)

    count = ImportCount()
    with transaction.atomic():
        before = {
            (t.valid_from, t.group, t.installation_class): t
            for t in Tariff.objects.filter(valid_from__in={k[0] for k in parsed})
        }
        changed = []
        for (valid_from, group, installation_class), rates in parsed.items():
            old = before.get((valid_from, group, installation_class))
            if old is None:
                count.created += 1
            elif any(differs(getattr(old, c), v) for c, v in rates.items()):
                count.updated += 1
            else:
                count.unchanged += 1
                continue
            changed.append(
                Tariff(valid_from=valid_from, group=group, installation_class=installation_class, **rates)
            )
        upsert(Tariff, changed, ["valid_from", "group", "installation_class"], TARIFF_RATES)
    return count


# --- import_generators --------------------------------------------------------------------------------------


def import_generators(csv_path):
    errors = []
    path, rows = read_csv(csv_path, GENERATOR_COLUMNS, errors, GENERATOR_OPTIONAL)
    installations = installation_ids(
        Row(path, 0, data, [], GENERATOR_OPTIONAL).number("installation") for _line, data in rows
    )
    parsed, seen = {}, {}
    for line, data in rows:
        row = Row(path, line, data, errors, GENERATOR_OPTIONAL)
        number = row.number("installation")
        installation = known_installation(row, "installation", number, installations)
        values = dict(
            connected_on=row.date("connected_on"),
            power_kw=row.decimal("power_kw", maximum=POWER_MAX_KW, places=2, positive=True),
            source=row.choice("source", SOURCES),
            modality=row.choice("modality", MODALITIES),
            requested_on=row.date("requested_on"),
        )
        # Without the column, the source says it: sun and wind are not dispatchable (as on the request form).
        values["dispatchable"] = row.boolean(
            "dispatchable", default=values["source"] not in NON_DISPATCHABLE if values["source"] else None
        )
        if (
            values["connected_on"]
            and values["requested_on"]
            and values["requested_on"] > values["connected_on"]
        ):
            row.error("requested_on", _("after connected_on"))
        if number:
            repeated(row, "installation", number, seen)
        if installation is not None and all(v is not None and v != "" for v in values.values()):
            parsed[installation.pk] = values
    if errors:
        raise ImportProblems(errors)

    in_force = {
        s.generator.installation_id: s
        for s in AllocationSet.objects.filter(
            generator__installation_id__in=list(parsed),
            status=AllocationStatus.ACCEPTED,
            last_cycle__isnull=True,
        )
        .select_related("generator")
        .prefetch_related("rows")
        .order_by("first_cycle")
    }
    for installation_id, values in parsed.items():
        # GD III for geração compartilhada depends on the shares: the allocation in force, when there is one.
        values["gd_class"] = gd_class(
            requested_on=values["requested_on"],
            power_kw=values["power_kw"],
            dispatchable=values["dispatchable"],
            modality=values["modality"],
            allocation=in_force.get(installation_id),
        )

    count = ImportCount()
    with transaction.atomic():
        before = {g.installation_id: g for g in Generator.objects.filter(installation_id__in=list(parsed))}
        changed = []
        for installation_id, values in parsed.items():
            old = before.get(installation_id)
            if old is None:
                count.created += 1
            elif any(differs(getattr(old, f), values[f]) for f in GENERATOR_FIELDS):
                count.updated += 1
            else:
                count.unchanged += 1
                continue
            changed.append(Generator(installation_id=installation_id, **values))
        upsert(Generator, changed, ["installation"], GENERATOR_FIELDS)
    return count


# --- import_readings ----------------------------------------------------------------------------------------


def import_readings(csv_path):
    errors = []
    path, rows = read_csv(csv_path, READING_COLUMNS, errors)
    installations = installation_ids(Row(path, 0, data, []).number("installation") for _line, data in rows)
    parsed, seen = {}, {}
    for line, data in rows:
        row = Row(path, line, data, errors)
        number = row.number("installation")
        installation = known_installation(row, "installation", number, installations)
        cycle = row.cycle("cycle")
        consumed = row.decimal("consumed_kwh", minimum=Decimal(0), maximum=KWH_MAX, places=3)
        injected = row.decimal("injected_kwh", minimum=Decimal(0), maximum=KWH_MAX, places=3)
        if number and cycle:
            repeated(row, "cycle", (number, cycle), seen)
        if installation is not None and cycle and consumed is not None and injected is not None:
            parsed[(installation.pk, cycle)] = (consumed, injected)
    if errors:
        raise ImportProblems(errors)

    count = ImportCount()
    with transaction.atomic():
        before = {
            (r.installation_id, r.cycle): (r.consumed_kwh, r.injected_kwh)
            for r in Reading.objects.filter(
                installation_id__in={k[0] for k in parsed}, cycle__in={k[1] for k in parsed}
            )
        }
        changed = []
        for (installation_id, cycle), (consumed, injected) in parsed.items():
            old = before.get((installation_id, cycle))
            if old is None:
                count.created += 1
            elif differs(old[0], consumed) or differs(old[1], injected):
                count.updated += 1
            else:
                count.unchanged += 1
                continue
            changed.append(
                Reading(
                    installation_id=installation_id, cycle=cycle, consumed_kwh=consumed, injected_kwh=injected
                )
            )
            count.changed_keys.append((installation_id, cycle))
        upsert(Reading, changed, ["installation", "cycle"], ["consumed_kwh", "injected_kwh", "imported_at"])

    if count.changed_keys:
        # New or corrected readings: the ledger computes those cycles (and reverses and recomputes the later
        # cycles already computed for the units involved, SPEC §7.2). Outside the import's transaction: the
        # readings stay saved even if the computation has to be run again.
        by_id = {i.pk: i for i in installations.values()}
        readings_changed(
            sorted({by_id[i] for i, _c in count.changed_keys}, key=lambda i: i.number),
            sorted({c for _i, c in count.changed_keys}),
        )
    return count
