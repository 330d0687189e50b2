"""Create the staff groups of SPEC §1. Their permissions are kept equal to roles.ROLE_PERMISSIONS by the
post_migrate hook (see accounts.apps), because most of those permissions belong to apps migrated later."""

from django.db import migrations

GROUPS = ["Analista comercial", "Analista técnico", "Analista de cadastro", "Vistoriador"]


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in GROUPS:
        Group.objects.using(schema_editor.connection.alias).get_or_create(name=name)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, remove_groups)]
