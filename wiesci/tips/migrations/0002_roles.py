"""Readers' tips under the newsroom's roles: journalists work the inbox (view
and change: status, assignment, note, turning a tip into a draft); editors
may also delete a tip (a reader's request for erasure) and see how to reach
its sender; so may the administrators. Nobody adds one: readers send them
through the form."""

from django.db import migrations

from wiesci.core import roles

JOURNALIST = ["tips.view_tip", "tips.change_tip"]
EDITOR = [*JOURNALIST, "tips.delete_tip", "tips.view_tip_contact"]
ADMINISTRATOR = EDITOR
ROLES = {"Dziennikarz": JOURNALIST, "Redaktor": EDITOR, "Administrator": ADMINISTRATOR}


def grant(apps, schema_editor):
    roles.grant(apps, "tips", ROLES)


def revoke(apps, schema_editor):
    roles.revoke(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles"),
        ("tips", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
