"""What apps above core add to every page's <head>: feed links, structured data.

An app registers a template in its `ready()`; `base.html` includes each, in
the order registered, with the page's context (the included template decides
from it what the page is).
"""

from __future__ import annotations

HEAD_TEMPLATES: list[str] = []


def register(name: str) -> None:
    if name not in HEAD_TEMPLATES:
        HEAD_TEMPLATES.append(name)
