"""Jobs the worker runs every few seconds; apps register their own.

Core knows none of them by name: `ArticlesConfig.ready()` registers the
publication of scheduled articles, for instance.

Each round the worker also leaves a heartbeat in the shared cache (`beat`),
which the operator's health check reads (`last_beat`): with no recent one,
scheduled stories and photo sizes wait.

With several servers, every worker beats and works the task queue, but the
jobs run in one worker at a time: the holder of a `Lease` in the shared cache.
"""

from __future__ import annotations

import os
import secrets
import socket
import time
from collections.abc import Callable
from typing import Any

JOBS: list[Callable[[], Any]] = []

HEARTBEAT_KEY = "wiesci:worker-heartbeat"
# Kept well past any "too old" a check applies, so that an old heartbeat
# says how long ago the worker stopped rather than vanishing.
HEARTBEAT_KEPT_SECONDS = 7 * 24 * 3600


def register(job: Callable[[], Any]) -> Callable[[], Any]:
    if job not in JOBS:
        JOBS.append(job)
    return job


def beat(*, at: float | None = None) -> None:
    """Record in the shared cache that a worker's periodic round ran now."""
    from django.core.cache import cache

    cache.set(
        HEARTBEAT_KEY,
        {
            "at": time.time() if at is None else at,
            "worker": f"{socket.gethostname()}-{os.getpid()}",
        },
        HEARTBEAT_KEPT_SECONDS,
    )


def last_beat() -> tuple[float, str] | None:
    """When the latest heartbeat of any worker was, and which worker left it."""
    from django.core.cache import cache

    found = cache.get(HEARTBEAT_KEY)
    if not isinstance(found, dict):
        return None
    return float(found["at"]), str(found["worker"])


LEASE_KEY = "wiesci:periodic-lease"


class Lease:
    """Which one worker, of every server sharing the cache, runs the jobs.

    `hold()` takes the lease when nobody has it (`cache.add`, which Redis
    does as one `SET NX EX`) or renews it when this holder has it, and says
    whether this holder runs the jobs now. The holder calls it every round;
    a holder that stops calling (its server died) loses the lease after
    `seconds`, and the next worker to ask takes it over.

    The guarantee is "one at a time, nearly always", not "exactly once":
    Django's cache has no compare-and-set, so renewing is a `get` and then
    a `touch`, and two things can let two workers run a round together —
    the lease running out between the two calls (the other worker's fresh
    lease is then touched, and this one finds out at its next round), and a
    holder stalled for longer than `seconds` (a long job, a frozen machine)
    that wakes up still running its round while another has taken over.
    Keeping `seconds` at several rounds makes both rare; the jobs make them
    harmless: each claims its rows in the database before acting on them
    (`articles.services.run_due_publications` publishes with a conditional
    `UPDATE … WHERE status = 'scheduled'`, and
    `notices.services.record_ended_periods` locks the notice and looks
    again), so a second run in the same moment finds nothing left to do. A
    job registered here must be as tolerant.

    On a cache of one machine (the files under the data directory) every
    worker there shares the lease; on the local-memory cache of tests, only
    one process sees it.
    """

    def __init__(self, *, holder: str, seconds: int, key: str = LEASE_KEY) -> None:
        # Redis keeps whole seconds; a shorter lease would never exist.
        if seconds < 1:
            raise ValueError("a lease lasts at least a second")
        self.holder = holder
        self.seconds = seconds
        self.key = key

    def hold(self) -> bool:
        """Take or renew the lease; True if this holder has it until renewed."""
        from django.core.cache import cache

        if cache.add(self.key, self.holder, self.seconds):
            return True
        if cache.get(self.key) != self.holder:
            return False
        # Gone in between: nobody holds it, so ask again next round rather
        # than take it without `add`.
        return bool(cache.touch(self.key, self.seconds))

    def release(self) -> None:
        """Give the lease up, if held, so that another worker takes it at once."""
        from django.core.cache import cache

        if cache.get(self.key) == self.holder:
            cache.delete(self.key)

    def current_holder(self) -> str | None:
        """Who holds the lease now, as the holder named itself, or None."""
        from django.core.cache import cache

        found = cache.get(self.key)
        return found if isinstance(found, str) else None


def worker_name() -> str:
    """This worker's name in heartbeats and the lease: its host and process,
    and a random part, since a restarted container may reuse both."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
