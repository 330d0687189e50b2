"""`import_allocations` (SPEC §7.1, §12): the receiving units of plants whose allocation lives in the
utility's systems. The rows of one generator and one first cycle are one allocation set, accepted as it
arrives (imported=True); the set it replaces ends the cycle before. Every §7.1 rule that data can break is
checked first, with the machinery of `import_registry` (`gdportal.csvimport`).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gdportal.cases.choices import Modality
from gdportal.csvimport import ImportProblems, Row, add_months, read_csv
from gdportal.registry.models import InstallationStatus

from .allocation_rules import same_titular
from .imports import ImportCount, installation_ids, known_installation
from .models import Allocation, AllocationMode, AllocationSet, AllocationStatus, Generator

COLUMNS = ["generator", "installation", "percent", "priority", "first_cycle", "remainder_to"]
OPTIONAL = frozenset({"percent", "priority", "remainder_to"})
HUNDRED = Decimal(100)


@dataclass
class _Group:
    """The rows of one generator and first cycle: what becomes one AllocationSet."""

    generator: Generator
    first_cycle: object
    mode: str = ""
    mode_line: int = 0
    remainder_to: object = None
    remainder_line: int = 0
    rows: list = field(default_factory=list)  # (line, Row, installation, percent, priority)


def _read_rows(path, rows, errors):
    numbers = []
    for _line, data in rows:
        probe = Row(path, 0, data, [], OPTIONAL)
        numbers += [probe.number("generator"), probe.number("installation"), probe.number("remainder_to")]
    installations = installation_ids(numbers)
    generators = {
        g.installation.number: g
        for g in Generator.objects.filter(installation__number__in=[n for n in numbers if n]).select_related(
            "installation__customer"
        )
    }
    groups = {}
    for line, data in rows:
        row = Row(path, line, data, errors, OPTIONAL)
        generator_number = row.number("generator")
        generator = generators.get(generator_number)
        if generator_number and generator is None:
            row.error(
                "generator", _("no generating unit at installation %(number)s") % {"number": generator_number}
            )
        installation = known_installation(row, "installation", row.number("installation"), installations)
        first_cycle = row.cycle("first_cycle")
        percent = (
            row.decimal("percent", maximum=HUNDRED, places=2, positive=True) if row.get("percent") else None
        )
        priority = row.integer("priority", minimum=1) if row.get("priority") else None
        has_percent, has_priority = bool(row.get("percent")), bool(row.get("priority"))
        if has_percent and has_priority:
            row.error("priority", _("fill percent or priority, not both"))
        elif not has_percent and not has_priority:
            row.error("percent", _("percent or priority is required"))
        remainder_number = row.number("remainder_to")
        remainder = known_installation(row, "remainder_to", remainder_number, installations)
        if generator is None or first_cycle is None:
            continue
        group = groups.setdefault((generator_number, first_cycle), _Group(generator, first_cycle))
        mode = AllocationMode.PERCENT if has_percent else AllocationMode.PRIORITY if has_priority else ""
        if mode and has_percent != has_priority:
            if not group.mode:
                group.mode, group.mode_line = mode, line
            elif mode != group.mode:
                row.error(
                    mode,
                    _(
                        "percentages and priority order mixed in one allocation "
                        "(line %(line)s uses %(column)s)"
                    )
                    % {"line": group.mode_line, "column": group.mode},
                )
        if remainder is not None:
            if group.remainder_to is None:
                group.remainder_to, group.remainder_line = remainder, line
            elif group.remainder_to != remainder:
                row.error(
                    "remainder_to",
                    _("differs from line %(line)s (%(number)s)")
                    % {"line": group.remainder_line, "number": group.remainder_to.number},
                )
        group.rows.append((line, row, installation, percent, priority))
    return groups


def _check_group(group):
    """The rules of SPEC §7.1 that concern the whole allocation, reported at the row that breaks them."""
    generator = group.generator
    total = sum((p for *_rest, p, _priority in group.rows if p is not None), Decimal(0))
    seen_units, seen_priorities, running, reported = {}, {}, Decimal(0), False
    for line, row, installation, percent, priority in group.rows:
        if installation is not None:
            _check_unit(generator, row, installation)
            if installation.pk in seen_units:
                row.error(
                    "installation",
                    _("repeated in this allocation (first on line %(line)s)")
                    % {"line": seen_units[installation.pk]},
                )
            seen_units.setdefault(installation.pk, line)
        if percent is not None and group.mode == AllocationMode.PERCENT:
            running += percent
            if running > HUNDRED and not reported:  # at the row that takes the total past 100 %
                reported = True
                row.error(
                    "percent", _("the allocation's total passes 100%% (%(total)s%%)") % {"total": total}
                )
        if priority is not None:
            if priority in seen_priorities:
                row.error(
                    "priority",
                    _("repeated in this allocation (first on line %(line)s)")
                    % {"line": seen_priorities[priority]},
                )
            seen_priorities.setdefault(priority, line)
    if group.remainder_to is not None:
        row = next(r for line, r, *_rest in group.rows if line == group.remainder_line)
        if group.mode == AllocationMode.PERCENT:
            row.error(
                "remainder_to",
                _("only with priority order: with percentages the rest stays at the generator"),
            )
        elif group.remainder_to.pk not in seen_units:
            row.error(
                "remainder_to",
                _("installation %(number)s is not a receiving unit of this allocation")
                % {"number": group.remainder_to.number},
            )


def _check_unit(generator, row, installation):
    if installation.pk == generator.installation_id:
        row.error("installation", _("is the generating unit itself"))
    elif installation.status != InstallationStatus.ACTIVE:
        row.error(
            "installation", _("installation %(number)s is not active") % {"number": installation.number}
        )
    elif generator.modality == Modality.REMOTE and not same_titular(
        generator.installation.customer, installation.customer
    ):
        # Lei 14.300 art. 1º: autoconsumo remoto sends credits only to units of the generator's titular.
        row.error(
            "installation",
            _("autoconsumo remoto: installation %(number)s belongs to another titular")
            % {"number": installation.number},
        )


def import_allocations(csv_path):
    errors = []
    path, rows = read_csv(csv_path, COLUMNS, errors, OPTIONAL)
    if rows and not {"percent", "priority"} & set(rows[0][1]):
        errors.append(
            f"{path.name}:1: " + _("missing columns: %(columns)s") % {"columns": _("percent or priority")}
        )
        rows = []
    groups = _read_rows(path, rows, errors)
    for group in groups.values():
        _check_group(group)
    if errors:
        raise ImportProblems(sorted(errors, key=_line_order))

    count = ImportCount()
    now = timezone.now()
    with transaction.atomic():
        for key in sorted(groups):
            group = groups[key]
            count_as = _save_group(group, now)
            setattr(count, count_as, getattr(count, count_as) + 1)
    return count


def _line_order(message):
    """Problems in file order (the whole-allocation checks run after the row checks)."""
    _name, _sep, rest = message.partition(":")
    line = rest.partition(":")[0]
    return int(line) if line.isdigit() else 0


def _ever_in_force(queryset):
    """Sets with a non-empty run of cycles (one replaced before it began ends the cycle before its first)."""
    return queryset.filter(Q(last_cycle__isnull=True) | Q(last_cycle__gte=F("first_cycle")))


def _wanted(group):
    return {
        (installation.pk, percent, priority) for _line, _row, installation, percent, priority in group.rows
    }


def _save_group(group, now):
    """Write one allocation unless the same one is already in force from that cycle; returns the counter."""
    generator, first = group.generator, group.first_cycle
    accepted = _ever_in_force(
        AllocationSet.objects.filter(generator=generator, status=AllocationStatus.ACCEPTED)
    )
    before = add_months(first, -1)
    current = accepted.filter(first_cycle=first).prefetch_related("rows").first()
    remainder_id = group.remainder_to.pk if group.remainder_to is not None else None
    if (
        current is not None
        and current.mode == group.mode
        and current.remainder_to_id == remainder_id
        and {(r.installation_id, r.percent, r.priority) for r in current.rows.all()} == _wanted(group)
    ):
        return "unchanged"
    # The set in force when this one begins (the same first cycle too: corrected data) ends the cycle before;
    # it is kept, never rewritten otherwise, as every allocation ever in force is (SPEC §7.1).
    accepted.filter(first_cycle__lte=first).filter(
        Q(last_cycle__isnull=True) | Q(last_cycle__gte=first)
    ).update(last_cycle=before)
    following = (
        accepted.filter(first_cycle__gt=first).order_by("first_cycle").values_list("first_cycle", flat=True)
    )
    next_first = following.first()
    new = AllocationSet.objects.create(
        generator=generator,
        mode=group.mode,
        remainder_to_id=remainder_id,
        status=AllocationStatus.ACCEPTED,
        first_cycle=first,
        last_cycle=add_months(next_first, -1) if next_first else None,
        requested_at=now,
        decided_at=now,
        imported=True,
    )
    Allocation.objects.bulk_create(
        Allocation(allocation_set=new, installation=installation, percent=percent, priority=priority)
        for _line, _row, installation, percent, priority in group.rows
    )
    return "updated" if current is not None else "created"
