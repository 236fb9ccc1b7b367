"""Writes to reader accounts: deletion and bans."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from wiesci.accounts.models import User

# A permanent ban is one that ends after everyone involved.
PERMANENT_BAN = timedelta(days=365 * 100)


@transaction.atomic
def delete_account(user: User) -> None:
    """Delete the reader's account; what they wrote stays, without their name.

    Rows that point at users do so with on_delete=SET_NULL, so comments remain
    and show as written from a deleted account.
    """
    user.delete()


@transaction.atomic
def ban_reader(user: User, *, until: datetime, reason: str) -> User:
    """Stop `user` from commenting until `until` (a far date for a permanent ban)."""
    user.banned_until = until
    user.ban_reason = reason
    user.save(update_fields=["banned_until", "ban_reason"])
    return user


@transaction.atomic
def lift_ban(user: User) -> User:
    """Let `user` comment again at once."""
    user.banned_until = None
    user.ban_reason = ""
    user.save(update_fields=["banned_until", "ban_reason"])
    return user
