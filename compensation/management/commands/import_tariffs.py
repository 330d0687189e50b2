from django.core.management.base import BaseCommand

from compensation.imports import import_tariffs
from gdportal.csvimport import run_import


class Command(BaseCommand):
    help = "Load tariffs (R$/kWh by valid-from date, group and class) from CSV; all or nothing, idempotent."

    def add_arguments(self, parser):
        parser.add_argument("csv_file")

    def handle(self, csv_file, **options):
        count = run_import(self, import_tariffs, csv_file)
        self.stdout.write(self.style.SUCCESS(count.summary()))
