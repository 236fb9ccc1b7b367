from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Prefetch

from wiesci.live.models import Coverage, Update

register = template.Library()


def newest_updates() -> Any:
    """Updates newest first, with what each shows, in one query."""
    return Update.objects.select_related("photo", "video", "video__poster").order_by(
        "-at", "-pk"
    )


@register.simple_tag
def live_coverage(article: Any) -> Coverage | None:
    """The article's coverage with its updates (two queries), or None (one)."""
    if article.pk is None:
        return None
    coverage = (
        Coverage.objects.filter(article_id=article.pk)
        .prefetch_related(Prefetch("updates", queryset=newest_updates()))
        .first()
    )
    if coverage is not None:
        coverage.has_video = any(u.video_id for u in coverage.updates.all())  # type: ignore[attr-defined]
    return coverage
