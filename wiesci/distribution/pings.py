"""Telling who listens that an article changed: a WebSub hub (for the feeds
that list it) and an IndexNow endpoint (for its address).

Both are off unless their WIESCI_* variable is set. The request that
published or edited only queues a task after commit; the task worker sends
it, with a timeout, and on failure queues it again later, a few times with
growing waits (or, where the task backend cannot defer, tries again at once).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import default_task_backend, task

from wiesci import conf
from wiesci.articles import caching
from wiesci.articles.models import Article
from wiesci.distribution import feeds
from wiesci.distribution.structured import absolute

log = logging.getLogger(__name__)

REASONS = {"published", "edited", "corrected", "withdrawn", "deleted"}
TIMEOUT_S = 10.0


def on_article_changed(
    sender: Any, article: Article, reason: str, **kwargs: Any
) -> None:
    """After a change readers see, queue the pings (nothing if none is set)."""
    if reason not in REASONS or not (settings.WEBSUB_HUB or settings.INDEXNOW_URL):
        return
    # The pages showing the story, its feeds among them (see feeds.paths_for).
    feed_paths = feeds.paths_for(article, caching.pages_showing(article))
    topics = sorted(absolute(path) for path in feed_paths)
    address = absolute(article.get_absolute_url())
    transaction.on_commit(lambda: queue(topics=topics, addresses=[address]))


def queue(*, topics: list[str], addresses: list[str], attempt: int = 1) -> None:
    delays = conf.PING_RETRY_SECONDS
    if attempt > 1 and default_task_backend.supports_defer:
        wait = delays[min(attempt - 2, len(delays) - 1)]
        at = timezone.now() + timedelta(seconds=wait)
        send_pings.using(run_after=at).enqueue(
            topics=topics, addresses=addresses, attempt=attempt
        )
    else:
        send_pings.enqueue(topics=topics, addresses=addresses, attempt=attempt)


@task()
def send_pings(*, topics: list[str], addresses: list[str], attempt: int = 1) -> None:
    """One round of pings; what failed is queued again, up to the retries."""
    failed_topics = [t for t in topics if not websub(t)] if settings.WEBSUB_HUB else []
    failed = addresses if settings.INDEXNOW_URL and not indexnow(addresses) else []
    if not (failed_topics or failed):
        return
    if attempt > len(conf.PING_RETRY_SECONDS):
        log.error(
            "Gave up telling of %s after %s attempts", failed_topics + failed, attempt
        )
        return
    if not default_task_backend.supports_defer:
        time.sleep(min(conf.PING_RETRY_SECONDS[attempt - 1], 5))
    queue(topics=failed_topics, addresses=failed, attempt=attempt + 1)


def _post(url: str, data: bytes, content_type: str) -> bool:
    request = urllib.request.Request(  # noqa: S310 (an http(s) address from settings)
        url,
        data=data,
        method="POST",
        headers={
            "Content-Type": content_type,
            "User-Agent": f"Wiesci ({settings.SITE_URL})",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as answer:  # noqa: S310
            return bool(200 <= answer.status < 300)
    except (urllib.error.URLError, OSError) as error:
        log.warning("Ping to %s failed: %s", url, error)
        return False


def websub(topic: str) -> bool:
    """WebSub: the hub is told the feed at `topic` has new content."""
    body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": topic})
    return _post(
        settings.WEBSUB_HUB, body.encode(), "application/x-www-form-urlencoded"
    )


def indexnow(addresses: list[str]) -> bool:
    """IndexNow: the endpoint is told these addresses changed."""
    host = urlsplit(settings.SITE_URL).hostname
    body = {
        "host": host,
        "key": settings.INDEXNOW_KEY,
        "keyLocation": absolute(f"/{settings.INDEXNOW_KEY}.txt"),
        "urlList": addresses,
    }
    return _post(
        settings.INDEXNOW_URL,
        json.dumps(body).encode(),
        "application/json; charset=utf-8",
    )
