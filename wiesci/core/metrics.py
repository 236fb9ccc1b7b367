"""Request metrics, counted in front of everything else (see wiesci/wsgi.py).

Pages the page cache answers never reach Django, so requests are counted and
timed here, at the WSGI level, outermost: by page kind (the matched URL
pattern's name, such as `articles:detail`, or `media`, `static`, `admin`,
`other`; never the path, whose values are unbounded) and by status class.
The time is until the response starts, with its body made: Django's pages
are rendered by then and cached answers are in memory; only a streamed file
(a video) takes longer to send.

Beside them: how the page cache answered (`hit`, `stale` or `miss`, as its
`X-Cache` header says) and how many requests Django itself answered (a miss,
a logged-in reader's page, a form), by page kind.

`wiesci serve` runs several worker processes, so the counts use
prometheus_client's multiprocess mode: each process writes its own to small
memory-mapped files in `METRICS_DIR` and a scrape adds up every file
(`wiesci.operations` serves the scrape). The directory is emptied when
`wiesci serve` starts. The files of a process that died stay until then, as
they must: its counts are part of the totals, and no gauge here is kept per
live process (prometheus_client's `mark_process_dead` only removes those).
"""

from __future__ import annotations

import atexit
import bisect
import functools
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Histogram

logger = logging.getLogger(__name__)

# Set in the WSGI environ by the page cache (what its X-Cache header says)
# and by the layer in front of Django, for the counts here.
PAGE_CACHE_OUTCOME = "wiesci.page_cache"
RENDERED = "wiesci.rendered"

# Seconds; a cached answer takes well under a millisecond, a render tens.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
STATUS_CLASSES = {"1": "1xx", "2": "2xx", "3": "3xx", "4": "4xx", "5": "5xx"}
# Paths whose page kind is remembered per process; an unknown path costs one
# URL resolution (microseconds), and goes on to Django's 404 anyway.
KNOWN_PATHS = 4096


def directory() -> Path:
    from django.conf import settings

    return Path(settings.METRICS_DIR)


def clear() -> None:
    """Empty the metrics directory: for `wiesci serve`, before its workers start."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("*.db"):
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Instruments:
    duration: Histogram
    page_cache: Counter
    renders: Counter
    # Where the counts are read from when prometheus_client was imported
    # before its directory was set (no multiprocess mode): this process only.
    local: CollectorRegistry | None


@functools.cache
def instruments() -> Instruments:
    """The counters, made on first use, once settings are loaded.

    prometheus_client chooses its multiprocess mode when first imported, from
    PROMETHEUS_MULTIPROC_DIR, which settings set; files go where the
    variable says when each process makes its first.
    """
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    from prometheus_client import CollectorRegistry, Counter, Histogram, values

    local = None
    if not getattr(values.ValueClass, "_multiprocess", False):
        logger.warning(
            "prometheus_client was imported before wiesci.core.metrics; "
            "/-/metrics shows this process's counts only"
        )
        local = CollectorRegistry()
    return Instruments(
        duration=Histogram(
            "wiesci_http_request_duration_seconds",
            "Time until the response starts, by page kind and status class.",
            ["kind", "status"],
            buckets=BUCKETS,
            registry=local,
        ),
        page_cache=Counter(
            "wiesci_page_cache_answers",
            "Pages the page cache answered: hit, stale (while it renders) or miss.",
            ["outcome"],
            registry=local,
        ),
        renders=Counter(
            "wiesci_renders",
            "Requests Django answered (page cache misses and uncached requests).",
            ["kind"],
            registry=local,
        ),
        local=local,
    )


@functools.lru_cache(maxsize=KNOWN_PATHS)
def page_kind(path: str) -> str:
    """The bounded label of the page at `path` (a WSGI PATH_INFO)."""
    from django.conf import settings
    from django.urls import Resolver404, resolve

    for prefix, kind in (
        (settings.MEDIA_URL, "media"),
        (settings.STATIC_URL, "static"),
    ):
        if str(prefix).startswith("/") and path.startswith(str(prefix)):
            return kind
    try:
        match = resolve(path.encode("latin-1").decode("utf-8"))
    except (Resolver404, UnicodeError):
        return "other"
    if "admin" in match.namespaces:
        return "admin"
    return match.view_name if match.url_name else "other"


class Tally:
    """One process's counts, added to prometheus_client's files every
    FLUSH_SECONDS by a thread of its own, and before a scrape.

    A file write per count costs more than the cached page it counts (about
    2.5 µs against 6 µs; prometheus_client takes a lock, asks for the pid
    and writes the memory map for each), so a request only adds to a dict
    here and the files are written once a second, whatever the traffic. A
    scrape may miss the last second of other processes' counts; a process
    that dies loses at most its last second.
    """

    FLUSH_SECONDS = 1.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self._reset()

    def _reset(self) -> None:
        # (kind, status class) -> observations per bucket, then their sum.
        self.durations: dict[tuple[str, str], list[float]] = {}
        self.outcomes: dict[str, int] = {}
        self.renders: dict[str, int] = {}

    def forked(self) -> None:
        """In a new child process: the parent's counts stay the parent's."""
        self.lock = threading.Lock()
        self.thread = None
        self._reset()

    def add(
        self, kind: str, group: str, seconds: float, outcome: str | None, rendered: bool
    ) -> None:
        if self.thread is None:
            self._start()
        index = bisect.bisect_left(BUCKETS, seconds)  # the first bound >= seconds
        with self.lock:
            row = self.durations.get((kind, group))
            if row is None:
                row = self.durations[kind, group] = [0.0] * (len(BUCKETS) + 2)
            row[index] += 1
            row[-1] += seconds
            if outcome is not None:
                self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
            if rendered:
                self.renders[kind] = self.renders.get(kind, 0) + 1

    def _start(self) -> None:
        with self.lock:
            if self.thread is not None:
                return
            self.thread = threading.Thread(
                target=self._run, name="wiesci-metrics", daemon=True
            )
            self.thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.FLUSH_SECONDS)
            self.flush()

    def flush(self) -> None:
        """Add the counts so far to this process's files."""
        with self.lock:
            durations, outcomes, renders = self.durations, self.outcomes, self.renders
            self._reset()
        if not (durations or outcomes or renders):
            return
        try:
            found = instruments()
            for (kind, group), row in durations.items():
                series = found.duration.labels(kind, group)
                # prometheus_client observes one value at a time; its bucket
                # and sum values take a count at once (version locked).
                for bucket, count in zip(series._buckets, row[:-1], strict=True):
                    if count:
                        bucket.inc(count)
                series._sum.inc(row[-1])
            for outcome, count in outcomes.items():
                found.page_cache.labels(outcome).inc(count)
            for kind, count in renders.items():
                found.renders.labels(kind).inc(count)
        except Exception:  # Counting must never stop the thread.
            logger.exception("Could not write the request counts")


TALLY = Tally()
os.register_at_fork(after_in_child=TALLY.forked)
atexit.register(TALLY.flush)


def flush() -> None:
    """Write this process's counts now, for a scrape to see them all."""
    TALLY.flush()


class RequestMetrics:
    """WSGI middleware counting and timing every request (the outermost layer)."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        started = time.perf_counter()
        status: list[str] = []

        def recording(
            line: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            status.append(line)
            return start_response(line, headers, exc_info)

        try:
            return self.app(environ, recording)
        finally:
            seconds = time.perf_counter() - started
            try:
                TALLY.add(
                    page_kind(environ.get("PATH_INFO", "/")),
                    # The last status given wins (an error after a start).
                    STATUS_CLASSES.get(status[-1][:1], "5xx") if status else "5xx",
                    seconds,
                    environ.get(PAGE_CACHE_OUTCOME),
                    RENDERED in environ,
                )
            except Exception:  # Counting must never fail a request.
                logger.exception("Could not count a request")


class Rendering:
    """WSGI middleware in front of Django, marking requests that reach it."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        environ[RENDERED] = True
        return self.app(environ, start_response)
