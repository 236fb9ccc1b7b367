"""Who makes a write: a person, or the portal itself under a name.

Every service that writes takes `by=`, with no default, so no code path can
skip a permission check by leaving the argument out. A staff member or a
reader is a `User`; the scheduler, the task worker, the demo loader, an
import and the operator's commands act as a `SystemActor`, which every
permission check lets through and the audit log records by its name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class SystemActor:
    """The portal acting on its own, not on a person's behalf.

    It answers the attributes permission checks ask of a user (active, staff,
    every permission) so that the rules need no special case for it, but it
    is never a row of the database: `user_of()` gives None for it.
    """

    name: str
    label: Promise

    pk = None
    id = None
    is_active = True
    is_staff = True
    is_superuser = True
    is_authenticated = True
    is_anonymous = False

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True

    def has_perms(self, perms: Any, obj: Any = None) -> bool:
        return True

    def __str__(self) -> str:
        return str(self.label)


SCHEDULER = SystemActor("scheduler", _("the scheduler"))
WORKER = SystemActor("worker", _("the task worker"))
DEMO = SystemActor("demo", _("the demo loader"))
IMPORT = SystemActor("import", _("an import"))
COMMAND = SystemActor("command", _("an operator's command"))
SYSTEM_ACTORS = {
    actor.name: actor for actor in (SCHEDULER, WORKER, DEMO, IMPORT, COMMAND)
}


def user_of(actor: Any) -> Any:
    """The user row to store as the author of a write; None for the system."""
    return None if isinstance(actor, SystemActor) else actor


def system_name(actor: Any) -> str:
    """The system actor's name to record beside the write; '' for a person."""
    return actor.name if isinstance(actor, SystemActor) else ""
