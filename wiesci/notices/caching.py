"""When the current notices change with nobody touching them: a period ends."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from wiesci.core import pagecache
from wiesci.core.editorial import Status
from wiesci.notices.models import Notice


def next_change() -> float | None:
    def moments() -> list[datetime | None]:
        now = timezone.now()
        published = Notice.objects.filter(status=Status.PUBLISHED)
        return [
            published.filter(**{f"{field}__gt": now})
            .order_by(field)
            .values_list(field, flat=True)
            .first()
            for field in ("until_at", "published_at")
        ]

    return pagecache.next_moment("notices", moments)
