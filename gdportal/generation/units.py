"""The rules of a list of units receiving a generator's credits (SPEC §7.1), each with its pt-BR message.

Pure judgement over the utility's registry, shared by the two places a list is filed: the compensation's
receiving-unit registration (compensation.allocation_rules adds its own rules around these) and the
participating units of the APR order's generation data step (SPEC §16). Stages never import each other: both
import this.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from gdportal.brdocs import only_digits
from gdportal.brformats import number_br
from gdportal.registry.models import Installation

HUNDRED = Decimal(100)
INSTALLATION_DIGITS = 10
PERCENT = "percent"
PRIORITY = "priority"


@dataclass
class RowInput:
    """One row as typed: `line` is the row number the user sees (rows left blank are not passed)."""

    installation: str
    percent: Decimal | None = None
    priority: int | None = None
    line: int = 0


@dataclass
class CleanRow:
    installation: Installation
    percent: Decimal | None
    priority: int | None


@dataclass
class AllocationErrors:
    """`rows`: {row index: {field: [messages]}}; `fields`: {form field, or None for the form: [messages]}."""

    rows: dict = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    fields: dict = field(default_factory=lambda: defaultdict(list))

    def at_row(self, index, name, message):
        self.rows[index][name].append(message)

    def at_field(self, name, message):
        self.fields[name].append(message)

    def __bool__(self):
        return bool(self.rows or self.fields)

    def messages(self):
        for index in sorted(self.rows):
            for messages in self.rows[index].values():
                yield from messages
        for messages in self.fields.values():
            yield from messages


def same_titular(customer, other):
    """The same CPF, or two CNPJs of the same company (the root: the first 8 characters)."""
    if customer.pk == other.pk or customer.document == other.document:
        return True
    both_cnpj = len(customer.document) == 14 and len(other.document) == 14
    return both_cnpj and customer.document[:8] == other.document[:8]


def decimal_places(value):
    """Places a number really has: 10,50 has one, 33,333 three."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def installations_of(rows):
    numbers = {only_digits(row.installation) for row in rows}
    numbers = [n for n in numbers if len(n) == INSTALLATION_DIGITS]
    return {
        inst.number: inst
        for inst in Installation.objects.filter(number__in=numbers).select_related("customer")
    }


def check_units(errors, *, generator_number, titular, other_titulars, rows, found):
    """Each row names a Cemig unit that exists, is active, appears once, is not the generator and — unless
    `other_titulars` (shared generation, EMUC) — has the generator's `titular`. Returns {row index:
    Installation}. `generator_number` is '' for a new unit not yet numbered."""
    first_line = {}
    clean = {}
    for index, row in enumerate(rows):
        number = only_digits(row.installation)
        line = row.line or index + 1
        if not row.installation.strip():
            errors.at_row(index, "installation", _("Enter the installation number."))
            continue
        if len(number) != INSTALLATION_DIGITS:
            errors.at_row(index, "installation", _("An installation number has 10 digits."))
            continue
        if number in first_line:
            errors.at_row(
                index,
                "installation",
                _("Installation %(number)s is already in row %(line)s: list each unit once.")
                % {"number": number, "line": first_line[number]},
            )
            continue
        first_line[number] = line
        if generator_number and number == generator_number:
            errors.at_row(
                index,
                "installation",
                _(
                    "This is the generating unit itself: it is not listed, what is not allocated to the "
                    "other units already stays with it."
                ),
            )
            continue
        installation = found.get(number)
        if installation is None:
            errors.at_row(
                index,
                "installation",
                _(
                    "Installation %(number)s is not in Cemig's registry: credits go only to Cemig consumer "
                    "units, in its concession area. Check the number on the electricity bill."
                )
                % {"number": number},
            )
            continue
        if not installation.is_active:
            errors.at_row(
                index,
                "installation",
                _("Installation %(number)s is closed: only active units receive credits.")
                % {"number": number},
            )
            continue
        if not other_titulars and not same_titular(titular, installation.customer):
            errors.at_row(
                index,
                "installation",
                _(
                    "Installation %(number)s belongs to another holder. In remote self-consumption every "
                    "receiving unit has the generating unit's holder (the same CPF, or the same CNPJ root); "
                    "other holders take part only through shared generation or multiple consumer units."
                )
                % {"number": number},
            )
            continue
        clean[index] = installation
    return clean


def check_percentages(errors, rows):
    total = Decimal(0)
    passed = False
    for index, row in enumerate(rows):
        value = row.percent
        if value is None:
            errors.at_row(index, "percent", _("Enter the percentage of the credits for this unit."))
            continue
        if value <= 0:
            errors.at_row(index, "percent", _("The percentage must be greater than zero."))
            continue
        if decimal_places(value) > 2:
            errors.at_row(index, "percent", _("Use at most 2 decimal places, e.g. 33,33."))
            continue
        total += value
        if total > HUNDRED and not passed:
            passed = True
            errors.at_row(
                index,
                "percent",
                _("With this row the percentages reach %(total)s %%, above 100 %%.")
                % {"total": number_br(total)},
            )
    if total > HUNDRED:
        errors.at_field(
            None,
            _(
                "The percentages add up to %(total)s %%: the total may not exceed 100 %% (what is not "
                "allocated stays with the generating unit)."
            )
            % {"total": number_br(total)},
        )


def check_priorities(errors, rows):
    seen = {}
    for index, row in enumerate(rows):
        value = row.priority
        if value is None:
            continue  # the row's place in the list
        if value < 1:
            errors.at_row(index, "priority", _("The order starts at 1."))
            continue
        if value in seen:
            errors.at_row(
                index,
                "priority",
                _("Position %(position)s is already given to row %(line)s.")
                % {"position": value, "line": seen[value]},
            )
            continue
        seen[value] = row.line or index + 1


def clean_rows(mode, rows, clean):
    if mode == PERCENT:
        return [CleanRow(clean[i], rows[i].percent.quantize(Decimal("0.01")), None) for i in sorted(clean)]
    # Priority: the typed positions first (a blank one counts as its place in the list), then renumbered
    # 1, 2, 3… so the ledger reads a plain order.
    ordered = sorted(clean, key=lambda i: (rows[i].priority if rows[i].priority is not None else i + 1, i))
    return [CleanRow(clean[i], None, position) for position, i in enumerate(ordered, start=1)]


def check_unit_list(*, generator_number, titular, other_titulars, mode, rows):
    """(errors, clean rows) for a whole list: the units, then the percentages or the priorities."""
    errors = AllocationErrors()
    found = installations_of(rows)
    clean = check_units(
        errors,
        generator_number=generator_number,
        titular=titular,
        other_titulars=other_titulars,
        rows=rows,
        found=found,
    )
    if mode == PERCENT:
        check_percentages(errors, rows)
    elif mode == PRIORITY:
        check_priorities(errors, rows)
    if errors:
        return errors, []
    return errors, clean_rows(mode, rows, clean)
