"""Who a request acts for."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from wiesci.accounts.models import User


def acting_user(request: HttpRequest) -> User:
    """The logged-in user a request acts for; PermissionDenied for anyone else.

    Views and admin screens hand it to the services as `by=`.
    """
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user
