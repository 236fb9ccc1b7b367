"""Notifications under the newsroom's roles: editors see how many browsers
subscribed to which sections and what each breaking story's push reached;
the administrators may also delete a subscription (a reader's request for
erasure). Nobody adds or changes a row: subscriptions come from readers'
browsers, broadcasts from marking a story breaking. Journalists see nothing."""

from django.db import migrations

EDITOR = ["push.view_pushsubscription", "push.view_broadcast"]
ADMINISTRATOR = [*EDITOR, "push.delete_pushsubscription"]
ROLES = {"Redaktor": EDITOR, "Administrator": ADMINISTRATOR}


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    for name in names:
        app_label, codename = name.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("push")
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
        ("push", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
