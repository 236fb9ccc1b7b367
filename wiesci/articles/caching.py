"""What the page cache must forget when articles change, and when it must expire."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.urls import reverse

from wiesci.articles.models import Article, Marks
from wiesci.core import pagecache

# Apps above add the paths of what they derive from articles (feeds).
PATH_PROVIDERS: list[Callable[[Article, set[str]], set[str]]] = []


def register_paths(provider: Callable[[Article, set[str]], set[str]]) -> None:
    """`provider(article, pages)` names more paths to purge with `pages`."""
    if provider not in PATH_PROVIDERS:
        PATH_PROVIDERS.append(provider)


def pages_showing(article: Article) -> set[str]:
    """Paths of every page that shows `article` or its comment count, and of
    what registered apps derive from them."""
    pages = _pages_showing(article)
    for provider in PATH_PROVIDERS:
        pages |= provider(article, pages)
    return pages


def _pages_showing(article: Article) -> set[str]:
    paths = {
        article.get_absolute_url(),
        reverse("articles:home"),
        reverse("articles:latest"),
        reverse("articles:corrections"),
        article.section.get_absolute_url(),
    }
    if article.pk is None:  # deleted: its filing went with it
        return paths
    paths |= {Article.address(former.slug) for former in article.old_slugs.all()}
    for related in (
        article.tags,
        article.places,
        article.organisations,
        article.authors,
    ):
        paths |= {item.get_absolute_url() for item in related.all()}
    return paths


COMMENTS_VERSION_KEY = "wiesci:lists:comments"


def marks() -> Marks:
    """The stories whose place changes with time alone (`Article.marks`),
    read once per page-cache generation and again when one of them moves,
    and shared by every process through the cache."""
    return _marks()[0]


def next_change() -> float | None:
    """When pages change next with no one touching them: a scheduled story
    comes due, a breaking-news item or a pin ends. No stored page or cached
    list may outlive that moment."""
    return _marks()[1]


def _marks() -> tuple[Marks, float | None]:
    def read() -> tuple[Marks, datetime | None]:
        found = Article.objects.marks()
        return found, found.next_change()

    return pagecache.until_next("articles", read)


def lists_version() -> str:
    """The key for cached fragments that list articles (home, "other news",
    the breaking-news bar).

    It changes when the page cache starts a new generation, at `next_change()`
    (no job has to run) and when comments change a count the lists show.
    Every process works it out from the same shared cache, so they share the
    fragments.
    """
    generation = pagecache.fragment_generation()
    due = next_change()
    comments = cache.get(COMMENTS_VERSION_KEY, "0")
    return f"{generation}.{int(due) if due else 0}.{comments}"


def on_article_changed(
    sender: Any, article: Article, reason: str, **kwargs: Any
) -> None:
    """A new or changed story shows in lists everywhere: start a new generation.

    Comments change one article's page and its count in the lists that show
    it; only those pages are purged. Other articles' "other news" lists catch
    up when their entries expire (conf.PAGE_CACHE_SECONDS).
    """
    if reason == "comments":
        # Any unique value: two comments changed at once cannot leave the
        # version where a fragment rendered between them was stored.
        cache.set(COMMENTS_VERSION_KEY, uuid.uuid4().hex, None)
        pagecache.purge_paths(pages_showing(article))
    else:
        pagecache.purge_all(proxy_paths=pages_showing(article))


def on_filing_changed(sender: Any, **kwargs: Any) -> None:
    """Sections, places, labels, bylines and new photo sizes show in menus and lists
    across the portal: purge everything."""
    pagecache.purge_all()
