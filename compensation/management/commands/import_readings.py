from django.core.management.base import BaseCommand

from compensation.imports import import_readings
from gdportal.csvimport import run_import


class Command(BaseCommand):
    help = "Load consumed and injected kWh per unit and cycle from CSV and compute the cycles that changed."

    def add_arguments(self, parser):
        parser.add_argument("csv_file")

    def handle(self, csv_file, **options):
        count = run_import(self, import_readings, csv_file)
        self.stdout.write(self.style.SUCCESS(count.summary()))
