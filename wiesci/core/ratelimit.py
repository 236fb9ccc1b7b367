"""Counting what one client (or one address) does in an hour, in the shared
cache, for the forms anyone may send without an account.

The key holds a keyed hash of the value, never the value itself: the cache
learns no reader's address. A count lives for the clock hour it began in.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac


def hourly_count(scope: str, value: str) -> int:
    """Count one more `scope` event for `value` this hour; the new total."""
    hour = int(timezone.now().timestamp() // 3600)
    digest = salted_hmac("wiesci.ratelimit." + scope, value, algorithm="sha256")
    key = f"ratelimit:{scope}:{digest.hexdigest()[:32]}:{hour}"
    cache.add(key, 0, 3600)
    try:
        return int(cache.incr(key))
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, 3600)
        return 1
