from django.db import migrations

# (old app, old model) -> new model name in "cases"
MOVED = {
    ("atende", "accessrequest"): "case",
    ("atende", "historicalaccessrequest"): "historicalcase",
    ("atende", "caseevent"): "caseevent",
    ("atende", "documentversion"): "documentversion",
    ("atende", "numbersequence"): "numbersequence",
}


def forwards(apps, schema_editor):
    """Carry the content types (and so the permissions, the groups that hold them and the admin's log) over
    to the kernel, renaming the default permissions with the model: view_accessrequest -> view_case."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for (app_label, old), new in MOVED.items():
        ct = ContentType.objects.using(db).filter(app_label=app_label, model=old).first()
        if ct is None or ContentType.objects.using(db).filter(app_label="cases", model=new).exists():
            continue  # a fresh database: post_migrate creates the kernel's content types
        ct.app_label, ct.model = "cases", new
        ct.save(update_fields=["app_label", "model"])
        for perm in Permission.objects.using(db).filter(content_type=ct, codename__endswith=f"_{old}"):
            perm.codename = perm.codename[: -len(old)] + new
            perm.save(update_fields=["codename"])


def backwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for (app_label, old), new in MOVED.items():
        ct = ContentType.objects.using(db).filter(app_label="cases", model=new).first()
        if ct is None or ContentType.objects.using(db).filter(app_label=app_label, model=old).exists():
            continue
        ct.app_label, ct.model = app_label, old
        ct.save(update_fields=["app_label", "model"])
        for perm in Permission.objects.using(db).filter(content_type=ct, codename__endswith=f"_{new}"):
            perm.codename = perm.codename[: -len(new)] + old
            perm.save(update_fields=["codename"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
