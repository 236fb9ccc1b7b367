"""When calendar pages change with nobody touching them.

A day's lists change at local midnight, the lists of what is still to come
whenever an event is over. Stored pages and fragments must not outlive the
sooner of the two. The moment is read from the database once per page-cache
generation (publishing an event starts a new one) and again each time it
passes, then shared by every process through the cache.
"""

from __future__ import annotations

import math
import time
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from wiesci.core import pagecache
from wiesci.events.models import Event, local_midnight

DUE_SECONDS = 3600


def next_midnight() -> float:
    return local_midnight(timezone.localdate() + timedelta(days=1)).timestamp()


def next_change() -> float | None:
    key = f"wiesci:events:due:{pagecache.store().generation()}"
    moment = cache.get(key)
    if moment is None or time.time() >= moment:
        over = (
            Event.objects.published()
            .filter(over_at__gt=timezone.now())
            .order_by("over_at")
            .values_list("over_at", flat=True)
            .first()
        )
        moment = over.timestamp() if over is not None else math.inf
        cache.set(key, moment, DUE_SECONDS)
    return min(float(moment), next_midnight())
