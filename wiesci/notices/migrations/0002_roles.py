"""Events and official notices under the newsroom's roles, as articles are:
journalists write drafts and send them for review, editors publish them,
the administrators may do everything."""

from django.db import migrations

JOURNALIST = [
    "events.add_event", "events.change_event", "events.view_event",
    "notices.add_notice", "notices.change_notice", "notices.view_notice",
    "notices.add_noticeattachment", "notices.change_noticeattachment",
    "notices.view_noticeattachment", "notices.delete_noticeattachment",
]
EDITOR = JOURNALIST + [
    "events.delete_event", "events.publish_event", "events.view_eventlogentry",
    "notices.delete_notice", "notices.publish_notice", "notices.view_noticelogentry",
    "notices.view_proofentry",
]
ROLES = {"Dziennikarz": JOURNALIST, "Redaktor": EDITOR, "Administrator": EDITOR}


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    for name in names:
        app_label, codename = name.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for label in ("events", "notices"):
        config = apps.get_app_config(label)
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
        ("events", "0001_initial"),
        ("notices", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
