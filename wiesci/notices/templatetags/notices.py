"""What place and organisation pages show of the official notices."""

from __future__ import annotations

from typing import Any

from django import template

from wiesci.notices.models import Notice

register = template.Library()

SHOWN = 5


@register.simple_tag
def current_notices(*, place: Any = None, issuer: Any = None) -> list[Notice]:
    """The newest current notices of a place or an issuer: one query."""
    notices = Notice.objects.current()
    if place is not None:
        notices = notices.filter(places=place)
    if issuer is not None:
        notices = notices.filter(issuer=issuer)
    return list(notices.for_lists().newest_first()[:SHOWN])
