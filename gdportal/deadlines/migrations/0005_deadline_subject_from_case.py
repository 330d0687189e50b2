from django.db import migrations
from django.db.models import F


def case_type(apps, db):
    ContentType = apps.get_model("contenttypes", "ContentType")
    # On a fresh database post_migrate creates the content types later; get_or_create gives it the same row.
    return ContentType.objects.using(db).get_or_create(app_label="cases", model="case")[0]


def forwards(apps, schema_editor):
    """Every existing clock is a case's: its subject is that case. One UPDATE, whatever the number of rows."""
    Deadline = apps.get_model("deadlines", "Deadline")
    db = schema_editor.connection.alias
    if not Deadline.objects.using(db).exists():
        return
    Deadline.objects.using(db).update(subject_type=case_type(apps, db), subject_id=F("case_id"))


def backwards(apps, schema_editor):
    """Back to one clock per case: the clocks of other subjects (RT registrations) had no place then."""
    Deadline = apps.get_model("deadlines", "Deadline")
    db = schema_editor.connection.alias
    if not Deadline.objects.using(db).exists():
        return
    ct = case_type(apps, db)
    Deadline.objects.using(db).exclude(subject_type=ct).delete()
    Deadline.objects.using(db).update(case_id=F("subject_id"))


class Migration(migrations.Migration):
    """Step 2 of 3: the subject of every existing clock is its case. (Its own migration: on PostgreSQL the
    rows it updates must be committed before step 3 alters the table.)"""

    dependencies = [("deadlines", "0004_deadline_subject")]

    operations = [migrations.RunPython(forwards, backwards)]
