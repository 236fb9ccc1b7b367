"""Newsletter subscribers under the newsroom's roles: editors see the list and
suppress addresses; the administrators may also delete a row (a reader's
request for erasure). Nobody adds one: subscribing needs the reader's own
confirmation."""

from django.db import migrations

from wiesci.core import roles

EDITOR = ["newsletter.view_subscriber", "newsletter.change_subscriber"]
ADMINISTRATOR = [*EDITOR, "newsletter.delete_subscriber"]
ROLES = {"Redaktor": EDITOR, "Administrator": ADMINISTRATOR}


def grant(apps, schema_editor):
    roles.grant(apps, "newsletter", ROLES)


def revoke(apps, schema_editor):
    roles.revoke(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles"),
        ("newsletter", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
