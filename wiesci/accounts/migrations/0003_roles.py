"""The newsroom's roles: journalist, editor, administrator.

Permission checks on single articles (a journalist edits only their own
drafts) live in `wiesci/articles/access.py`; these groups give each role the
model permissions the admin asks for.
"""

from django.db import migrations

JOURNALIST = [
    "articles.add_article", "articles.change_article", "articles.view_article",
    "articles.view_author", "articles.view_label", "articles.view_galleryitem",
    "articles.add_galleryitem", "articles.change_galleryitem",
    "articles.view_revision",
    "photos.add_photo", "photos.change_photo", "photos.view_photo",
    "photos.add_video", "photos.change_video", "photos.view_video",
    "taxonomy.view_section", "taxonomy.view_place", "taxonomy.view_organisation",
    "taxonomy.view_tag", "taxonomy.add_tag",
]
EDITOR = JOURNALIST + [
    "articles.delete_article", "articles.publish_article", "articles.edit_any_article",
    "articles.add_author", "articles.change_author", "articles.add_label",
    "articles.change_label", "articles.delete_galleryitem", "articles.view_auditentry",
    "articles.add_correction", "articles.change_correction", "articles.view_correction",
    "photos.delete_photo", "photos.delete_video",
    "taxonomy.add_section", "taxonomy.change_section", "taxonomy.add_place",
    "taxonomy.change_place", "taxonomy.add_organisation", "taxonomy.change_organisation",
    "taxonomy.change_tag", "taxonomy.delete_tag",
    "comments.view_comment", "comments.change_comment", "comments.moderate_comment",
    "comments.view_report", "comments.view_removalreason", "comments.add_removalreason",
    "comments.change_removalreason", "comments.view_moderationsettings",
    "comments.change_moderationsettings",
]
ROLES = {"Dziennikarz": JOURNALIST, "Redaktor": EDITOR}


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; make them now.
    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def lookup(names):
        for name in names:
            app_label, codename = name.split(".")
            yield Permission.objects.get(content_type__app_label=app_label, codename=codename)

    for role, names in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(list(lookup(names)))
    admin, _ = Group.objects.get_or_create(name="Administrator")
    admin.permissions.set(Permission.objects.all())


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[*ROLES, "Administrator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_ban_reason_user_banned_until"),
        ("articles", "0003_newsroom"),
        ("comments", "0002_removal_reasons"),
        ("photos", "0002_video_dimensions"),
        ("taxonomy", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
