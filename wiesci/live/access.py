"""Who may do what to live coverage: the desk and the services ask here."""

from __future__ import annotations

from typing import Any

from wiesci.core.actors import user_of
from wiesci.live.models import Update


def can_run(user: Any) -> bool:
    """Start and end coverage, change its key facts, edit anyone's update."""
    return bool(user.has_perm("live.run_coverage"))


def can_post(user: Any) -> bool:
    return bool(user.has_perm("live.add_update"))


def can_edit(user: Any, update: Update) -> bool:
    """An editor edits any update, a journalist their own."""
    if not user.has_perm("live.change_update"):
        return False
    if can_run(user):
        return True
    person = user_of(user)
    return person is not None and update.created_by_id == person.pk


def can_delete(user: Any) -> bool:
    return bool(user.has_perm("live.delete_update")) and can_run(user)
