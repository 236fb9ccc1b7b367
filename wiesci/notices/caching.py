"""When the current notices change with nobody touching them: a period ends."""

from __future__ import annotations

import math
import time

from django.core.cache import cache
from django.utils import timezone

from wiesci.core import pagecache
from wiesci.core.editorial import Status
from wiesci.notices.models import Notice

DUE_SECONDS = 3600


def next_change() -> float | None:
    key = f"wiesci:notices:due:{pagecache.store().generation()}"
    moment = cache.get(key)
    if moment is None or time.time() >= moment:
        now = timezone.now()
        published = Notice.objects.filter(status=Status.PUBLISHED)
        moments = [
            published.filter(**{f"{field}__gt": now})
            .order_by(field)
            .values_list(field, flat=True)
            .first()
            for field in ("until_at", "published_at")
        ]
        found = [m.timestamp() for m in moments if m is not None]
        moment = min(found, default=math.inf)
        cache.set(key, moment, DUE_SECONDS)
    return None if moment == math.inf else float(moment)
