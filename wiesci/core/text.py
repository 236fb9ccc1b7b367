"""Polish text helpers: slugs and the newsroom's times."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.text import slugify

# NFKD decomposes ą, ć, ę, ń, ó, ś, ź, ż into a letter and a mark, which
# slugify drops; ł has no decomposition and would vanish instead.
_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L"})


def polish_slugify(text: str, *, max_length: int = 200) -> str:
    """Return an ASCII slug: "Łączy Nas Biblioteka" → "laczy-nas-biblioteka"."""
    slug = slugify(text.translate(_NO_DECOMPOSITION))
    return slug[:max_length].rstrip("-")


def local_time(moment: datetime | None) -> str:
    """A time as the newsroom reads it, in Warsaw: "2026-11-26 06:00"."""
    if moment is None:
        return ""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
