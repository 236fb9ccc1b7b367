"""WSGI entry point for `wiesci serve` (granian) or any WSGI server."""

import os
from collections.abc import Callable, Iterable

from django.core.wsgi import get_wsgi_application

from wiesci.core.mediafiles import MediaFiles
from wiesci.core.metrics import Rendering, RequestMetrics
from wiesci.core.pagecache import PageCache

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")


def build(django: Callable[..., Iterable[bytes]]) -> RequestMetrics:
    """Every request counted and timed, then uploaded media, then anonymous
    pages from the shared page cache, before Django is involved."""
    return RequestMetrics(MediaFiles(PageCache(Rendering(django))))


application = build(get_wsgi_application())
