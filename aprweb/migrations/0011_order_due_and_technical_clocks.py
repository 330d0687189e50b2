from django.conf import settings
from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

# Frozen here (a migration must not follow later code): aprweb/deadline_kinds.py RT_CLOCKS and TECHNICAL_SLA.
RT_CLOCKS = ("apr_register", "apr_submit", "correction")
TECHNICAL_SLA = "technical_sla"


def case_type(apps, db):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.using(db).get_or_create(app_label="cases", model="case")[0]


def technical_clocks(apps, schema_editor):
    """Cases already under analysis get the conformity-check clock their (re)submission would start now:
    from the moment they entered the state. Late ones are flagged by the sweep's next run."""
    from gdportal.deadlines import calendar

    Case = apps.get_model("cases", "Case")
    Deadline = apps.get_model("deadlines", "Deadline")
    NonWorkingDay = apps.get_model("deadlines", "NonWorkingDay")
    db = schema_editor.connection.alias
    cases = Case.objects.using(db).filter(state="technical_review")
    if not cases.exists():
        return
    ct = case_type(apps, db)
    closed = frozenset(NonWorkingDay.objects.using(db).values_list("date", flat=True))
    running = set(
        Deadline.objects.using(db)
        .filter(subject_type=ct, kind=TECHNICAL_SLA, state="open")
        .values_list("subject_id", flat=True)
    )
    batch = []
    for case in cases.only("id", "state_changed_at", "updated_at").iterator(chunk_size=2000):
        if case.pk in running:
            continue
        started = case.state_changed_at or case.updated_at
        day = calendar.add_business_days(
            calendar.local_date(started), settings.GD_TECHNICAL_REVIEW_BUSINESS_DAYS, closed=closed
        )
        batch.append(
            Deadline(
                subject_type=ct,
                subject_id=case.pk,
                kind=TECHNICAL_SLA,
                started_at=started,
                due_at=calendar.end_of_day(day),
            )
        )
        if len(batch) == 2000:
            Deadline.objects.using(db).bulk_create(batch)
            batch = []
    Deadline.objects.using(db).bulk_create(batch)


def order_due(apps, schema_editor):
    """Each order's due date from its case's open RT clocks (aprweb.receivers keeps it so from now on)."""
    AprOrder = apps.get_model("aprweb", "AprOrder")
    Deadline = apps.get_model("deadlines", "Deadline")
    db = schema_editor.connection.alias
    if not AprOrder.objects.using(db).exists():
        return
    ct = case_type(apps, db)
    open_rt = Deadline.objects.using(db).filter(subject_type=ct, state="open", kind__in=RT_CLOCKS)
    nearest = open_rt.filter(subject_id=OuterRef("case_id")).order_by("due_at", "id")
    AprOrder.objects.using(db).filter(case_id__in=open_rt.values("subject_id")).update(
        due_at=Subquery(nearest.values("due_at")[:1]),
        due_kind=Coalesce(Subquery(nearest.values("kind")[:1]), Value("")),
    )


def drop_technical_clocks(apps, schema_editor):
    Deadline = apps.get_model("deadlines", "Deadline")
    db = schema_editor.connection.alias
    Deadline.objects.using(db).filter(kind=TECHNICAL_SLA).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("aprweb", "0010_order_due_at"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0006_deadline_subject_required"),
    ]

    operations = [
        migrations.RunPython(technical_clocks, drop_technical_clocks),
        migrations.RunPython(order_due, migrations.RunPython.noop),
    ]
