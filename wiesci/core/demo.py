"""The demo portal: hooks through which each app fills an empty database.

An app takes part by shipping a `demo` module (`wiesci/articles/demo.py`)
with any of these functions, called in INSTALLED_APPS order so that an app
finds the data of the apps it depends on:

- `has_content() -> bool`: whether the app already holds data; demo content
  is loaded only when no app does;
- `load(context)`: fill the empty database;
- `prepare(context) -> list[str]`: run on every start, return lines to print
  (the demo editor's login, for instance).

Core knows no app by name: the layers above plug themselves in.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django.apps import apps
from django.utils import timezone


@dataclass
class DemoContext:
    """What the loaders share: one clock, one random source, a progress printer."""

    now: datetime = field(default_factory=timezone.now)
    random: random.Random = field(default_factory=lambda: random.Random(2026))  # noqa: S311
    say: Callable[[str], Any] = print
    # Pixel size of the generated photos; tests ask for small ones.
    photo_size: tuple[int, int] = (1600, 1067)
    # Where the demo is served, for the lines printed on start.
    site_url: str = ""
    # What one loader leaves for the next: demo keys → saved objects.
    shared: dict[str, Any] = field(default_factory=dict)


def demo_modules() -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        name = f"{config.name}.demo"
        if config.name.startswith("wiesci.") and name != __name__ and find_spec(name):
            modules.append(import_module(name))
    return modules


def has_content() -> bool:
    return any(
        module.has_content()
        for module in demo_modules()
        if hasattr(module, "has_content")
    )


def load(context: DemoContext) -> None:
    for module in demo_modules():
        if hasattr(module, "load"):
            module.load(context)


def prepare(context: DemoContext) -> list[str]:
    lines: list[str] = []
    for module in demo_modules():
        if hasattr(module, "prepare"):
            lines.extend(module.prepare(context))
    return lines
