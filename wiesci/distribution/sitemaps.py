"""Sitemaps: an index, the articles month by month (with their photos), the
listing pages, and a Google News sitemap of the last two days.

Each file is written in one pass over rows read in a fixed number of queries
(the articles, their gallery photos), however many it lists. `lastmod` is
when the page last changed: an article's own modification, a listing's
newest public story's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from django.contrib.sites.shortcuts import get_current_site
from django.db.models import Max, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

from wiesci.articles.models import Article, Author, GalleryItem
from wiesci.distribution.structured import absolute
from wiesci.taxonomy.models import Organisation, Place, Section

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
IMAGE_NS = "http://www.google.com/schemas/sitemap-image/1.1"
MAX_ENTRIES = 50_000  # the protocol's limit per file
NEWS_DAYS = 2  # Google News reads only the last two days
NEWS_MAX = 1000  # …and at most a thousand stories
IMAGE_SIZE = "full"  # the largest public rendition
CONTENT_TYPE = "application/xml; charset=utf-8"


def w3c(moment: datetime | None) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else ""


def _xml(parts: Iterable[str]) -> HttpResponse:
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(parts)
    return HttpResponse(body.encode(), content_type=CONTENT_TYPE)


def _url(loc: str, lastmod: datetime | None, extra: str = "") -> str:
    modified = f"<lastmod>{w3c(lastmod)}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{modified}{extra}</url>\n"


# --- The index ---------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    lastmod: datetime

    @property
    def path(self) -> str:
        return reverse(
            "distribution:sitemap-month",
            kwargs={"year": self.year, "month": f"{self.month:02d}"},
        )


def months() -> list[Month]:
    """Every month with public stories (in the portal's time zone), newest
    first, with the latest change of any of them: one grouped query."""
    rows = (
        Article.objects.published()
        .annotate(
            month=TruncMonth("published_at", tzinfo=timezone.get_current_timezone())
        )
        .values("month")
        .annotate(lastmod=Max("modified_at"))
        .order_by("-month")
    )
    found = []
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime):
            month = timezone.localtime(month) if timezone.is_aware(month) else month
        found.append(Month(month.year, month.month, row["lastmod"]))
    return found


def index(request: HttpRequest) -> HttpResponse:
    def entry(path: str, lastmod: datetime | None) -> str:
        modified = f"<lastmod>{w3c(lastmod)}</lastmod>" if lastmod else ""
        return f"<sitemap><loc>{escape(absolute(path))}</loc>{modified}</sitemap>\n"

    listed = months()
    newest = max((m.lastmod for m in listed), default=None)
    parts = [f'<sitemapindex xmlns="{SITEMAP_NS}">\n']
    parts.append(entry(reverse("distribution:sitemap-pages"), newest))
    parts.append(entry(reverse("distribution:sitemap-news"), newest))
    parts += [entry(month.path, month.lastmod) for month in listed]
    parts.append("</sitemapindex>\n")
    return _xml(parts)


# --- Articles ----------------------------------------------------------------


def _with_photos(articles: QuerySet[Article]) -> QuerySet[Article]:
    """What an entry needs: address, dates, title, every public photo."""
    return (
        articles.only(
            "pk", "slug", "title", "published_at", "modified_at", "main_photo"
        )
        .select_related("main_photo")
        .prefetch_related(
            Prefetch(
                "gallery_items",
                queryset=GalleryItem.objects.select_related("photo").order_by(
                    "position", "pk"
                ),
            )
        )
    )


def _images(article: Article) -> str:
    photos = [article.main_photo] if article.main_photo is not None else []
    photos += [item.photo for item in article.gallery_items.all()]
    seen: set[str] = set()
    out = []
    for photo in photos:
        found = photo.public_file(IMAGE_SIZE)
        if found is None or found.url in seen:
            continue
        seen.add(found.url)
        out.append(
            f"<image:image><image:loc>{escape(absolute(found.url))}</image:loc></image:image>"
        )
    return "".join(out)


def month(request: HttpRequest, year: int, month: str) -> HttpResponse:
    """The public stories published in one month, each with its photos."""
    zone = timezone.get_current_timezone()
    try:
        number = int(month)
        start = datetime(year, number, 1, tzinfo=zone)
        end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    except ValueError:  # no such month, or past the calendar's end
        raise Http404 from None
    articles = _with_photos(
        Article.objects.published().filter(
            published_at__gte=start, published_at__lt=end
        )
    ).order_by("published_at", "pk")[:MAX_ENTRIES]
    parts = [f'<urlset xmlns="{SITEMAP_NS}" xmlns:image="{IMAGE_NS}">\n']
    count = 0
    for article in articles:
        count += 1
        parts.append(
            _url(
                absolute(article.get_absolute_url()),
                article.modified_at,
                _images(article),
            )
        )
    if not count:
        raise Http404
    parts.append("</urlset>\n")
    return _xml(parts)


def news(request: HttpRequest) -> HttpResponse:
    """Google News: the stories of the last two days, newest first."""
    name = get_current_site(request).name
    since = timezone.now() - timedelta(days=NEWS_DAYS)
    articles = _with_photos(
        Article.objects.published().filter(published_at__gte=since)
    ).order_by("-published_at", "-pk")[:NEWS_MAX]
    publication = (
        f"<news:publication><news:name>{escape(name)}</news:name>"
        "<news:language>pl</news:language></news:publication>"
    )
    namespaces = f'xmlns="{SITEMAP_NS}" xmlns:news="{NEWS_NS}" xmlns:image="{IMAGE_NS}"'
    parts = [f"<urlset {namespaces}>\n"]
    for article in articles:
        story = (
            f"<news:news>{publication}"
            f"<news:publication_date>{w3c(article.published_at)}</news:publication_date>"
            f"<news:title>{escape(article.title)}</news:title></news:news>"
        )
        parts.append(
            _url(
                absolute(article.get_absolute_url()),
                article.modified_at,
                story + _images(article),
            )
        )
    parts.append("</urlset>\n")
    return _xml(parts)


# --- Listing pages -------------------------------------------------------------


def _newest_change(relation: str) -> Subquery:
    """The latest change of a public story in the outer row's listing."""
    return Subquery(
        Article.objects.published()
        .filter(**{relation: OuterRef("pk")})
        .order_by("-modified_at")
        .values("modified_at")[:1]
    )


LISTINGS: list[tuple[Any, str]] = [
    (Section, "section"),
    (Place, "places"),
    (Organisation, "organisations"),
    (Author, "authors"),
]


def _listings() -> Iterator[tuple[str, datetime | None]]:
    """Every section, place, organisation and author page with a public
    story: one query per kind."""
    for model, relation in LISTINGS:
        rows = (
            model.objects.annotate(lastmod=_newest_change(relation))
            .filter(lastmod__isnull=False)
            .order_by("pk")
        )
        for row in rows:
            yield row.get_absolute_url(), row.lastmod


# Apps above add their pages (the calendar, notices): each provider yields
# (path, lastmod) pairs in a fixed number of queries.
PAGE_PROVIDERS: list[Callable[[], Iterable[tuple[str, datetime | None]]]] = []


def register_pages(
    provider: Callable[[], Iterable[tuple[str, datetime | None]]],
) -> None:
    if provider not in PAGE_PROVIDERS:
        PAGE_PROVIDERS.append(provider)


def pages(request: HttpRequest) -> HttpResponse:
    """The home page, the latest news, every listing page and the pages
    registered apps add."""
    newest = Article.objects.published().aggregate(last=Max("modified_at"))["last"]
    parts = [f'<urlset xmlns="{SITEMAP_NS}">\n']
    parts.append(_url(absolute("/"), newest))
    parts.append(_url(absolute(reverse("articles:latest")), newest))
    parts += [_url(absolute(path), lastmod) for path, lastmod in _listings()]
    for provider in PAGE_PROVIDERS:
        parts += [_url(absolute(path), lastmod) for path, lastmod in provider()]
    parts.append("</urlset>\n")
    return _xml(parts)
