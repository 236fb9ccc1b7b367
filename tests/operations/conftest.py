"""The product's whole WSGI stack, as `wiesci serve` runs it, for the
operator's endpoints and the counts in front of the page cache."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import Answer


@pytest.fixture
def portal(settings: Any, tmp_path: Path) -> Iterator[Any]:
    """`portal(path, **headers)`: one request through wiesci.wsgi's stack,
    from 127.0.0.1 unless `remote_addr` says otherwise."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from wiesci.core import pagecache
    from wiesci.wsgi import build

    settings.DATA_DIR = tmp_path
    pagecache.reset_store()
    # As Django's test client does: the test's transaction must stay open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    app = build(WSGIHandler())

    def request(path: str, **headers: str) -> Answer:
        path, _, query = path.partition("?")
        environ: dict[str, Any] = {
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_HOST": "127.0.0.1",
            "REQUEST_METHOD": headers.pop("method", "GET"),
            "REMOTE_ADDR": headers.pop("remote_addr", "127.0.0.1"),
            "wsgi.input": io.BytesIO(b""),
        }
        environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
        setup_testing_defaults(environ)
        seen: dict[str, Any] = {}

        def start_response(status, response_headers, exc_info=None):
            seen["status"], seen["headers"] = status, response_headers

        body = b"".join(app(environ, start_response))
        return Answer(seen["status"], seen["headers"], body)

    yield request
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    pagecache.reset_store()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape by name and labels, as the text parser reads it."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scrape: dict[Any, float], name: str, **labels: str) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)
