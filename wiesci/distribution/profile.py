"""The portal's profile, read once per process and generation of the cache."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from wiesci.core import pagecache
from wiesci.distribution.models import PortalProfile

KEY = "wiesci:portal-profile"


def current() -> PortalProfile:
    """The saved profile, or the defaults when the newsroom has set none."""
    found: PortalProfile | None = cache.get(KEY)
    if found is None:
        found = PortalProfile.objects.filter(pk=1).first() or PortalProfile(pk=1)
        cache.set(KEY, found, None)
    return found


def on_profile_changed(sender: Any, **kwargs: Any) -> None:
    """Logo, icons and names show on every page and in every feed."""
    cache.delete(KEY)
    pagecache.purge_all()
