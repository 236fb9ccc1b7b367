"""Newsletter subscribers under the newsroom's roles: editors see the list and
suppress addresses; the administrators may also delete a row (a reader's
request for erasure). Nobody adds one: subscribing needs the reader's own
confirmation."""

from django.db import migrations

EDITOR = ["newsletter.view_subscriber", "newsletter.change_subscriber"]
ADMINISTRATOR = [*EDITOR, "newsletter.delete_subscriber"]
ROLES = {"Redaktor": EDITOR, "Administrator": ADMINISTRATOR}


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    for name in names:
        app_label, codename = name.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant_roles(apps, roles):
    """Give each role its permissions; later migrations of the app call it too."""
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("newsletter")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, names in roles.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.add(*_permissions(apps, names))


def revoke_roles(apps, roles):
    Group = apps.get_model("auth", "Group")
    for role, names in roles.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, names))


def grant(apps, schema_editor):
    grant_roles(apps, ROLES)


def revoke(apps, schema_editor):
    revoke_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_roles"),
        ("newsletter", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
