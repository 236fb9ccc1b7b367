"""Readers' public names: one per reader, ignoring case and diacritics, and
none that passes for the newsroom's."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# ł has no decomposition; the rest of Polish letters lose their mark in NFKD.
_FOLD = str.maketrans({"ł": "l", "Ł": "L"})
# Words a reader's name may not contain: the newsroom's roles, in any case
# of the noun ("Redakcji", "Redakcją" begin alike).
RESERVED_PARTS = ("redakcj", "redaktor", "moderator", "administrator", "wydawca")
RESERVED_NAMES = ("admin", "administracja", "portal")


def name_key(name: str) -> str:
    """The name as compared with others: "Redakcja  Wieści!" → "redakcjawiesci"."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_FOLD))
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


def check_display_name(name: str, *, user: Any = None) -> None:
    """Raise why a reader may not take `name`; `user` is who asks (None at
    sign-up), whose own present name is never in the way."""
    from wiesci.accounts.models import User

    if "@" in name:
        raise ValidationError(
            _("Choose a name without an e-mail address: it is shown to everyone."),
            code="email",
        )
    key = name_key(name)
    if len(key) < 3:
        raise ValidationError(
            _("A name needs at least three letters or digits."), code="short"
        )
    portal = name_key(Site.objects.get_current().name)
    reserved = any(part in key for part in RESERVED_PARTS) or key in RESERVED_NAMES
    if reserved or (len(portal) >= 3 and portal in key):
        raise ValidationError(
            _("This name is reserved for the newsroom. Choose another."),
            code="reserved",
        )
    others = User.objects.all()
    if getattr(user, "pk", None) is not None:
        others = others.exclude(pk=user.pk)
    for member in others.filter(is_staff=True).only(
        "display_name", "first_name", "last_name", "username"
    ):
        if name_key(member.public_name) == key:
            raise ValidationError(
                _("This name is reserved for the newsroom. Choose another."),
                code="reserved",
            )
    if others.filter(is_active=True, display_key=key).exists():
        raise ValidationError(
            _("This name is already taken. Add something to tell you apart."),
            code="taken",
        )
