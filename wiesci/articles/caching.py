"""What the page cache must forget when articles change, and when it must expire."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from wiesci.articles.models import Article
from wiesci.core import pagecache


def pages_showing(article: Article) -> set[str]:
    """Paths of every page that shows `article` or its comment count."""
    paths = {
        article.get_absolute_url(),
        reverse("articles:home"),
        reverse("articles:latest"),
        reverse("articles:corrections"),
        article.section.get_absolute_url(),
    }
    paths |= {f"/artykul/{former.slug}/" for former in article.old_slugs.all()}
    for related in (
        article.tags,
        article.places,
        article.organisations,
        article.authors,
    ):
        paths |= {item.get_absolute_url() for item in related.all()}
    return paths


def on_article_changed(
    sender: Any, article: Article, reason: str, **kwargs: Any
) -> None:
    """A new or changed story shows in lists everywhere: start a new generation.

    Comments change one article's page and its count in the lists that show
    it; only those pages are purged. Other articles' "other news" lists catch
    up when their entries expire (conf.PAGE_CACHE_SECONDS).
    """
    if reason == "comments":
        pagecache.purge_paths(pages_showing(article))
    else:
        pagecache.purge_all()


def on_filing_changed(sender: Any, **kwargs: Any) -> None:
    """Sections, places, labels, bylines and new photo sizes show in menus and lists
    across the portal: purge everything."""
    pagecache.purge_all()


def next_publication() -> float | None:
    """When the next scheduled article goes out: no stored page may outlive it."""
    moment = (
        Article.objects.filter(
            status=Article.Status.SCHEDULED, published_at__gt=timezone.now()
        )
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    return moment.timestamp() if moment else None


def next_breaking_news_end() -> float | None:
    """When the breaking-news bar next loses an item: pages must not keep it longer."""
    moment = (
        Article.objects.published()
        .filter(breaking_until__gt=timezone.now())
        .order_by("breaking_until")
        .values_list("breaking_until", flat=True)
        .first()
    )
    return moment.timestamp() if moment else None
