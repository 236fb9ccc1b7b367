"""Most read: page views counted without cookies or addresses, written in batches.

An article page, once loaded, sends its address to BEACON_PATH
(`navigator.sendBeacon`, static/articles/reads.js). The page-cache layer
answers that before Django runs (`on_beacon`), so a view counts however the
page reached the reader: from the page cache, from nginx or a CDN in front,
or rendered afresh. Link previews and crawlers, which run no scripts, are
left out by the same stroke. Each worker process keeps its counts in memory
and a background thread adds them to the hourly totals every half minute:
one write per article per batch, never one per view.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.utils import timezone

from wiesci import conf
from wiesci.articles.models import Article, ArticleView
from wiesci.taxonomy.models import Section

logger = logging.getLogger(__name__)

# Link previews, search engines and monitors are not readers.
NOT_READERS = re.compile(
    r"bot|crawl|spider|slurp|facebookexternalhit|preview|monitor|curl|wget|python|wrk",
    re.IGNORECASE,
)
BEACON_PATH = "/_czytane/"


@functools.cache
def _article_path() -> re.Pattern[str]:
    """Article addresses as the URL configuration writes them, slug captured."""
    prefix, _, suffix = Article.address("SLUG").partition("SLUG")
    return re.compile(f"^{re.escape(prefix)}([a-z0-9-]+){re.escape(suffix)}$")


_counts: Counter[str] = Counter()
_lock = threading.Lock()
_flusher: threading.Thread | None = None
_flusher_pid = 0


def on_beacon(environ: dict[str, Any], body: bytes) -> None:
    """A page's beacon: its body is the address of the page read."""
    count(body.decode("utf-8", "replace").strip(), environ.get("HTTP_USER_AGENT", ""))


def count(path: str, user_agent: str) -> None:
    """Note one read of the article at `path`, if it is one and a person asked."""
    found = _article_path().match(path)
    if found is None or NOT_READERS.search(user_agent):
        return
    with _lock:
        _counts[found.group(1)] += 1
    if _flusher_pid != os.getpid() and conf.READS_FLUSH_SECONDS:
        _start_flusher()


def _start_flusher() -> None:
    """Start this process's flushing thread (a forked worker has none)."""
    global _flusher, _flusher_pid
    with _lock:
        if _flusher_pid == os.getpid():
            return
        _flusher_pid = os.getpid()
        _flusher = threading.Thread(
            target=_flush_forever, name="wiesci-reads", daemon=True
        )
        _flusher.start()


def _flush_forever() -> None:
    global _flusher_pid
    while True:
        seconds = conf.READS_FLUSH_SECONDS
        if not seconds:  # switched off: the next count may start a thread again
            with _lock:
                _flusher_pid = 0
            return
        time.sleep(seconds)
        try:
            flush()
        except Exception:
            logger.exception("Could not store read counts")
        finally:
            # One batch every half minute: no connection is kept between them.
            connections.close_all()


def flush(*, now: datetime | None = None) -> int:
    """Add the counted reads to the hourly totals; returns how many were stored."""
    with _lock:
        batch = dict(_counts)
        _counts.clear()
    if not batch:
        return 0
    hour = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    ids = dict(Article.objects.filter(slug__in=batch).values_list("slug", "pk"))
    stored = 0
    for slug, views in batch.items():
        article_id = ids.get(slug)
        if article_id is None:
            continue
        _add(article_id, hour, views)
        stored += views
    return stored


def _add(article_id: int, hour: datetime, views: int) -> None:
    rows = ArticleView.objects.filter(article_id=article_id, hour=hour)
    if rows.update(views=F("views") + views):
        return
    try:
        with transaction.atomic():
            ArticleView.objects.create(article_id=article_id, hour=hour, views=views)
    except IntegrityError:  # another process created the row meanwhile
        rows.update(views=F("views") + views)


def most_read(
    *, hours: int, section: Section | None = None, limit: int = 5
) -> list[Article]:
    """The most read public articles of the last `hours`, in two queries."""
    now = timezone.now()
    public = Article.objects.published(at=now).filter(pk=OuterRef("article_id"))
    if section is not None:
        public = public.filter(section=section)
    # The window's hours are read from their index, bounded on both sides so
    # that a database without statistics prefers it, and each story counted
    # there is asked whether it is public (and of the section): never all the
    # section's or the archive's stories first.
    totals = ArticleView.objects.filter(
        Exists(public), hour__gte=now - timedelta(hours=hours), hour__lte=now
    )
    top = list(
        totals.values("article")
        .annotate(total=Sum("views"))
        .order_by("-total", "article")[:limit]
    )
    order = {row["article"]: i for i, row in enumerate(top)}
    articles = Article.objects.for_lists().filter(pk__in=order)
    return sorted(articles, key=lambda a: order[a.pk])
