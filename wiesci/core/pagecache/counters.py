"""The generation and purge counts every process of one machine shares."""

from __future__ import annotations

import contextlib
import fcntl
import mmap
import os
import secrets
import threading
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from wiesci.core.pagecache.entries import Ticket


class SharedCounters:
    """The generation and per-path purge counts, shared by the processes of
    one machine through a small memory-mapped file.

    A hit reads two integers from memory, with no system call; a purge takes
    a file lock and counts up. Paths share slots by hash: a purge of one path
    may also expire the few others in its slot, never the other way round.
    """

    SLOTS = 1 << 16
    WIDTH = 8

    def __init__(self, path: Path) -> None:
        size = self.WIDTH * (1 + self.SLOTS)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        # lockf() excludes other processes; threads of one process take this.
        self._thread_lock = threading.Lock()
        with self._locked():
            if os.fstat(self._fd).st_size < size:
                # A new file starts at a random generation, so entry files
                # left from an earlier one can never pass for fresh.
                start = secrets.randbits(40)
                os.ftruncate(self._fd, size)
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

    def _add_one(self, index: int) -> None:
        offset = index * self.WIDTH
        value = (self._read(index) + 1) % (1 << 63)
        self._map[offset : offset + self.WIDTH] = value.to_bytes(self.WIDTH, "little")

    @classmethod
    def slot(cls, path: str) -> int:
        return 1 + zlib.crc32(path.encode()) % cls.SLOTS

    def generation(self) -> int:
        return self._read(0)

    def ticket(self, slot: int) -> Ticket:
        return (self._read(0), self._read(slot))

    def bump_paths(self, paths: Iterable[str]) -> None:
        with self._locked():
            for slot in {self.slot(path) for path in paths}:
                self._add_one(slot)

    def bump_generation(self) -> int:
        with self._locked():
            self._add_one(0)
            return self._read(0)
