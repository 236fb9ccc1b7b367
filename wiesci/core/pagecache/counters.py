"""The generation and purge counts every process of one machine shares."""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import secrets
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from wiesci.core.pagecache.entries import Purges, Ticket


class SharedCounters:
    """The generation and per-path purge counts, shared by the processes of
    one machine through a small memory-mapped file.

    A hit reads two integers from memory, with no system call; a purge takes
    a file lock and counts up. Paths share slots by hash: a purge of one path
    may also expire the few others in its slot, never the other way round.

    Beside the counts, in a second array of the same shape, is the moment of
    each count's latest purge (Unix time in milliseconds, 0 for never): how
    long a copy has been stale, which decides whether it may still be served
    while its page renders again.
    """

    SLOTS = 1 << 16
    WIDTH = 8

    def __init__(self, path: Path) -> None:
        size = self.WIDTH * 2 * (1 + self.SLOTS)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        # lockf() excludes other processes; threads of one process take this.
        self._thread_lock = threading.Lock()
        with self._locked():
            known = os.fstat(self._fd).st_size
            if known < size:
                # A file from before the purge times grows and keeps its counts.
                os.ftruncate(self._fd, size)
            if known < self.WIDTH:
                # A new file starts at a random generation, so entry files
                # left from an earlier one can never pass for fresh.
                start = secrets.randbits(40)
                os.pwrite(self._fd, start.to_bytes(self.WIDTH, "little"), 0)
        self._map = mmap.mmap(self._fd, size)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with self._thread_lock:
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)

    def _read(self, index: int) -> int:
        offset = index * self.WIDTH
        return int.from_bytes(self._map[offset : offset + self.WIDTH], "little")

    def _write(self, index: int, value: int) -> None:
        offset = index * self.WIDTH
        self._map[offset : offset + self.WIDTH] = value.to_bytes(self.WIDTH, "little")

    def _add_one(self, index: int, at: float) -> None:
        self._write(index, (self._read(index) + 1) % (1 << 63))
        self._write(1 + self.SLOTS + index, int(at * 1000))

    @classmethod
    def slot(cls, path: str) -> int:
        return 1 + zlib.crc32(path.encode()) % cls.SLOTS

    def generation(self) -> int:
        return self._read(0)

    def ticket(self, slot: int) -> Ticket:
        return (self._read(0), self._read(slot))

    def purges(self, slot: int) -> Purges:
        """The ticket and the moments of its two counts' latest purges.

        Read under the lock, so that a count and its moment always belong to
        the same purge: a moment from a later purge would make a copy look
        fresher than it is. Only a request finding its page being rendered
        asks, so the lock costs nothing on a hit.
        """
        with self._locked():
            times = 1 + self.SLOTS
            return Purges(
                ticket=(self._read(0), self._read(slot)),
                everything_at=self._read(times) / 1000,
                path_at=self._read(times + slot) / 1000,
            )

    def bump_paths(self, paths: Iterable[str], at: float | None = None) -> None:
        at = time.time() if at is None else at
        with self._locked():
            for slot in {self.slot(path) for path in paths}:
                self._add_one(slot, at)

    def bump_generation(self, at: float | None = None) -> int:
        at = time.time() if at is None else at
        with self._locked():
            self._add_one(0, at)
            return self._read(0)
