"""The digests under the newsroom's roles: editors and administrators see
them, write the intro, pick the top story, test and approve. Nobody adds or
deletes one: the worker drafts them, and a sent one is the record."""

from importlib import import_module

from django.db import migrations

roles = import_module("wiesci.newsletter.migrations.0002_roles")

EDITOR = ["newsletter.view_digest", "newsletter.change_digest"]
ROLES = {"Redaktor": EDITOR, "Administrator": EDITOR}


def grant(apps, schema_editor):
    roles.grant_roles(apps, ROLES)


def revoke(apps, schema_editor):
    roles.revoke_roles(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [("newsletter", "0003_digests")]

    operations = [migrations.RunPython(grant, revoke)]
