"""Editors ban readers from the comment queue; they also find and unban them.

The user list shows who is banned and offers lifting a ban, so the role that
bans can see readers' accounts (not change them: bans go through actions).
"""

from django.db import migrations


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.filter(
        content_type__app_label="accounts", codename="view_user"
    ).first()
    group = Group.objects.filter(name="Redaktor").first()
    if permission is not None and group is not None:
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Redaktor").first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="accounts", codename="view_user"
            )
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_roles")]

    operations = [migrations.RunPython(grant, revoke)]
