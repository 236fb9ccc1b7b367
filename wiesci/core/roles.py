"""The newsroom's roles given their permissions, by the apps' roles migrations.

A roles migration runs with the historical `apps` of its moment, before
Django's post-migrate step has made the app's permissions: `grant` makes them
first. `roles` maps a group's name ("Dziennikarz", "Redaktor",
"Administrator") to permission names ("tips.view_tip"); a group that does not
exist (a database made before the roles were) is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_NONE = object()


def _permissions(apps: Any, names: list[str]) -> Iterator[Any]:
    Permission = apps.get_model("auth", "Permission")
    for name in names:
        app_label, codename = name.split(".")
        yield Permission.objects.get(
            content_type__app_label=app_label, codename=codename
        )


def grant(apps: Any, app_label: str, roles: dict[str, list[str]]) -> None:
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config(app_label)
    # Historical app configs have no models module, and create_permissions
    # skips an app without one; put back what was there.
    before = getattr(config, "models_module", _NONE)
    config.models_module = True
    try:
        create_permissions(config, apps=apps, verbosity=0)
    finally:
        if before is _NONE:
            del config.models_module
        else:
            config.models_module = before
    Group = apps.get_model("auth", "Group")
    for role, names in roles.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.add(*_permissions(apps, names))


def revoke(apps: Any, roles: dict[str, list[str]]) -> None:
    Group = apps.get_model("auth", "Group")
    for role, names in roles.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, names))
