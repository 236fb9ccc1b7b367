"""Where photos and videos are used, as the apps that use them tell the photos app.

The photos app sits below the apps that show photos (articles), so it cannot
ask them; they register two kinds of rule here in their `ready()`:

- which photos public pages show: those must keep their alternative text;
- which photos and videos a staff member may change: a journalist only those
  of their own drafts, say.

The admin screens and the services ask the same rules, so a screen can never
let through what a service refuses. With no rule registered, no photo counts
as public and everyone with the model permission may change everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from wiesci.photos.models import Photo

M = TypeVar("M", bound=Model)

# Each takes a queryset and returns the part of it the rule is about.
PublicRule = Callable[[QuerySet[Photo]], QuerySet[Photo]]
ChangeRule = Callable[[Any, QuerySet[Any]], QuerySet[Any]]

_public_rules: list[PublicRule] = []
_change_rules: dict[type[Model], list[ChangeRule]] = {}


def register_public_rule(rule: PublicRule) -> PublicRule:
    """`rule(photos)` gives the photos among `photos` that a public page shows."""
    if rule not in _public_rules:
        _public_rules.append(rule)
    return rule


def register_change_rule(rule: ChangeRule, *, model: type[Model] = Photo) -> ChangeRule:
    """`rule(user, rows)` gives the rows (photos or videos) that `user` may change."""
    rules = _change_rules.setdefault(model, [])
    if rule not in rules:
        rules.append(rule)
    return rule


def is_shown_publicly(photo: Photo) -> bool:
    """Whether a public page (or one scheduled to become public) shows `photo`."""
    if photo.pk is None:
        return False
    photos = Photo.objects.filter(pk=photo.pk)
    return any(rule(photos).exists() for rule in _public_rules)


def changeable_by(user: Any, rows: QuerySet[M]) -> QuerySet[M]:
    """The photos or videos among `rows` that `user` may change, by every rule."""
    for rule in _change_rules.get(rows.model, []):
        rows = rule(user, rows)
    return rows


def may_change(user: Any, row: Model) -> bool:
    """Whether `user` may change this one photo or video (a new one: yes)."""
    if row.pk is None:
        return True
    return changeable_by(user, type(row)._default_manager.filter(pk=row.pk)).exists()
