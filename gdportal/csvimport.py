"""What every CSV import from the utility's systems shares (SPEC §2 `import_registry`, §12 compensation
inputs).

UTF-8 with a header (a BOM is tolerated), `,` or `;` as the separator (whichever the header uses more),
decimal comma or dot. Every row is validated before anything is written: problems are collected as
`file:line: column: message` and, when there is any, the import raises `ImportProblems` and saves nothing.
Writing is a bulk upsert of the rows that really differ, so importing the same file twice changes nothing.
"""

import csv
import datetime as dt
import io
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gdportal.brdocs import only_digits

BATCH = 2000
MAX_PRINTED = 500
TRUE = {"true", "t", "1", "sim", "s", "yes", "y", "verdadeiro"}
FALSE = {"false", "f", "0", "nao", "n", "no", "falso"}
CYCLE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def fold(text):
    """Lower case, no accents, runs of punctuation as one space: 'Eólica', 'EOLICA' and 'eolica' meet."""
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def choice_map(choices, extra=None):
    """Accept the code, the English label or the pt-BR word the export uses, without accents or case."""
    mapping = {}
    for value, label in choices:
        mapping[fold(value)] = value
        mapping[fold(str(label))] = value
    for key, value in (extra or {}).items():
        mapping[fold(key)] = value
    return mapping


def add_months(day, months):
    years, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + years, month + 1, 1)


def decimal_places(value):
    """Places a number really has once trailing zeros go: 10,50 has one, 33,333 three."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


class ImportProblems(Exception):
    """The rows that stopped an import; nothing was saved."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) found; nothing was imported")


class Row:
    """One data row: typed readers that record `file:line: column: message` and return None/"" when bad."""

    def __init__(self, path, line, data, errors, optional=()):
        self.path, self.line, self.data, self.errors, self.optional = path, line, data, errors, optional

    def error(self, column, message):
        self.errors.append(f"{self.path.name}:{self.line}: {column}: {message}")

    def get(self, column):
        value = (self.data.get(column) or "").strip()
        if not value and column not in self.optional:
            self.error(column, _("required"))
        return value

    def number(self, column, digits=10):
        value = only_digits(self.get(column))
        if value and len(value) != digits:
            self.error(column, _("must have %(digits)s digits") % {"digits": digits})
            return ""  # reported once: no "not found" for a number that cannot exist
        return value

    def choice(self, column, mapping):
        raw = self.get(column)
        if not raw:
            return ""
        value = mapping.get(fold(raw))
        if value is None:
            self.error(column, _("unknown value %(value)r") % {"value": raw})
        return value

    def decimal(self, column, minimum=None, maximum=None, places=None, positive=False):
        raw = self.get(column)
        if not raw:
            return None
        try:
            value = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            self.error(column, _("not a number: %(value)r") % {"value": raw})
            return None
        if (
            not value.is_finite()
            or (minimum is not None and value < minimum)
            or (maximum is not None and value > maximum)
        ):
            self.error(column, _("out of range: %(value)s") % {"value": raw})
            return None
        if positive and value <= 0:
            self.error(column, _("must be greater than zero: %(value)s") % {"value": raw})
            return None
        if places is not None and decimal_places(value) > places:
            self.error(
                column,
                ngettext(
                    "at most %(places)s decimal place: %(value)s",
                    "at most %(places)s decimal places: %(value)s",
                    places,
                )
                % {"places": places, "value": raw},
            )
            return None
        return value

    def integer(self, column, minimum=None):
        raw = self.get(column)
        if not raw:
            return None
        if not raw.isdigit() or (minimum is not None and int(raw) < minimum):
            self.error(
                column,
                _("not a whole number of at least %(minimum)s: %(value)r")
                % {
                    "minimum": minimum or 0,
                    "value": raw,
                },
            )
            return None
        return int(raw)

    def date(self, column):
        raw = self.get(column)
        if not raw:
            return None
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
        self.error(column, _("not a date (aaaa-mm-dd or dd/mm/aaaa): %(value)r") % {"value": raw})
        return None

    def cycle(self, column):
        """A billing month written aaaa-mm, stored as its first day."""
        raw = self.get(column)
        if not raw:
            return None
        match = CYCLE.match(raw)
        if not match:
            self.error(column, _("not a cycle (aaaa-mm): %(value)r") % {"value": raw})
            return None
        return dt.date(int(match.group(1)), int(match.group(2)), 1)

    def boolean(self, column, default=None):
        raw = self.get(column)
        if not raw:
            return default
        if fold(raw) in TRUE:
            return True
        if fold(raw) in FALSE:
            return False
        self.error(column, _("not true or false: %(value)r") % {"value": raw})
        return default


def read_csv(path, expected, errors, optional=()):
    """The file's data rows as (line, {column: text}); a file that cannot be read or lacks a required column
    is one problem and no rows."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(f"{path.name}: " + _("cannot read: %(error)s") % {"error": exc})
        return path, []
    fieldnames, rows = parse_csv(text)
    missing = [c for c in expected if c not in fieldnames and c not in optional]
    if missing:
        errors.append(
            f"{path.name}:1: " + _("missing columns: %(columns)s") % {"columns": ", ".join(missing)}
        )
        return path, []
    return path, list(rows)


def parse_csv(text):
    """(the header's column names, an iterator of (line, {column: text})) for text already decoded.

    The separator is whichever of `;` and `,` the header uses more. Iterating may raise csv.Error (a NUL byte,
    an unclosed quote at the end).
    """
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    fieldnames = [(name or "").strip() for name in reader.fieldnames or []]
    reader.fieldnames = fieldnames
    # line_num after a record is its last physical line: right for one-line rows, blank lines skipped.
    return fieldnames, ((reader.line_num, row) for row in reader)


def repeated(row, column, key, seen):
    """Report a key met before in the file, naming the line it was first on."""
    if key in seen:
        row.error(column, _("repeated (first on line %(line)s)") % {"line": seen[key]})
    else:
        seen[key] = row.line


def upsert(model, objects, unique, fields):
    for start in range(0, len(objects), BATCH):
        model.objects.bulk_create(
            objects[start : start + BATCH], update_conflicts=True, unique_fields=unique, update_fields=fields
        )


def differs(old, new):
    if isinstance(old, Decimal) or isinstance(new, Decimal):
        return (Decimal(old) if old is not None else None) != (Decimal(new) if new is not None else None)
    return old != new


def run_import(command, function, *args):
    """A management command's side: print every problem on stderr and fail with a non-zero exit."""
    try:
        return function(*args)
    except ImportProblems as exc:
        for line in exc.errors[:MAX_PRINTED]:
            command.stderr.write(line)
        if len(exc.errors) > MAX_PRINTED:
            command.stderr.write(_("... and %(count)s more") % {"count": len(exc.errors) - MAX_PRINTED})
        raise CommandError(
            ngettext(
                "%(count)s problem found; nothing was imported.",
                "%(count)s problems found; nothing was imported.",
                len(exc.errors),
            )
            % {"count": len(exc.errors)}
        ) from exc
