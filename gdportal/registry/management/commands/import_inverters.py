from django.core.management.base import BaseCommand

from gdportal.csvimport import run_import
from gdportal.registry.inverters import import_inverters


class Command(BaseCommand):
    help = (
        "Load the INMETRO table of registered inverters (fabricante, modelo, potencia_kw, registro_inmetro, "
        "valido_ate) from CSV; all or nothing, idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv_file")

    def handle(self, csv_file, **options):
        count = run_import(self, import_inverters, csv_file)
        self.stdout.write(self.style.SUCCESS(count.summary()))
