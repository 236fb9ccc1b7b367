"""/-/health: what a load balancer and an operator read."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connections
from django.utils import timezone

from servers.waiting import free_port
from wiesci.core import periodic
from wiesci.core.environ import ConfigError, Env

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def report(answer):
    assert answer.headers["content-type"] == "application/json"
    return json.loads(answer.body)


def test_it_is_ok_when_everything_answers(portal):
    answer = portal("/-/health")
    assert answer.status == 200
    found = report(answer)
    assert found["status"] == "ok"
    assert set(found["checks"]) == {
        "database",
        "cache",
        "storage",
        "worker",
        "tasks",
        "scheduled",
    }
    assert {check["status"] for check in found["checks"].values()} == {"ok"}


def test_it_is_never_cached_indexed_or_given_a_cookie(portal):
    for path in ("/-/health", "/-/metrics"):
        first, second = portal(path), portal(path)
        for answer in (first, second):
            assert answer.status == 200
            assert answer.headers["cache-control"] == "no-store"
            assert answer.headers["x-robots-tag"] == "noindex"
            assert "x-cache" not in answer.headers
            assert "set-cookie" not in answer.headers


def test_it_fails_with_503_when_the_database_does_not_answer(portal, monkeypatch):
    def refuse() -> None:
        raise OperationalError("connection refused")

    # What a cursor does first, open the connection, fails as a stopped
    # PostgreSQL or an unreadable SQLite file makes it fail.
    monkeypatch.setattr(connections["default"], "cursor", refuse)
    answer = portal("/-/health")
    assert answer.status == 503
    found = report(answer)
    assert found["status"] == "failing"
    assert found["checks"]["database"] == {
        "status": "failing",
        "detail": "OperationalError: connection refused",
        "ms": pytest.approx(0, abs=50),
    }
    assert found["checks"]["cache"]["status"] == "ok"


def test_it_fails_with_503_when_the_cache_does_not_answer(portal, settings):
    # A Redis on a port nobody listens on: refused at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        }
    }
    answer = portal("/-/health")
    assert answer.status == 503
    checks = report(answer)["checks"]
    assert checks["cache"]["status"] == "failing"
    assert "ConnectionError" in checks["cache"]["detail"]
    assert checks["database"]["status"] == "ok"


def test_it_fails_with_503_when_a_storage_does_not_answer(portal, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "tests.operations.test_health.BrokenStorage"},
    }
    answer = portal("/-/health")
    assert answer.status == 503
    assert report(answer)["checks"]["storage"]["detail"] == "OSError: bucket gone"


class BrokenStorage:
    def exists(self, name: str) -> bool:
        raise OSError("bucket gone")


def test_a_missing_worker_degrades_but_keeps_the_server(portal, settings):
    settings.TASKS = DATABASE_QUEUE
    answer = portal("/-/health")
    assert answer.status == 200
    found = report(answer)
    assert found["status"] == "degraded"
    assert found["checks"]["worker"]["detail"] == "no worker has ever reported"


def test_a_stale_heartbeat_degrades_and_a_fresh_one_is_ok(portal, settings):
    settings.TASKS = DATABASE_QUEUE
    periodic.beat()
    found = report(portal("/-/health"))
    assert found["status"] == "ok"
    assert found["checks"]["worker"]["age_seconds"] < 5
    periodic.beat(at=time.time() - 300)
    answer = portal("/-/health")
    assert answer.status == 200
    worker = report(answer)["checks"]["worker"]
    assert worker["status"] == "degraded"
    assert worker["detail"] == "last heartbeat 300 s ago"


def test_the_workers_periodic_round_leaves_a_heartbeat(settings):
    import threading

    from wiesci.core.management.commands.worker import Command

    settings.TASKS = DATABASE_QUEUE
    stop = threading.Event()
    stop.set()  # one heartbeat at the start, then no rounds
    Command().run_periodic(stop, every=10)
    at, worker = periodic.last_beat()  # type: ignore[misc]
    assert abs(at - timezone.now().timestamp()) < 5
    assert worker.endswith(f"-{__import__('os').getpid()}")


def test_a_story_not_published_on_time_degrades(portal, make_article, time_machine):
    later = timezone.now() + timedelta(hours=1)
    make_article(at=later)
    time_machine.move_to(later + timedelta(seconds=30))
    assert report(portal("/-/health"))["status"] == "ok"  # the worker has a round
    time_machine.move_to(later + timedelta(minutes=3))
    answer = portal("/-/health")
    assert answer.status == 200
    found = report(answer)
    assert found["status"] == "degraded"
    assert found["checks"]["scheduled"] == {
        "status": "degraded",
        "detail": "1 scheduled stories did not go out",
        "overdue": 1,
        "ms": pytest.approx(0, abs=500),
    }


# --- Who may ask ----------------------------------------------------------


@pytest.mark.parametrize("path", ["/-/health", "/-/metrics"])
def test_it_is_a_404_for_the_public(portal, path):
    assert portal(path, remote_addr="203.0.113.7").status == 404
    assert portal(path, remote_addr="::1").status == 200
    assert portal(path, remote_addr="::ffff:127.0.0.1").status == 200


def test_behind_the_proxy_the_forwarded_address_decides(portal, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    # nginx itself is on loopback; the reader behind it is not.
    public = portal("/-/health", x_forwarded_for="203.0.113.7")
    assert public.status == 404
    # A loopback address the reader wrote before nginx added the real one.
    made_up = portal("/-/health", x_forwarded_for="127.0.0.1, 203.0.113.7")
    assert made_up.status == 404
    assert portal("/-/health", x_forwarded_for="127.0.0.1").status == 200
    # No header: a request to the server itself, past nginx.
    assert portal("/-/health").status == 200


def test_the_operators_networks_are_let_in(portal, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.OPS_NETWORKS = Env({"N": "10.0.0.0/8"}).networks("N", [])
    assert portal("/-/health", x_forwarded_for="10.1.2.3").status == 200
    assert portal("/-/health", remote_addr="10.1.2.3").status == 200
    assert portal("/-/health", remote_addr="127.0.0.1").status == 404


def test_the_token_opens_it_from_anywhere(portal, settings):
    settings.OPS_TOKEN = "t" * 32
    outside = {"remote_addr": "203.0.113.7"}
    assert (
        portal("/-/metrics", authorization="Bearer " + "t" * 32, **outside).status
        == 200
    )
    assert (
        portal("/-/metrics", authorization="Bearer " + "x" * 32, **outside).status
        == 404
    )
    assert portal("/-/metrics", authorization="t" * 32, **outside).status == 404
    settings.OPS_TOKEN = ""
    assert portal("/-/metrics", authorization="Bearer ", **outside).status == 404


def test_networks_are_read_in_cidr_notation():
    env = Env({"WIESCI_OPS_NETWORKS": "10.0.0.0/8, 192.168.1.5,fd00::/8"})
    found = env.networks("WIESCI_OPS_NETWORKS", [])
    assert [str(n) for n in found] == ["10.0.0.0/8", "192.168.1.5/32", "fd00::/8"]
    for bad in ("10.0.0.1/8", "10.0.0.0/33", "wszędzie"):
        env = Env({"WIESCI_OPS_NETWORKS": bad})
        with pytest.raises(ConfigError, match=r"^WIESCI_OPS_NETWORKS: not a network"):
            env.networks("WIESCI_OPS_NETWORKS", [])
