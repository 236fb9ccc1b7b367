"""When stored pages must be fresh with nobody touching them, asked once.

An app's expiry hook (see `register_expiry`) names the next moment its pages
change on their own: a scheduled story comes due, a notice's period ends.
Page-cache misses ask on every store, so the moment is read from the
database once per page-cache generation (any edit starts a new one) and
again each time it passes, and shared by every process through the cache.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from wiesci.core.pagecache.stores import store

# How long a moment is remembered per generation at most.
DUE_SECONDS = 3600


def next_moment(
    name: str, moments: Callable[[], Iterable[datetime | None]]
) -> float | None:
    """The soonest of `moments()` as a Unix time, or None if none comes."""
    from django.core.cache import cache

    key = f"wiesci:due:{name}:{store().generation()}"
    moment = cache.get(key)
    if moment is None or time.time() >= moment:
        found = [m.timestamp() for m in moments() if m is not None]
        moment = min(found, default=math.inf)
        cache.set(key, moment, DUE_SECONDS)
    return None if moment == math.inf else float(moment)
