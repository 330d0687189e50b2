"""Writing the generation data (SPEC §16). The stage that owns the step (APR Web: the order's RT, while the
order takes documents) locks the case and checks the right, then calls these inside its transaction."""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from gdportal.brdocs import only_digits
from gdportal.cases.choices import Verdict
from gdportal.cases.services import RuleBroken, ServiceError

from .choices import DeclarationCode, UnitsMode
from .models import Declaration, GenerationData, GeneratorRow, InverterRow, ModuleRow, ParticipatingUnit
from .validate import generation_errors

# Sent after a save that changed the data (version bumped), on commit: the generated documents (request form,
# units list) are rendered again as a new version. kwargs: case, data.
generation_changed = Signal()

SCALARS = [
    "generation_type",
    "array_area_m2",
    "has_storage",
    "storage_kwh",
    "storage_kw",
    "storage_islanded",
    "building_type",
    "leased_roof",
    "lessor_installation",
    "breaker_a",
    "breaker_poles",
    "pole_under_30m",
    "units_mode",
]
ROWS = {
    "modules": (ModuleRow, ["manufacturer", "model", "power_w", "quantity"]),
    "inverters": (InverterRow, ["manufacturer", "model", "power_kw", "quantity", "voltage_v", "inmetro"]),
    "generators": (GeneratorRow, ["manufacturer", "model", "power_kva", "quantity"]),
}


TEXTS = ("manufacturer", "model", "inmetro")


def _normalise(values):
    clean = {name: values.get(name) for name in SCALARS}
    for name in ("has_storage", "storage_islanded", "leased_roof"):
        clean[name] = bool(clean[name])
    if not clean["has_storage"]:
        clean.update(storage_kwh=None, storage_kw=None, storage_islanded=False)
    clean["lessor_installation"] = (
        only_digits(clean["lessor_installation"] or "") if clean["leased_roof"] else ""
    )
    clean["units_mode"] = clean["units_mode"] or UnitsMode.PERCENT
    rows = {}
    for group, (_model, names) in ROWS.items():
        rows[group] = [
            {name: (row.get(name) or "").strip() if name in TEXTS else row.get(name) for name in names}
            for row in values.get(group) or []
        ]  # fmt: skip
    by_priority = clean["units_mode"] == UnitsMode.PRIORITY
    rows["units"] = [
        {
            "installation_number": only_digits(str(row.get("installation") or "")),
            "percentage": None if by_priority else row.get("percentage"),
            "priority": (row.get("priority") or position) if by_priority else None,
        }
        for position, row in enumerate(values.get("units") or [], start=1)
    ]
    return clean, rows


def _snapshot(data):
    """What the generated documents show, to tell a real change from a save of the same data."""
    scalars = tuple(str(getattr(data, name)) for name in SCALARS)
    rows = tuple(
        tuple(tuple(str(getattr(row, name)) for name in names) for row in getattr(data, group).all())
        for group, (_model, names) in ROWS.items()
    )
    units = tuple((u.installation_number, str(u.percentage), u.priority) for u in data.units.all())
    declared = tuple(sorted(data.declarations.filter(accepted=True).values_list("code", flat=True)))
    return scalars, rows, units, declared


@transaction.atomic
def generation_store(*, case, by, values):
    """Save the step as sent (a whole replacement of the rows), judged by validate.generation_errors.

    `values`: the model's field names with Python values, the row lists "modules", "inverters",
    "generators", "units" ({installation, percentage, priority}) and "declarations" (the codes declared).
    Raises RuleBroken({path: message}) and saves nothing when a rule is broken. The version goes up only when
    something changed; the declarations keep who made them and when until withdrawn.
    """
    errors = generation_errors(case, values)
    if errors:
        raise RuleBroken({path: " ".join(str(m) for m in messages) for path, messages in errors.items()})
    clean, rows = _normalise(values)
    data, created = GenerationData.objects.select_for_update().get_or_create(case=case)
    before = _snapshot(data)
    for name, value in clean.items():
        setattr(data, name, value)
    data.save()
    for group, (model, _names) in ROWS.items():
        model.objects.filter(data=data).delete()
        model.objects.bulk_create(
            [model(data=data, position=position, **row) for position, row in enumerate(rows[group])]
        )
    _store_units(data, rows["units"])
    _store_declarations(data, by, set(values.get("declarations") or []))
    data.refresh_from_db()  # compared as stored (40 and 40.00 are the same area)
    if created or _snapshot(data) != before:
        data.version += 1
        data.updated_by = by
        data.save(update_fields=["version", "updated_by", "updated_at"])
        transaction.on_commit(lambda: generation_changed.send(sender=GenerationData, case=case, data=data))
    return data


def _store_units(data, rows):
    """Replaced as a list; a unit kept in the list keeps the titular's confirmation only if its share did
    not change (what the titular confirmed is what applies)."""
    old = {u.installation_number: u for u in data.units.all()}
    data.units.all().delete()
    units = []
    for position, row in enumerate(rows):
        unit = ParticipatingUnit(data=data, position=position, **row)
        previous = old.get(unit.installation_number)
        if previous and (previous.percentage, previous.priority) == (unit.percentage, unit.priority):
            unit.confirmed_at, unit.confirmed_by = previous.confirmed_at, previous.confirmed_by
        units.append(unit)
    ParticipatingUnit.objects.bulk_create(units)


def _store_declarations(data, by, declared):
    now = timezone.now()
    current = {d.code: d for d in data.declarations.all()}
    for code in DeclarationCode.values:
        accepted = code in declared
        existing = current.get(code)
        if existing is None:
            if accepted:
                Declaration.objects.create(data=data, code=code, accepted=True, by=by, at=now)
        elif existing.accepted != accepted:
            # Withdrawn or made again: who and when of the last change is what the form shows.
            existing.accepted, existing.by, existing.at = accepted, by, now
            existing.save(update_fields=["accepted", "by", "at"])


@transaction.atomic
def generation_verdict(*, case, by, verdict, note=""):
    """The analyst's verdict on the data step, like a document's (SPEC §5.4, §16), on the current version."""
    data = GenerationData.objects.select_for_update().filter(case=case).first()
    if data is None:
        raise ServiceError(_("The order has no generation technical data to judge."))
    if verdict not in Verdict.values:
        raise ServiceError(_("Choose conforming or not conforming."))
    note = (note or "").strip()
    if verdict == Verdict.NONCONFORMING and not note:
        raise ServiceError(_("Say what is wrong: the RT will read the note."))
    if (data.verdict, data.verdict_note, data.verdict_version) == (verdict, note, data.version):
        return data  # unchanged: keep who judged it and when
    data.verdict, data.verdict_note, data.verdict_version = verdict, note, data.version
    data.verdict_by, data.verdict_at = by, timezone.now()
    data.save(update_fields=["verdict", "verdict_note", "verdict_version", "verdict_by", "verdict_at"])
    return data


@transaction.atomic
def units_confirm(*, case, by):
    """The titular confirms the participating units filed with the request: at the connection they become
    the case's allocation (SPEC §7.1, §16), with no analyst's acceptance and no notice period."""
    data = GenerationData.objects.filter(case=case).first()
    if data is None or not data.units.exists():
        raise ServiceError(_("This request lists no participating units."))
    if by.customer_id != case.customer_id:
        raise ServiceError(_("Only the holder of the generating unit confirms its participating units."))
    data.units.filter(confirmed_at__isnull=True).update(confirmed_at=timezone.now(), confirmed_by=by)
    return data
