"""Where photos are used, as the apps that use them tell the photos app.

The photos app sits below the apps that show photos (articles), so it cannot
ask them; they register two rules here in their `ready()`:

- which photos public pages show: those must keep their alternative text;
- which photos a staff member may change: a journalist only those of their
  own drafts, say.

With no rule registered, no photo counts as public and everyone with the
model permission may change every photo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

from wiesci.photos.models import Photo

# Each takes a queryset of photos and returns the part of it the rule is about.
PublicRule = Callable[[QuerySet[Photo]], QuerySet[Photo]]
ChangeRule = Callable[[Any, QuerySet[Photo]], QuerySet[Photo]]

_public_rules: list[PublicRule] = []
_change_rules: list[ChangeRule] = []


def register_public_rule(rule: PublicRule) -> PublicRule:
    """`rule(photos)` gives the photos among `photos` that a public page shows."""
    if rule not in _public_rules:
        _public_rules.append(rule)
    return rule


def register_change_rule(rule: ChangeRule) -> ChangeRule:
    """`rule(user, photos)` gives the photos among `photos` that `user` may change."""
    if rule not in _change_rules:
        _change_rules.append(rule)
    return rule


def is_shown_publicly(photo: Photo) -> bool:
    """Whether a public page (or one scheduled to become public) shows `photo`."""
    if photo.pk is None:
        return False
    photos = Photo.objects.filter(pk=photo.pk)
    return any(rule(photos).exists() for rule in _public_rules)


def changeable_by(user: Any, photos: QuerySet[Photo]) -> QuerySet[Photo]:
    """The photos among `photos` that `user` may change, by every rule."""
    for rule in _change_rules:
        photos = rule(user, photos)
    return photos
