from django.db import migrations


def _proxy():
    return migrations.CreateModel(
        name="TechnicalQueue",
        fields=[],
        options={
            "verbose_name": "technical analysis queue",
            "verbose_name_plural": "technical analysis queue",
            "proxy": True,
            "indexes": [],
            "constraints": [],
        },
        bases=("cases.case",),
    )


class Migration(migrations.Migration):
    """The technical queue is a proxy of the kernel's case now (state only: a proxy has no table)."""

    dependencies = [
        ("aprweb", "0005_alter_aprorder_case"),
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TechnicalQueue"), _proxy()],
            database_operations=[],
        ),
    ]
