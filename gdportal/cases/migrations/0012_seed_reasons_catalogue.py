"""Seeds the reasons catalogue (gdportal/cases/reasons_shipped.py, SPEC §15); a reverse migration removes only
the reasons no decision used."""

from django.db import migrations

from gdportal.cases.reasons_shipped import REASONS, ship_catalogue


def seed(apps, schema_editor):
    ship_catalogue(apps.get_model("cases", "DecisionReason"), using=schema_editor.connection.alias)


def unseed(apps, schema_editor):
    DecisionReason = apps.get_model("cases", "DecisionReason")
    DecisionReason.objects.using(schema_editor.connection.alias).filter(
        code__in=[code for code, _text, _norm in REASONS], uses__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_reasons_catalogue_and_new_fact")]
    operations = [migrations.RunPython(seed, unseed)]
