"""The product's whole WSGI stack, as `wiesci serve` runs it, for the
operator's endpoints and the counts in front of the page cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import wsgi_caller


@pytest.fixture
def portal(settings: Any, tmp_path: Path) -> Iterator[Any]:
    """`portal(path, **headers)`: one request through wiesci.wsgi's stack,
    from 127.0.0.1 unless `remote_addr` says otherwise."""
    from wiesci.wsgi import build

    yield from wsgi_caller(settings, tmp_path, build)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape by name and labels, as the text parser reads it."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scrape: dict[Any, float], name: str, **labels: str) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)
