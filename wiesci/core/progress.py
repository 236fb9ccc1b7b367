"""A progress bar for the long commands (import, reindex, backup, media moves).

On a terminal it redraws one line; piped into a log (a scheduled run), it
writes one line per step, so that the log says how far a run got.
"""

from __future__ import annotations

from django.core.management.base import OutputWrapper

WIDTH = 30


class ProgressBar:
    def __init__(self, out: OutputWrapper, total: int, *, unit: str = "") -> None:
        self.out = out
        self.total = total
        self.unit = unit
        self.done = 0
        self.interactive = out.isatty()

    def advance(self, n: int = 1) -> None:
        self.show(self.done + n)

    def show(self, done: int) -> None:
        self.done = done
        shown = min(done, self.total)
        filled = WIDTH * shown // max(self.total, 1)
        bar = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {shown}/{self.total}"
        if self.unit:
            bar = f"{bar} {self.unit}"
        if self.interactive:
            self.out.write(f"\r{bar}", ending="")
        else:
            self.out.write(bar)

    def finish(self) -> None:
        """End the redrawn line, if anything was drawn on it."""
        if self.interactive and self.done:
            self.out.write("")
