from django.core.management.base import BaseCommand

from gdportal.transparency.services import transparency_compute


class Command(BaseCommand):
    help = "Recompute the public transparency figures (/transparencia/) now, as the hourly task does."

    def handle(self, **options):
        snapshot = transparency_compute()
        figures = snapshot.figures
        closed = sum(row["closed"] for stage in figures["stages"] for row in stage["months"])
        self.stdout.write(
            f"{closed} clocks closed in {len(figures['months'])} months; computed in {snapshot.seconds:.2f} s"
        )
