"""The newsroom's first screen: what waits for whom, gathered from the apps.

The admin's home shows a panel per thing to do; each app contributes its
panels with `register()` (from its AppConfig.ready), as the article page
gathers the apps' templates, so that this module knows none of them. A
provider gets the request and returns the panels its user may act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest

ITEMS_SHOWN = 5


@dataclass(frozen=True)
class Item:
    label: str
    url: str
    note: str = ""


@dataclass(frozen=True)
class Panel:
    """One thing to do: its count, the first few rows, and where all are."""

    key: str
    title: str
    count: int
    url: str
    items: list[Item] = field(default_factory=list)
    # "urgent" panels (overdue, reported) stand out when they are not empty.
    urgent: bool = False
    empty_text: str = ""


Provider = Callable[[HttpRequest], list[Panel]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)


def panels_for(request: HttpRequest) -> list[Panel]:
    found: list[Panel] = []
    for provider in PROVIDERS:
        found += provider(request)
    return found


def first(
    rows: Any,
    label: Callable[[Any], str],
    url: Callable[[Any], str],
    note: Callable[[Any], str] = lambda row: "",
) -> list[Item]:
    return [Item(label(row), url(row), note(row)) for row in rows[:ITEMS_SHOWN]]
