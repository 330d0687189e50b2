from django.core.management.base import BaseCommand

from compensation.imports_allocations import import_allocations
from gdportal.csvimport import run_import


class Command(BaseCommand):
    help = (
        "Load accepted receiving-unit allocations (percentages or priority order) from CSV; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file")

    def handle(self, csv_file, **options):
        count = run_import(self, import_allocations, csv_file)
        self.stdout.write(self.style.SUCCESS(count.summary()))
