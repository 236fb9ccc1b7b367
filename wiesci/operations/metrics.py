"""What /-/metrics shows: the request counts of every process, added up, and
the portal's state read at scrape time."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from wiesci.core import metrics, periodic
from wiesci.operations import health

logger = logging.getLogger(__name__)


class PortalState(Collector):
    """Gauges read from the database and the cache when Prometheus asks.

    A gauge whose source does not answer is left out of the scrape (and
    counted in `wiesci_scrape_errors`), so that the request counts still
    come through while the database is away.
    """

    def collect(self) -> Iterator[GaugeMetricFamily]:
        errors = 0
        gauges: list[tuple[str, str, Callable[[], float]]] = [
            (
                "wiesci_task_queue_depth",
                "Background tasks ready to run now.",
                lambda: health.queued_tasks(),
            ),
            (
                "wiesci_task_oldest_wait_seconds",
                "How long the oldest task ready to run has waited (0: none).",
                lambda: health.oldest_ready_task_age() or 0.0,
            ),
            (
                "wiesci_comments_held",
                "Comments held for moderation.",
                lambda: health.held_comments(),
            ),
            (
                "wiesci_scheduled_overdue",
                "Scheduled stories still unpublished two minutes after their time.",
                lambda: health.overdue_scheduled_stories(),
            ),
            (
                "wiesci_worker_heartbeat_age_seconds",
                "Seconds since a worker last ran its periodic round (+Inf: never).",
                heartbeat_age,
            ),
        ]
        for name, documentation, read in gauges:
            try:
                value = float(read())
            except Exception:
                logger.exception("Could not read %s", name)
                errors += 1
                continue
            yield GaugeMetricFamily(name, documentation, value=value)
        yield GaugeMetricFamily(
            "wiesci_scrape_errors",
            "Gauges of this scrape left out because their source did not answer.",
            value=errors,
        )


def heartbeat_age() -> float:
    found = periodic.last_beat()
    return math.inf if found is None else max(0.0, time.time() - found[0])


def exposition() -> bytes:
    """The Prometheus text format of everything /-/metrics shows."""
    metrics.flush()  # this process's own counts, to the second
    registry = CollectorRegistry()
    local = metrics.instruments().local
    if local is None:
        multiprocess.MultiProcessCollector(  # type: ignore[no-untyped-call]
            registry, path=str(metrics.directory())
        )
    else:
        registry.register(local)
    registry.register(PortalState())
    return generate_latest(registry)
