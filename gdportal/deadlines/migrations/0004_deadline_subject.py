import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """A clock belongs to a subject (a case, an RT registration…), not to the case (issue 9), step 1 of 3:
    the generic columns, empty, next to the case's; the case's column may be empty from now on."""

    dependencies = [
        ("cases", "0002_content_types_follow_the_models"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("deadlines", "0003_alter_deadline_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="deadline",
            name="subject_type",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="contenttypes.contenttype",
                verbose_name="subject type",
            ),
        ),
        migrations.AddField(
            model_name="deadline",
            name="subject_id",
            field=models.PositiveBigIntegerField(null=True, verbose_name="subject id"),
        ),
        migrations.AlterField(
            model_name="deadline",
            name="case",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deadlines",
                to="cases.case",
            ),
        ),
    ]
