from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gdportal import demo


class Command(BaseCommand):
    help = "Create the demo people and registry (idempotent). Refused in production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (a staging demo). Never on production data.",
        )

    def handle(self, force=False, **options):
        if not (settings.DEBUG or settings.TESTING or force):
            raise CommandError(
                "seed_demo creates accounts with a published password: refused with DEBUG off."
            )
        demo.seed_demo()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data ready. Password for every demo account: {demo.DEMO_PASSWORD}")
        )
        self.stdout.write(
            f"  Atende (e-mail):   {demo.CUSTOMER_EMAIL} · {demo.DEBTOR_EMAIL} (overdue debt)"
            f" · {demo.RT_EMAIL}\n"
            f"  APR Web (CPF):     111.444.777-35\n"
            f"  Admin (username):  {', '.join(demo.STAFF)}, admin"
        )
