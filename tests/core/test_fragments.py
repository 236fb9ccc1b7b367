"""`{% fragment %}`: cached fragments rendered once however many pages ask."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.template import Context, Template

from wiesci.core.templatetags import fragments

TEMPLATE = Template(
    "{% load fragments %}{% fragment 60 menu version %}{{ slow }}{% endfragment %}"
)


class Slow:
    """A value that takes a while to render and counts its renders."""

    def __init__(self, seconds: float, fail: bool = False) -> None:
        self.seconds, self.fail = seconds, fail
        self.renders = 0
        self.lock = threading.Lock()

    def __str__(self) -> str:
        with self.lock:
            self.renders += 1
            number = self.renders
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("the render broke")
        return f"menu {number}"


def render_at_once(slow: Slow, count: int, version: int = 1) -> list[Any]:
    start = threading.Barrier(count)
    texts: list[Any] = [None] * count

    def page(number: int) -> None:
        start.wait()
        try:
            texts[number] = TEMPLATE.render(Context({"slow": slow, "version": version}))
        except RuntimeError as error:
            texts[number] = error

    threads = [threading.Thread(target=page, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return texts


@pytest.fixture(params=["memory", "redis"])
def shared_cache(request, settings):
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": request.getfixturevalue("redis_url"),
                "KEY_PREFIX": f"fragments-{time.time_ns()}",
            }
        }
    yield
    cache.clear()


def test_pages_rendering_one_fragment_at_once_render_it_once(shared_cache):
    slow = Slow(0.3)
    assert render_at_once(slow, 8) == ["menu 1"] * 8
    assert slow.renders == 1
    # A new version of the fragment (a purge) is rendered once again.
    assert render_at_once(slow, 8, version=2) == ["menu 2"] * 8
    assert slow.renders == 2


def test_a_failed_render_lets_the_waiting_pages_render_for_themselves(shared_cache):
    broken = Slow(0.2, fail=True)
    texts = render_at_once(broken, 4)
    assert all(isinstance(text, RuntimeError) for text in texts)
    assert broken.renders == 4  # nobody waits for what never comes


def test_a_hung_render_holds_the_others_up_for_a_bounded_time(
    shared_cache, monkeypatch
):
    monkeypatch.setattr(fragments, "WAIT_SECONDS", 0.2)
    hung = Slow(1.0)
    texts = render_at_once(hung, 3)
    assert hung.renders == 3
    assert len(set(texts)) == 3  # each rendered its own after the wait


def test_a_worker_answers_a_fragment_it_has_read_from_memory_until_its_time_is_up(
    settings, monkeypatch
):
    settings.WIESCI_FRAGMENT_MEMORY_SECONDS = 10
    clock = [1000.0]
    monkeypatch.setattr(fragments, "_now", lambda: clock[0])
    monkeypatch.setattr(fragments, "_memory", {})
    slow = Slow(0)
    assert render_at_once(slow, 1) == ["menu 1"]
    cache.clear()  # the shared copy is gone: this worker still knows it
    assert render_at_once(slow, 1) == ["menu 1"]
    # A new version (a purge moved it) is never taken for the one in memory.
    assert render_at_once(slow, 1, version=2) == ["menu 2"]
    clock[0] += 11  # past FRAGMENT_MEMORY_SECONDS: asked for again
    assert render_at_once(slow, 1) == ["menu 3"]
    assert slow.renders == 3
