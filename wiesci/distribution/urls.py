from collections.abc import Callable
from typing import Any

from django.http import HttpResponseBase
from django.middleware.http import ConditionalGetMiddleware
from django.urls import path
from django.utils.decorators import decorator_from_middleware

from wiesci.distribution import feeds, sitemaps, views

app_name = "distribution"


# ETag and 304 answers when Django itself serves these (the page cache in
# front does the same for anonymous readers).
def conditional(view: Callable[..., Any]) -> Callable[..., HttpResponseBase]:
    """ETag and 304 answers for `view`, as ConditionalGetMiddleware gives."""
    wrapped: Any = decorator_from_middleware(ConditionalGetMiddleware)(view)
    return wrapped  # type: ignore[no-any-return]


PREFIXES = {
    "section": "dzial",
    "tag": "tag",
    "place": "miejscowosc",
    "organisation": "organizacja",
    "author": "autor",
}

urlpatterns = [
    path("rss/", conditional(feeds.feed(None, atom=False)), name="rss"),
    path("atom/", conditional(feeds.feed(None, atom=True)), name="atom"),
    *(
        path(
            f"{prefix}/<slug:slug>/{fmt}/",
            conditional(feeds.feed(kind, atom=fmt == "atom")),
            name=f"{kind}-{fmt}",
        )
        for kind, prefix in PREFIXES.items()
        for fmt in ("rss", "atom")
    ),
    path("sitemap.xml", conditional(sitemaps.index), name="sitemap"),
    path("sitemap-strony.xml", conditional(sitemaps.pages), name="sitemap-pages"),
    path("sitemap-news.xml", conditional(sitemaps.news), name="sitemap-news"),
    path(
        "sitemap-<int:year>-<str:month>.xml",
        conditional(sitemaps.month),
        name="sitemap-month",
    ),
    path("robots.txt", views.robots, name="robots"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("ikona-<int:size>.png", views.icon, name="icon"),
    path("<str:key>.txt", views.indexnow_key, name="indexnow-key"),
]
