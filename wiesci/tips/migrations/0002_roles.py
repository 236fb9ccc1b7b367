"""Readers' tips under the newsroom's roles: journalists work the inbox (view
and change: status, assignment, note, turning a tip into a draft); editors
may also delete a tip (a reader's request for erasure) and see how to reach
its sender; so may the administrators. Nobody adds one: readers send them
through the form."""

from django.db import migrations

JOURNALIST = ["tips.view_tip", "tips.change_tip"]
EDITOR = [*JOURNALIST, "tips.delete_tip", "tips.view_tip_contact"]
ADMINISTRATOR = EDITOR
ROLES = {"Dziennikarz": JOURNALIST, "Redaktor": EDITOR, "Administrator": ADMINISTRATOR}


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    for name in names:
        app_label, codename = name.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("tips")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, names in ROLES.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.add(*_permissions(apps, names))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, names in ROLES.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, names))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles"),
        ("tips", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
