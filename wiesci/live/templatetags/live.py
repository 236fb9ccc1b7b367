from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch, prefetch_related_objects

from wiesci.live.models import Coverage, Update

register = template.Library()


def newest_updates() -> Any:
    """Updates newest first, with what each shows, in one query."""
    return Update.objects.select_related("photo", "video", "video__poster").order_by(
        "-at", "-pk"
    )


@register.simple_tag
def live_coverage(article: Any) -> Coverage | None:
    """The article's coverage with its updates (one query), or None (none:
    the article page reads its coverage with the article)."""
    if article.pk is None:
        return None
    try:
        coverage: Coverage = article.live_coverage
    except Coverage.DoesNotExist:
        return None
    prefetch_related_objects([coverage], Prefetch("updates", queryset=newest_updates()))
    coverage.has_video = any(u.video_id for u in coverage.updates.all())  # type: ignore[attr-defined]
    return coverage
