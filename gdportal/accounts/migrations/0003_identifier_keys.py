"""Sign-in identifiers looked up by one normalised key (gdportal.accounts.identifiers).

Adds User.email_key and stores every username as its key. Two existing accounts whose identifiers fold to
the same key cannot both keep it: the migration stops and names them, for an administrator to merge or rename.
"""

import unicodedata

from django.db import migrations, models


def identifier_key(value):
    # A copy of gdportal.accounts.identifiers.identifier_key as it was when this migration was written.
    value = unicodedata.normalize("NFKC", value or "").casefold()
    value = value.replace("ı", "i").replace("i\u0307", "i")
    return unicodedata.normalize("NFKC", value).strip()


def fill_keys(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    users = User.objects.using(schema_editor.connection.alias)
    seen = {"email_key": {}, "username": {}}
    rows = list(users.order_by("pk").values_list("pk", "email", "username"))
    for pk, email, username in rows:
        for field, key in (("email_key", identifier_key(email)), ("username", identifier_key(username))):
            if key in seen[field]:
                raise RuntimeError(
                    f"Users {seen[field][key]} and {pk} have the same {field} once normalised ({key!r}); "
                    "rename one before migrating."
                )
            seen[field][key] = pk
    for pk, email, username in rows:
        users.filter(pk=pk).update(email_key=identifier_key(email), username=identifier_key(username))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_groups")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_key",
            field=models.CharField(editable=False, max_length=254, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
