"""Notifications under the newsroom's roles: editors see how many browsers
subscribed to which sections and what each breaking story's push reached;
the administrators may also delete a subscription (a reader's request for
erasure). Nobody adds or changes a row: subscriptions come from readers'
browsers, broadcasts from marking a story breaking. Journalists see nothing."""

from django.db import migrations

from wiesci.core import roles

EDITOR = ["push.view_pushsubscription", "push.view_broadcast"]
ADMINISTRATOR = [*EDITOR, "push.delete_pushsubscription"]
ROLES = {"Redaktor": EDITOR, "Administrator": ADMINISTRATOR}


def grant(apps, schema_editor):
    roles.grant(apps, "push", ROLES)


def revoke(apps, schema_editor):
    roles.revoke(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles"),
        ("push", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
