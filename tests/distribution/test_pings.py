"""WebSub and IndexNow pings, received by a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import feedparser
import pytest

from wiesci.articles import services
from wiesci.core.actors import COMMAND

pytestmark = pytest.mark.django_db


class Listener:
    """A hub and an IndexNow endpoint in one: records what it is sent and
    answers with the statuses it is told to (then 202)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, bytes]] = []
        self.failures = 0
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                listener.received.append(
                    (self.path, self.headers["Content-Type"], body)
                )
                failing = listener.failures > 0
                listener.failures -= 1 if failing else 0
                self.send_response(503 if failing else 202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def sent_to(self, path: str) -> list[bytes]:
        return [body for where, _, body in self.received if where == path]


@pytest.fixture
def listener(settings: Any) -> Iterator[Listener]:
    found = Listener()
    settings.WEBSUB_HUB = found.url + "/hub"
    settings.INDEXNOW_URL = found.url + "/indexnow"
    settings.INDEXNOW_KEY = "a1b2c3d4e5f6a7b8"
    settings.WIESCI_PING_RETRY_SECONDS = [0, 0]
    yield found
    found.server.shutdown()
    found.server.server_close()


def topics(listener: Listener) -> set[str]:
    return {
        parse_qs(body.decode())["hub.url"][0].removeprefix("http://127.0.0.1:8000")
        for body in listener.sent_to("/hub")
    }


def test_publishing_tells_the_hub_and_indexnow_after_commit(
    listener, story, make_article, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        article = make_article(title="Zamknięty most na Odrze")
    assert listener.received == []  # nothing before the commit
    with django_capture_on_commit_callbacks(execute=True):
        for callback in pending:
            callback()
    # Every feed that lists the story, and nothing else.
    assert topics(listener) == {
        "/rss/",
        "/atom/",
        "/dzial/wiadomosci/rss/",
        "/dzial/wiadomosci/atom/",
    }
    for body in listener.sent_to("/hub"):
        assert parse_qs(body.decode())["hub.mode"] == ["publish"]
    (indexnow,) = listener.sent_to("/indexnow")
    sent = json.loads(indexnow)
    assert sent == {
        "host": "127.0.0.1",
        "key": "a1b2c3d4e5f6a7b8",
        "keyLocation": "http://127.0.0.1:8000/a1b2c3d4e5f6a7b8.txt",
        "urlList": ["http://127.0.0.1:8000" + article.get_absolute_url()],
    }


def test_the_key_file_and_the_hub_are_published(client, listener, story):
    answer = client.get("/a1b2c3d4e5f6a7b8.txt")
    assert answer.status_code == 200 and answer.content == b"a1b2c3d4e5f6a7b8"
    assert client.get("/inny-klucz-12345.txt").status_code == 404
    for url in ("/rss/", "/atom/"):
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo
        hubs = [link.href for link in feed.feed.links if link.rel == "hub"]
        assert hubs == [listener.url + "/hub"]


def test_edits_and_withdrawals_are_told_too(
    listener, story, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        story.lead = "Nowy lead."
        services.save_article(story, by=COMMAND)
    assert len(listener.sent_to("/indexnow")) == 1
    assert "/tag/dozynki/rss/" in topics(listener)
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_article(story, by=editor)
    assert len(listener.sent_to("/indexnow")) == 2


def test_a_failing_endpoint_is_tried_again_then_given_up(
    listener, make_article, django_capture_on_commit_callbacks, caplog
):
    listener.failures = 2  # the hub's first answers: 503
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Awaria prądu w Rudniku")
    # Each feed was asked; the two that failed at first were asked again.
    hub_posts = listener.sent_to("/hub")
    assert len(hub_posts) == len(topics(listener)) + 2
    listener.failures = 100  # now nothing gets through
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Druga awaria")
    assert "Gave up" in caplog.text


def test_nothing_is_sent_when_nothing_is_set(
    settings, story, make_article, django_capture_on_commit_callbacks
):
    from wiesci.distribution import pings

    settings.WEBSUB_HUB = settings.INDEXNOW_URL = ""
    queued: list[Any] = []
    original = pings.queue
    pings.queue = lambda **kwargs: queued.append(kwargs)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make_article(title="Cisza")
    finally:
        pings.queue = original
    assert queued == []
