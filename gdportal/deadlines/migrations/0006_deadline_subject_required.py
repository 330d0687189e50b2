import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Step 3 of 3: the subject is required, the case's column goes; "one open clock per kind" and the
    subject's index are on the subject. The sweep's indexes (state, due_at / reminders) stay as they were."""

    dependencies = [("deadlines", "0005_deadline_subject_from_case")]

    operations = [
        migrations.RemoveConstraint(model_name="deadline", name="deadline_one_open_per_kind"),
        migrations.RemoveField(model_name="deadline", name="case"),
        migrations.AlterField(
            model_name="deadline",
            name="subject_type",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="subject type",
            ),
        ),
        migrations.AlterField(
            model_name="deadline",
            name="subject_id",
            field=models.PositiveBigIntegerField(verbose_name="subject id"),
        ),
        migrations.AddIndex(
            model_name="deadline",
            index=models.Index(fields=["subject_type", "subject_id", "state"], name="deadline_subject_state"),
        ),
        migrations.AddConstraint(
            model_name="deadline",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "open")),
                fields=("subject_type", "subject_id", "kind"),
                name="deadline_one_open_per_kind",
            ),
        ),
    ]
