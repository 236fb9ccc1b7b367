"""An ASGI server gets the same stack as a WSGI one: the page cache in front."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def asgi_get(application, path: str) -> tuple[int, dict[str, str], bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 50000),
    }
    sent: list[dict[str, Any]] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    # A thread of its own: Playwright's sync API keeps an event loop running
    # in the main thread once a browser test has run.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, application(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(
        m.get("body", b"") for m in sent if m["type"] == "http.response.body"
    )
    return start["status"], headers, body


def test_asgi_pages_come_from_the_page_cache(settings, tmp_path, make_article):
    from wiesci.asgi import application
    from wiesci.core import pagecache

    settings.DATA_DIR = tmp_path
    pagecache.reset_store()
    article = make_article(title="Przez ASGI")
    first = asgi_get(application, article.get_absolute_url())
    second = asgi_get(application, article.get_absolute_url())
    assert (first[0], second[0]) == (200, 200)
    assert (first[1]["x-cache"], second[1]["x-cache"]) == ("MISS", "HIT")
    assert "Przez ASGI" in second[2].decode()
    pagecache.reset_store()
