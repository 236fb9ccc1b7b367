"""What a push carries and how one is handed to a browser's push service.

Nothing here writes to the database: `services.send_broadcast` claims the
subscriptions, calls `deliver` for each (in a few threads, since every push
is a round trip to Google, Mozilla or Apple) and records the outcomes.
"""

from __future__ import annotations

import enum
import json
import logging
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from py_vapid import Vapid  # type: ignore[import-untyped]
from pywebpush import (  # type: ignore[import-untyped]
    WebPushException,
    webpush,
)

from wiesci.articles.models import Article
from wiesci.distribution.structured import absolute

log = logging.getLogger(__name__)

# A push service that has not answered by then is counted as a failure.
TIMEOUT_S = 10.0
# How long a push service keeps a notification for a browser that is off:
# while the story is breaking, and never less than a minute or more than a day.
MIN_TTL_S = 60
MAX_TTL_S = 24 * 3600
BODY_CHARS = 180


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    GONE = "gone"  # 404 or 410: the browser unsubscribed or the address expired
    FAILED = "failed"


def is_breaking(article: Article, *, now: datetime | None = None) -> bool:
    """Public and in its breaking period: a story to push."""
    now = now or timezone.now()
    return (
        article.is_public
        and article.breaking_until is not None
        and article.breaking_until > now
    )


def payload(article: Article, text: str) -> dict[str, str]:
    """The notification: title, body, the story's absolute address and a tag
    under which a browser replaces an earlier notification of the same story."""
    return {
        "title": text,
        "body": Truncator(" ".join(article.lead.split())).chars(BODY_CHARS),
        "url": absolute(article.get_absolute_url()),
        "icon": absolute(reverse("distribution:icon", kwargs={"size": 192})),
        "tag": f"article-{article.pk}",
    }


def ttl(breaking_until: datetime, *, now: datetime | None = None) -> int:
    left = (breaking_until - (now or timezone.now())) / timedelta(seconds=1)
    return int(min(max(left, MIN_TTL_S), MAX_TTL_S))


def deliver(
    info: dict[str, Any], data: str, *, key: Vapid, contact: str, ttl: int
) -> Outcome:
    """Send one encrypted push (aes128gcm) signed with the portal's key."""
    try:
        webpush(
            info,
            data=data,
            vapid_private_key=key,
            # A new dict each time: webpush fills in `aud` (the endpoint's
            # origin) and `exp` in the one it is given.
            vapid_claims={"sub": contact},
            ttl=ttl,
            timeout=TIMEOUT_S,
            headers={"Urgency": "high"},
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status in (404, 410):
            return Outcome.GONE
        log.warning("Push to %s failed: %s", _host(info), status or exc)
        return Outcome.FAILED
    except requests.RequestException as exc:
        log.warning("Push to %s failed: %s", _host(info), exc)
        return Outcome.FAILED
    return Outcome.DELIVERED


def encode(data: dict[str, str]) -> str:
    return json.dumps(data, ensure_ascii=False)


def _host(info: dict[str, Any]) -> str:
    """The push service's host: the rest of the address is the browser's secret."""
    return urlsplit(str(info.get("endpoint", ""))).hostname or "?"
