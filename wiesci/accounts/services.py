"""Writes to reader accounts: names, consents, deletion and bans. `by` names
who acts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wiesci.accounts.models import Consent, TermsVersion, User
from wiesci.accounts.names import check_display_name

# A permanent ban is one that ends after everyone involved.
PERMANENT_BAN = timedelta(days=365 * 100)
# Moderators ban: the permission reads "moderate comments and ban readers".
BAN_PERMISSION = "comments.moderate_comment"


@transaction.atomic
def delete_account(user: User, *, by: Any) -> None:
    """Delete the reader's account; what they wrote stays, without their name.

    Only its owner (or an administrator) deletes an account. Rows that point
    at users do so with on_delete=SET_NULL, so comments remain and show as
    written from a deleted account.
    """
    if by.pk != user.pk and not by.has_perm("accounts.delete_user"):
        raise PermissionDenied(_("You may not delete this account."))
    user.delete()


def _require_moderator(by: Any) -> None:
    if not by.has_perm(BAN_PERMISSION):
        raise PermissionDenied(_("Only moderators ban readers."))


@transaction.atomic
def ban_reader(user: User, *, by: Any, until: datetime, reason: str) -> User:
    """Stop `user` from commenting until `until` (a far date for a permanent ban)."""
    _require_moderator(by)
    user.banned_until = until
    user.ban_reason = reason
    user.save(update_fields=["banned_until", "ban_reason"])
    return user


@transaction.atomic
def lift_ban(user: User, *, by: Any) -> User:
    """Let `user` comment again at once."""
    _require_moderator(by)
    user.banned_until = None
    user.ban_reason = ""
    user.save(update_fields=["banned_until", "ban_reason"])
    return user


@transaction.atomic
def record_consent(user: User, *, by: Any) -> Consent:
    """Record that `user` agrees to the terms shown now (at sign-up)."""
    if by.pk is not None and by.pk != user.pk:
        raise PermissionDenied(_("Only the reader can agree to the terms."))
    return Consent.objects.create(user=user, terms=TermsVersion.current())


@transaction.atomic
def rename_reader(user: User, *, by: Any, name: str) -> User:
    """Change the name shown with the reader's comments, if nobody has it
    and it does not pass for the newsroom's (ValidationError says why)."""
    if by.pk != user.pk and not by.has_perm("accounts.change_user"):
        raise PermissionDenied(_("You may not rename this account."))
    name = " ".join(name.split())
    check_display_name(name, user=user)
    user.display_name = name
    try:
        with transaction.atomic():
            user.save(update_fields=["display_name"])
    except IntegrityError:
        # Taken by another reader a moment ago.
        check_display_name(name, user=user)
        raise
    return user
