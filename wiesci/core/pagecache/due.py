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
from typing import TypeVar

from wiesci.core.pagecache.stores import store

# How long a moment is remembered per generation at most.
DUE_SECONDS = 3600

T = TypeVar("T")


def next_moment(
    name: str, moments: Callable[[], Iterable[datetime | None]]
) -> float | None:
    """The soonest of `moments()` as a Unix time, or None if none comes."""

    def read() -> tuple[None, datetime | None]:
        return None, min((m for m in moments() if m is not None), default=None)

    return until_next(name, read)[1]


def until_next(
    name: str, read: Callable[[], tuple[T, datetime | None]]
) -> tuple[T, float | None]:
    """What `read()` found, and the moment it says its finding changes, as a
    Unix time (None: never on its own), read again once that moment passes."""
    from django.core.cache import cache

    key = f"wiesci:due:{name}:{store().generation()}"
    found = cache.get(key)
    if found is None or time.time() >= found[1]:
        value, moment = read()
        found = (value, math.inf if moment is None else moment.timestamp())
        cache.set(key, found, DUE_SECONDS)
    return found[0], None if found[1] == math.inf else float(found[1])
