"""Jobs the worker runs every few seconds; apps register their own.

Core knows none of them by name: `ArticlesConfig.ready()` registers the
publication of scheduled articles, for instance.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

JOBS: list[Callable[[], Any]] = []


def register(job: Callable[[], Any]) -> Callable[[], Any]:
    if job not in JOBS:
        JOBS.append(job)
    return job
