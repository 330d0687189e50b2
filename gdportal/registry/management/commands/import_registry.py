from django.core.management.base import BaseCommand, CommandError

from gdportal.registry.importer import RegistryImportError, import_registry


class Command(BaseCommand):
    help = "Load customers and installations from the customer system's CSV export (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("customers_csv")
        parser.add_argument("installations_csv")

    def handle(self, customers_csv, installations_csv, **options):
        try:
            result = import_registry(customers_csv, installations_csv)
        except RegistryImportError as exc:
            for line in exc.errors[:500]:
                self.stderr.write(line)
            if len(exc.errors) > 500:
                self.stderr.write(f"... and {len(exc.errors) - 500} more")
            raise CommandError(f"{len(exc.errors)} problem(s) found; nothing was imported.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Customers: {result.customers_created} created, {result.customers_updated} updated. "
                f"Installations: {result.installations_created} created, "
                f"{result.installations_updated} updated. "
                f"Readings: {result.readings}."
            )
        )
