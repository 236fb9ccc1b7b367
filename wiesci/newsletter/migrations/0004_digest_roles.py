"""The digests under the newsroom's roles: editors and administrators see
them, write the intro, pick the top story, test and approve. Nobody adds or
deletes one: the worker drafts them, and a sent one is the record."""

from django.db import migrations

from wiesci.core import roles

EDITOR = ["newsletter.view_digest", "newsletter.change_digest"]
ROLES = {"Redaktor": EDITOR, "Administrator": EDITOR}


def grant(apps, schema_editor):
    roles.grant(apps, "newsletter", ROLES)


def revoke(apps, schema_editor):
    roles.revoke(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0003_digests")]

    operations = [migrations.RunPython(grant, revoke)]
