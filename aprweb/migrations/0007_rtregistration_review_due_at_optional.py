from django.db import migrations, models


class Migration(migrations.Migration):
    """The RT registration's analysis SLA becomes a clock (issue 9), step 1 of 3: the column may be empty."""

    dependencies = [("aprweb", "0006_technicalqueue_on_kernel_case")]

    operations = [
        migrations.AlterField(
            model_name="rtregistration",
            name="review_due_at",
            field=models.DateTimeField(db_index=True, null=True, verbose_name="analysis due at"),
        ),
    ]
