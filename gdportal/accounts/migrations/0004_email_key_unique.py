# A migration of its own: PostgreSQL refuses to alter a table in the transaction that just updated its rows.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_identifier_keys")]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=254, unique=True),
        ),
    ]
