"""When calendar pages change with nobody touching them.

A day's lists change at local midnight, the lists of what is still to come
whenever an event is over. Stored pages and fragments must not outlive the
sooner of the two.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wiesci.core import pagecache
from wiesci.events.models import Event, local_midnight


def next_midnight() -> float:
    return local_midnight(timezone.localdate() + timedelta(days=1)).timestamp()


def next_change() -> float | None:
    over = pagecache.next_moment(
        "events",
        lambda: [
            Event.objects.published()
            .filter(over_at__gt=timezone.now())
            .order_by("over_at")
            .values_list("over_at", flat=True)
            .first()
        ],
    )
    return min(over, next_midnight()) if over is not None else next_midnight()
