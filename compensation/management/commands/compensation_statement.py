import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from compensation.statement import csv_text, json_text, statement_rows
from gdportal.brdocs import only_digits
from gdportal.csvimport import CYCLE
from gdportal.registry.models import Installation


def _cycle(text):
    match = CYCLE.match(text or "")
    if not match:
        raise CommandError(_("not a cycle (aaaa-mm): %(value)r") % {"value": text})
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


class Command(BaseCommand):
    help = "Print a unit's statement, one row per computed cycle, as JSON or CSV (SPEC §12)."

    def add_arguments(self, parser):
        parser.add_argument("installation")
        parser.add_argument("--from", dest="first", metavar="aaaa-mm")
        parser.add_argument("--to", dest="last", metavar="aaaa-mm")
        parser.add_argument("--format", choices=["json", "csv"], required=True)

    def handle(self, installation, first=None, last=None, **options):
        first = _cycle(first) if first else None
        last = _cycle(last) if last else None
        if first and last and first > last:
            raise CommandError(_("--from is after --to"))
        unit = Installation.objects.filter(number=only_digits(installation)).first()
        if unit is None:
            raise CommandError(_("installation %(number)s is not in the registry") % {"number": installation})
        rows = statement_rows(unit, first, last)
        text = csv_text(rows) if options["format"] == "csv" else json_text(rows)
        self.stdout.write(text, ending="")
