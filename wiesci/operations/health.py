"""The checks behind /-/health, and what their results mean for the server.

A check that fails where this server cannot serve readers (its database, its
cache, its storages) makes the whole answer `failing` (503), so that a load
balancer sends readers elsewhere. A problem of the whole portal, shared by
every server (no worker left, stories not going out on time), makes it
`degraded` (200): pulling every server out would help no one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

OK, DEGRADED, FAILING = "ok", "degraded", "failing"
# The worker beats every 10 seconds (`wiesci worker --every`): a minute
# without one is several missed rounds, not a slow one.
HEARTBEAT_STALE_SECONDS = 60
# The worker publishes scheduled stories within a round of their time; one
# still waiting two minutes after it did not go out.
OVERDUE_AFTER = timedelta(minutes=2)
# A task waiting this long means a stuck worker or a backlog.
TASK_WAIT_LIMIT = timedelta(minutes=15)
PROBE_NAME = "wiesci-health-probe"


@dataclass
class Result:
    status: str
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self, milliseconds: float) -> dict[str, Any]:
        return {
            "status": self.status,
            **({"detail": self.detail} if self.detail else {}),
            **self.data,
            "ms": round(milliseconds, 1),
        }


def check_database() -> Result:
    from django.db import connections

    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
    return Result(OK)


def check_cache() -> Result:
    from django.core.cache import cache

    key, value = "wiesci:health-probe", str(time.time())
    cache.set(key, value, 30)
    if cache.get(key) != value:
        return Result(FAILING, "what was written could not be read back")
    return Result(OK)


def check_storage() -> Result:
    from django.core.files.storage import storages

    for name in ("default", "private"):
        storages[name].exists(PROBE_NAME)
    return Result(OK)


def check_worker() -> Result:
    from wiesci.core import periodic

    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db."):
        return Result(OK, "tasks run within the request; no worker needed")
    found = periodic.last_beat()
    if found is None:
        return Result(DEGRADED, "no worker has ever reported")
    at, worker = found
    age = max(0.0, time.time() - at)
    data = {"age_seconds": round(age, 1), "worker": worker}
    if age > HEARTBEAT_STALE_SECONDS:
        return Result(DEGRADED, f"last heartbeat {age:.0f} s ago", data)
    return Result(OK, data=data)


def check_tasks() -> Result:
    oldest = oldest_ready_task_age()
    data: dict[str, Any] = {"queued": queued_tasks()}
    if oldest is not None:
        data["oldest_seconds"] = round(oldest, 1)
    if oldest is not None and oldest > TASK_WAIT_LIMIT.total_seconds():
        return Result(DEGRADED, f"a task has waited {oldest:.0f} s", data)
    return Result(OK, data=data)


def check_scheduled() -> Result:
    count = overdue_scheduled_stories()
    if count:
        return Result(
            DEGRADED, f"{count} scheduled stories did not go out", {"overdue": count}
        )
    return Result(OK, data={"overdue": 0})


def queued_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()


def oldest_ready_task_age() -> float | None:
    """Seconds since the longest-waiting task that may run now could have run."""
    from django.db.models import Min
    from django_tasks_db.models import DBTaskResult

    first: datetime | None = DBTaskResult.objects.ready().aggregate(
        first=Min("enqueued_at")
    )["first"]
    if first is None:
        return None
    return max(0.0, (timezone.now() - first).total_seconds())


def overdue_scheduled_stories() -> int:
    from wiesci.articles.models import Article

    return len(Article.objects.due_for_publication(now=timezone.now() - OVERDUE_AFTER))


def held_comments() -> int:
    from wiesci.comments.models import Comment

    return Comment.objects.filter(status=Comment.Status.PENDING).count()


# Name, check, and the status a check that raises gets: the server's own
# dependencies fail it, the portal's jobs only degrade it.
CHECKS: list[tuple[str, Callable[[], Result], str]] = [
    ("database", check_database, FAILING),
    ("cache", check_cache, FAILING),
    ("storage", check_storage, FAILING),
    ("worker", check_worker, DEGRADED),
    ("tasks", check_tasks, DEGRADED),
    ("scheduled", check_scheduled, DEGRADED),
]


def run_checks() -> dict[str, Any]:
    """Every check's result and the overall status: ok, degraded or failing."""
    results: dict[str, Any] = {}
    worst = OK
    for name, check, on_error in CHECKS:
        started = time.perf_counter()
        try:
            result = check()
        except Exception as exc:
            result = Result(on_error, f"{type(exc).__name__}: {exc}".strip())
        if result.status == FAILING and on_error != FAILING:
            result.status = DEGRADED  # a portal-wide problem never fails a server
        results[name] = result.as_dict((time.perf_counter() - started) * 1000)
        if result.status == FAILING or (result.status == DEGRADED and worst == OK):
            worst = result.status
    return {"status": worst, "checks": results}
