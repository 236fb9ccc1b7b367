"""Who a request acts for."""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest

from wiesci.accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The logged-in user a request acts for; PermissionDenied for anyone else.

    Views and admin screens hand it to the services as `by=`.
    """
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def staff_with_permission(permission: str) -> list[User]:
    """Active staff holding `permission` ("app_label.codename") by themselves,
    by a group or as superusers, with an address to be told at."""
    app_label, codename = permission.split(".")
    granted = Permission.objects.get(
        codename=codename, content_type__app_label=app_label
    )
    return list(
        User.objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(is_superuser=True)
            | Q(user_permissions=granted)
            | Q(groups__permissions=granted)
        )
        .exclude(email="")
        .distinct()
    )
