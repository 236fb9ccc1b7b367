"""Live coverage under the newsroom's roles: journalists post updates and edit
their own, editors start and end coverage, keep the key facts and edit or
delete any update; the administrators may do everything."""

from django.db import migrations

JOURNALIST = [
    "live.view_coverage",
    "live.add_update",
    "live.change_update",
    "live.view_update",
]
EDITOR = JOURNALIST + [
    "live.add_coverage",
    "live.change_coverage",
    "live.run_coverage",
    "live.delete_update",
    "live.view_logentry",
]
ROLES = {"Dziennikarz": JOURNALIST, "Redaktor": EDITOR, "Administrator": EDITOR}


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    for name in names:
        app_label, codename = name.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("live")
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
        ("live", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
