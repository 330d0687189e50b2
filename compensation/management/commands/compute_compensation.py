"""`python manage.py compute_compensation --cycle aaaa-mm` (SPEC §12): compute one cycle of the ledger.

Idempotent: a cycle already computed with the same readings changes nothing; changed readings are reversed
and recomputed with every later cycle of the units involved.
"""

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from compensation.ledger import LedgerError, compute_cycle
from gdportal.locks import exclusive


def parse_cycle(value):
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(f"--cycle: expected aaaa-mm, got {value!r}")
    return date(int(match[1]), int(match[2]), 1)


class Command(BaseCommand):
    help = "Compute the sistema de compensação for one billing cycle (aaaa-mm)."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", required=True, help="billing cycle, aaaa-mm")
        parser.add_argument("--chunk-size", type=int, default=None, help="generating units per transaction")

    def handle(self, *args, cycle, chunk_size, **options):
        when = parse_cycle(cycle)
        # Two runs at once (a cron and an operator) would compute the same units side by side; the second
        # stops at once instead (gdportal/locks.py).
        with exclusive("compensation.ledger") as mine:
            if not mine:
                raise CommandError("another compute_compensation is running: try again when it ends")
            try:
                stats = compute_cycle(when, chunk_size=chunk_size)
            except LedgerError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{when:%Y-%m}: {stats.get('computed', 0)} units computed, "
            f"{stats.get('unchanged', 0)} unchanged, {stats.get('recomputed', 0)} recomputed"
        )
