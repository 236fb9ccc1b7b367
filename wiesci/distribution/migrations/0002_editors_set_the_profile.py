"""Editors keep the portal's profile (logo, icon, social profiles) up to date."""

from django.db import migrations

CODENAMES = ["view_portalprofile", "change_portalprofile"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make them now.
    config = apps.get_app_config("distribution")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Redaktor").first()
    if group is not None:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="distribution", codename__in=CODENAMES
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Redaktor").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="distribution", codename__in=CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0001_initial"),
        ("accounts", "0004_editors_see_readers"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
