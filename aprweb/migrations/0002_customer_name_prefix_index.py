"""Prefix search on the customer name ('Maria Sou…') over a million orders needs a pattern-ops index on
PostgreSQL (a plain btree under a non-C collation cannot serve LIKE 'x%'). SQLite has no such operator class;
there the index is simply not created."""

from django.db import migrations

INDEX = "aprorder_customer_name_prefix"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON aprweb_aprorder (UPPER(customer_name) varchar_pattern_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("aprweb", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
