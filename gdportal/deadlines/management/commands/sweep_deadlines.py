from django.core.management.base import BaseCommand

from gdportal.deadlines.sweep import sweep


class Command(BaseCommand):
    help = "Run the deadline sweep once: lapse due clocks, flag overdue SLAs, send due reminders."

    def handle(self, **options):
        result = sweep()
        self.stdout.write(
            f"{result.lapsed} lapsed, {result.flagged} flagged overdue, {result.reminders} reminders"
        )
