from django.db import migrations

KIND = "rt_registration_review"  # aprweb/deadline_kinds.py


def registration_type(apps, db):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.using(db).get_or_create(app_label="aprweb", model="rtregistration")[0]


def forwards(apps, schema_editor):
    """One clock per registration, due when its column said: open while pending (the sweep flags it overdue
    on its next run if it is late), met when it was decided."""
    RTRegistration = apps.get_model("aprweb", "RTRegistration")
    Deadline = apps.get_model("deadlines", "Deadline")
    db = schema_editor.connection.alias
    registrations = RTRegistration.objects.using(db).exclude(review_due_at=None)
    if not registrations.exists():
        return
    ct = registration_type(apps, db)
    done = set(Deadline.objects.using(db).filter(subject_type=ct, kind=KIND).values_list("subject_id", flat=True))
    rows = (
        Deadline(
            subject_type=ct,
            subject_id=r.pk,
            kind=KIND,
            started_at=r.submitted_at,
            due_at=r.review_due_at,
            state="open" if r.status == "pending" else "met",
            closed_at=None if r.status == "pending" else (r.decided_at or r.review_due_at),
        )
        for r in registrations.iterator(chunk_size=2000)
        if r.pk not in done
    )
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 2000:
            Deadline.objects.using(db).bulk_create(batch)
            batch = []
    Deadline.objects.using(db).bulk_create(batch)


def backwards(apps, schema_editor):
    RTRegistration = apps.get_model("aprweb", "RTRegistration")
    Deadline = apps.get_model("deadlines", "Deadline")
    db = schema_editor.connection.alias
    if not RTRegistration.objects.using(db).exists():
        return
    ct = registration_type(apps, db)
    clocks = Deadline.objects.using(db).filter(subject_type=ct, kind=KIND).order_by("started_at", "id")
    due = dict(clocks.values_list("subject_id", "due_at"))  # the latest clock of each registration wins
    for registration in RTRegistration.objects.using(db).iterator(chunk_size=2000):
        registration.review_due_at = due.get(registration.pk, registration.submitted_at)
        registration.save(update_fields=["review_due_at"])
    clocks.delete()


class Migration(migrations.Migration):
    """Step 2 of 3: each registration's review_due_at becomes its analysis clock (a Deadline row)."""

    dependencies = [
        ("aprweb", "0007_rtregistration_review_due_at_optional"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0006_deadline_subject_required"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
