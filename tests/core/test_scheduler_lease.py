"""The scheduler's lease: periodic jobs in one worker at a time, on a real Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from wiesci.core import periodic
from wiesci.core.environ import cache_config
from wiesci.core.management.commands.worker import Command


@pytest.fixture
def shared_cache(settings: Any, redis_url: str, tmp_path: Path) -> Iterator[None]:
    """The Django cache on Redis (a database of these tests' own), as
    several servers share it."""
    from django.core.cache import cache

    url = redis_url.rsplit("/", 1)[0] + "/3"
    settings.CACHES = {"default": cache_config(url, default_dir=tmp_path)}
    cache.clear()
    yield
    cache.clear()


def test_only_one_of_two_holders_has_the_lease(shared_cache):
    first = periodic.Lease(holder="serwer-1", seconds=5)
    second = periodic.Lease(holder="serwer-2", seconds=5)
    assert first.hold() is True
    for _ in range(3):  # rounds: the holder renews, the other keeps out
        assert second.hold() is False
        assert first.hold() is True
    assert second.current_holder() == "serwer-1"


def test_the_other_takes_over_when_the_holder_stops_renewing(shared_cache):
    first = periodic.Lease(holder="serwer-1", seconds=1)
    second = periodic.Lease(holder="serwer-2", seconds=1)
    assert first.hold() is True
    assert second.hold() is False
    deadline = time.monotonic() + 3
    while not second.hold():
        assert time.monotonic() < deadline, "the lease did not pass on"
        time.sleep(0.1)
    # The old holder, waking up, finds it has lost the lease.
    assert first.hold() is False
    assert first.current_holder() == "serwer-2"


def test_renewing_keeps_the_lease_past_its_first_timeout(shared_cache):
    first = periodic.Lease(holder="serwer-1", seconds=1)
    second = periodic.Lease(holder="serwer-2", seconds=1)
    assert first.hold() is True
    for _ in range(5):  # 1.5 s in all, past the one-second lease
        time.sleep(0.3)
        assert first.hold() is True
        assert second.hold() is False


def test_a_released_lease_is_taken_at_once_and_only_by_its_holder(shared_cache):
    first = periodic.Lease(holder="serwer-1", seconds=30)
    second = periodic.Lease(holder="serwer-2", seconds=30)
    assert first.hold() is True
    second.release()  # not the holder: nothing changes
    assert first.current_holder() == "serwer-1"
    first.release()
    assert second.hold() is True


def test_a_lease_shorter_than_a_second_is_refused():
    with pytest.raises(ValueError, match="at least a second"):
        periodic.Lease(holder="serwer-1", seconds=0)


def test_two_workers_schedulers_run_each_round_in_one_of_them(
    shared_cache, monkeypatch
):
    """Two `wiesci worker` schedulers sharing Redis, a round every 0.2 s
    (a one-second lease): the jobs run in one; stopping it hands them over."""
    ran: list[str] = []
    monkeypatch.setattr(
        periodic, "JOBS", [lambda: ran.append(threading.current_thread().name)]
    )
    stops = {name: threading.Event() for name in ("serwer-1", "serwer-2")}
    threads = {
        name: threading.Thread(
            target=Command().run_periodic, args=(stop, 0.2), name=name, daemon=True
        )
        for name, stop in stops.items()
    }
    try:
        threads["serwer-1"].start()
        deadline = time.monotonic() + 3
        while not ran:
            assert time.monotonic() < deadline, "no round ran"
            time.sleep(0.05)
        threads["serwer-2"].start()
        time.sleep(1.0)
        assert set(ran) == {"serwer-1"}
        assert len(ran) >= 4
        stops["serwer-1"].set()
        threads["serwer-1"].join(3)
        count = len(ran)
        deadline = time.monotonic() + 3
        while "serwer-2" not in ran[count:]:
            assert time.monotonic() < deadline, "the second worker did not take over"
            time.sleep(0.05)
        assert set(ran[count:]) == {"serwer-2"}
    finally:
        for stop in stops.values():
            stop.set()
        for thread in threads.values():
            if thread.is_alive():
                thread.join(3)
