from django.db import migrations


class Migration(migrations.Migration):
    """Step 3 of 3: the clock is the one truth of the analysis deadline; the column goes."""

    dependencies = [("aprweb", "0008_rtregistration_review_clocks")]

    operations = [migrations.RemoveField(model_name="rtregistration", name="review_due_at")]
