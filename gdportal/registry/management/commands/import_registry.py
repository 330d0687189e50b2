from django.core.management.base import BaseCommand

from gdportal.csvimport import run_import
from gdportal.registry.importer import import_registry


class Command(BaseCommand):
    help = "Load customers and installations from the customer system's CSV export (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("customers_csv")
        parser.add_argument("installations_csv")

    def handle(self, customers_csv, installations_csv, **options):
        result = run_import(self, import_registry, customers_csv, installations_csv)
        self.stdout.write(
            self.style.SUCCESS(
                f"Customers: {result.customers_created} created, {result.customers_updated} updated. "
                f"Installations: {result.installations_created} created, "
                f"{result.installations_updated} updated. "
                f"Readings: {result.readings}."
            )
        )
