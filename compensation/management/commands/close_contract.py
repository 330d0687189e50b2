"""`python manage.py close_contract INSTALLATION --cycle aaaa-mm [--to INSTALLATION]` (SPEC §7.2 item 7, REN
655-M): the billing team records that a unit's contract ended; its credits go to the unit the titular named,
else to the titular's active unit that consumed most in the cycle, else stay in the titular's name until a
unit of theirs appears or they expire."""

from django.core.management.base import BaseCommand, CommandError

from compensation.ledger_transfers import TransferRefused, close_contract
from compensation.management.commands.compute_compensation import parse_cycle
from gdportal.brformats import number_br
from gdportal.registry.models import Installation


def _installation(number, option):
    try:
        return Installation.objects.get(number=(number or "").strip())
    except Installation.DoesNotExist as exc:
        raise CommandError(f"{option}: installation {number!r} not found in the registry") from exc


class Command(BaseCommand):
    help = "Move a closed unit's credits to another unit of the same titular (REN 655-M)."

    def add_arguments(self, parser):
        parser.add_argument("installation", help="the unit whose contract ended")
        parser.add_argument("--cycle", required=True, help="the cycle the contract ended in, aaaa-mm")
        parser.add_argument("--to", default=None, help="the unit the titular named to take the credits")

    def handle(self, *args, installation, cycle, to, **options):
        source = _installation(installation, "installation")
        named = _installation(to, "--to") if to else None
        try:
            destination, moved = close_contract(source, named=named, cycle=parse_cycle(cycle))
        except TransferRefused as exc:
            raise CommandError(str(exc)) from exc
        if destination is None:
            where = "kept in the titular's name (no other active unit)"
        else:
            where = f"moved to {Installation.objects.get(pk=destination).number}"
        self.stdout.write(f"{source.number}: {number_br(moved, 3)} kWh {where}")
