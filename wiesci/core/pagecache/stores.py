"""Where pages are kept: files shared by one machine's processes, or Redis
shared by every app server; and the purges that make them forget."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import math
import os
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from wiesci.core.pagecache import keys
from wiesci.core.pagecache.counters import SharedCounters
from wiesci.core.pagecache.entries import Entry, Purges, Ticket

logger = logging.getLogger(__name__)


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


# How long a render may hold its page's claim, and how long others wait for
# it before rendering the page themselves.
CLAIM_SECONDS = 10.0
# The file store's folder of claim files, beside the generations.
CLAIMS = "claims"


def _stale_bound() -> float:
    from wiesci import conf

    return float(conf.PAGE_STALE_BOUND_SECONDS)


def _latest_stale(
    candidates: Iterable[Entry | None], purges: Purges
) -> tuple[Entry, float] | None:
    """The candidate that went stale last, and when; None if none is known to."""
    best: tuple[Entry, float] | None = None
    for entry in candidates:
        if entry is None:
            continue
        since = entry.stale_since(purges)
        if since is not None and (best is None or since > best[1]):
            best = (entry, since)
    return best


class FileStore:
    """Pages as files under one directory per generation.

    Each process keeps the entries it has served in memory and checks them
    against the shared counters, so a purge by another process is seen at
    once and a hit costs no system call. That memory is also where the copy
    before a purge is found (`previous()`): a purge removes the files.

    A file's modification time is the moment it expires. A sweep, run in the
    background at most once a minute by whichever process stores a page
    (one at a time, under a file lock), removes expired files and earlier
    generations, then the files closest to expiry until the store is within
    `max_bytes`.
    """

    SWEEP_SECONDS = 60.0

    def __init__(
        self,
        root: Path,
        *,
        memory_entries: int = 512,
        max_bytes: int = 512 * 1024 * 1024,
    ) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.counters = SharedCounters(root / "counters")
        self.max_bytes = max_bytes
        self._root = str(root)
        self._slots: dict[str, int] = {}
        self._memory: dict[tuple[str, str], Entry] = {}
        self._memory_entries = memory_entries
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS
        self._written = 0
        self._sweeping = threading.Lock()

    def generation(self) -> str:
        return str(self.counters.generation())

    def _slot(self, path: str) -> int:
        slot = self._slots.get(path)
        if slot is None:
            if len(self._slots) >= 50_000:
                self._slots.clear()
            slot = self._slots[path] = SharedCounters.slot(path)
        return slot

    def _file(self, path: str, query: str, generation: int) -> str:
        return os.path.join(
            self._root, str(generation), _digest(path), _digest(query) + ".page"
        )

    def lookup(self, path: str, query: str, now: float) -> tuple[Entry | None, Ticket]:
        """A fresh entry, or None and the ticket a new render must carry."""
        ticket = self.counters.ticket(self._slot(path))
        remembered = self._memory.get((path, query))
        if (
            remembered is not None
            and remembered.ticket == ticket
            and remembered.expires_at > now
        ):
            return remembered, ticket
        entry = self._load(path, query, ticket[0])
        if entry is None or entry.ticket != ticket or entry.expires_at <= now:
            return None, ticket
        self._remember(path, query, entry)
        return entry, ticket

    def _load(self, path: str, query: str, generation: int) -> Entry | None:
        try:
            with open(self._file(path, query, generation), "rb") as handle:
                return Entry.load(handle.read())
        except (OSError, ValueError):
            return None

    def previous(self, path: str, query: str) -> tuple[Entry, float] | None:
        """The copy of a page that went stale, and the moment it did, if known.

        This process's memory of it (purged files are gone), else the file
        of an expired entry another process stored.
        """
        purges = self.counters.purges(self._slot(path))
        return _latest_stale(
            [
                self._memory.get((path, query)),
                self._load(path, query, purges.ticket[0]),
            ],
            purges,
        )

    def store(self, path: str, query: str, entry: Entry) -> None:
        target = Path(self._file(path, query, entry.ticket[0]))
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        data = entry.dump()
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.utime(temporary, (entry.expires_at, entry.expires_at))
        os.replace(temporary, target)
        self._remember(path, query, entry)
        self._written += len(data)
        # Sweep once a minute, or sooner when a tenth of the room has been
        # written since the last sweep.
        if (
            time.monotonic() >= self._next_sweep or self._written > self.max_bytes // 10
        ) and self._sweeping.acquire(blocking=False):
            self._next_sweep = time.monotonic() + self.SWEEP_SECONDS
            self._written = 0
            threading.Thread(
                target=self._sweep_in_background, name="wiesci-pagecache-sweep"
            ).start()

    def _sweep_in_background(self) -> None:
        try:
            self.sweep()
        except Exception:
            logger.exception("Sweeping the page cache failed")
        finally:
            self._sweeping.release()

    def sweep(self, now: float | None = None) -> tuple[int, int]:
        """Remove what no lookup can use, then make room; return (files, bytes) kept.

        Answers (-1, -1) at once when another process is sweeping.
        """
        now = time.time() if now is None else now
        with open(self.root / "sweep.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return (-1, -1)
            current = self.generation()
            kept: list[tuple[float, int, str]] = []
            for generation in os.scandir(self.root):
                if not generation.is_dir(follow_symlinks=False):
                    continue
                if generation.name == CLAIMS:
                    continue
                if generation.name != current:
                    shutil.rmtree(generation.path, ignore_errors=True)
                    continue
                for folder in os.scandir(generation.path):
                    for page in os.scandir(folder.path):
                        try:
                            info = page.stat(follow_symlinks=False)
                        except FileNotFoundError:
                            continue
                        # A file being written is young: leave it to its writer.
                        writing = page.name.endswith(".tmp")
                        if info.st_mtime <= (now - 60 if writing else now):
                            _remove(page.path)
                        elif not writing:
                            kept.append((info.st_mtime, info.st_size, page.path))
            kept.sort()
            total = sum(size for _, size, _ in kept)
            evicted = 0
            for _, size, page_path in kept:
                if total <= self.max_bytes:
                    break
                _remove(page_path)
                total -= size
                evicted += 1
        return len(kept) - evicted, total

    def claim(self, path: str, query: str) -> Any:
        """The right to render this page, or None while another process or
        thread of this machine holds it: an exclusive lock on a file of its
        own, gone with the holder if it dies. Released by `release()`."""
        name = _digest(path + "\0" + query) + ".lock"
        try:
            folder = self.root / CLAIMS
            folder.mkdir(exist_ok=True)
            handle = open(folder / name, "a")  # noqa: SIM115 (held until release)
        except OSError:  # a full or read-only disk: render without a claim
            logger.exception("Could not claim %s in the page cache", path)
            return contextlib.nullcontext()
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    def release(self, claim: Any) -> None:
        if hasattr(claim, "close"):
            claim.close()  # closing the file drops its lock

    def _remember(self, path: str, query: str, entry: Entry) -> None:
        if len(self._memory) >= self._memory_entries:
            self._memory.clear()
        self._memory[(path, query)] = entry

    def purge_paths(self, paths: Iterable[str]) -> None:
        paths = list(paths)
        self.counters.bump_paths(paths)
        generation = self.generation()
        for path in paths:
            shutil.rmtree(self.root / generation / _digest(path), ignore_errors=True)

    def purge_all(self) -> None:
        old = self.generation()
        self.counters.bump_generation()
        # Old generations are unreachable now; remove them in the background.
        threading.Thread(
            target=shutil.rmtree,
            args=(self.root / old,),
            kwargs={"ignore_errors": True},
            daemon=True,
        ).start()


class RedisStore:
    """Pages in Redis, shared by every app server; one round trip per lookup."""

    # KEYS: generation, purge count of the path; ARGV: prefix, slot, encoding.
    LOOKUP = """
    local generation = redis.call('GET', KEYS[1]) or '0'
    local purges = redis.call('GET', KEYS[2]) or '0'
    local key = ARGV[1] .. generation .. ':' .. ARGV[2]
    return {generation, purges, redis.call('HMGET', key, 'meta', ARGV[3])}
    """
    # Store only if no purge came between the lookup and now.
    # KEYS: generation, purge count, entry, the path's entry set;
    # ARGV: generation, purge count, ttl, then field/value pairs.
    STORE = """
    if (redis.call('GET', KEYS[1]) or '0') ~= ARGV[1] then return 0 end
    if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
    redis.call('HSET', KEYS[3], unpack(ARGV, 4))
    redis.call('EXPIRE', KEYS[3], ARGV[3])
    redis.call('SADD', KEYS[4], KEYS[3])
    redis.call('EXPIRE', KEYS[4], ARGV[3])
    return 1
    """
    # The copy a purge or an expiry made stale: the entry in this generation,
    # else in the one before (a purge of everything leaves it until its TTL),
    # and the moments of the latest purges.
    # KEYS: generation, purge count, time of the last purge of everything,
    # of the path; ARGV: prefix, slot, encoding.
    PREVIOUS = """
    local generation = redis.call('GET', KEYS[1]) or '0'
    local purges = redis.call('GET', KEYS[2]) or '0'
    local times = redis.call('MGET', KEYS[3], KEYS[4])
    local found = redis.call('HMGET', ARGV[1] .. generation .. ':' .. ARGV[2],
        'meta', ARGV[3])
    if not found[1] then
        local earlier = string.format('%d', tonumber(generation) - 1)
        found = redis.call('HMGET', ARGV[1] .. earlier .. ':' .. ARGV[2],
            'meta', ARGV[3])
    end
    return {generation, purges, times[1] or '0', times[2] or '0', found}
    """
    # Count the purge and note its moment; the path's entries are kept for the
    # stale bound only (ARGV[3], ms), as copies to serve while they render.
    # KEYS: purge count, its moment; ARGV: now (ms), seconds the count is
    # kept, ms purged entries are kept, the path's entry set less its
    # generation (prefix and suffix).
    PURGE_PATH = """
    redis.call('INCR', KEYS[1])
    redis.call('EXPIRE', KEYS[1], ARGV[2])
    redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
    local generation = redis.call('GET', ARGV[4] .. 'generation') or '0'
    local members = ARGV[4] .. generation .. ARGV[5]
    local keep = tonumber(ARGV[3])
    for _, key in ipairs(redis.call('SMEMBERS', members)) do
        if keep <= 0 then
            redis.call('DEL', key)
        elseif redis.call('PTTL', key) > keep then
            redis.call('PEXPIRE', key, keep)
        end
    end
    redis.call('DEL', members)
    return 1
    """
    PURGE_COUNT_SECONDS = 24 * 3600  # far longer than any entry lives

    def __init__(self, url: str, *, prefix: str = "wiesci:pages:") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self.lookup_script = self.client.register_script(self.LOOKUP)
        self.store_script = self.client.register_script(self.STORE)
        self.previous_script = self.client.register_script(self.PREVIOUS)
        self.purge_path_script = self.client.register_script(self.PURGE_PATH)

    def generation(self) -> str:
        value: Any = self.client.get(self.prefix + "generation")
        return value.decode() if value else "0"

    def _purge_key(self, path: str) -> str:
        return f"{self.prefix}purges:{_digest(path)}"

    def _purged_at_key(self, path: str) -> str:
        return f"{self.prefix}purged-at:{_digest(path)}"

    def lookup(
        self, path: str, query: str, encoding: str, now: float
    ) -> tuple[Entry | None, Ticket]:
        slot = f"{_digest(path)}:{_digest(query)}"
        generation, purges, (meta, body) = self.lookup_script(
            keys=[self.prefix + "generation", self._purge_key(path)],
            args=[self.prefix, slot, encoding],
        )
        ticket = (int(generation), int(purges))
        if not meta or body is None:
            return None, ticket
        entry = Entry.from_meta(json.loads(meta), {encoding: body})
        if entry.ticket != ticket or entry.expires_at <= now:
            return None, ticket
        return entry, ticket

    def previous(
        self, path: str, query: str, encoding: str
    ) -> tuple[Entry, float] | None:
        """The copy of a page that went stale, and the moment it did, if known."""
        slot = f"{_digest(path)}:{_digest(query)}"
        generation, purges, everything_at, path_at, (meta, body) = self.previous_script(
            keys=[
                self.prefix + "generation",
                self._purge_key(path),
                self.prefix + "generation-purged-at",
                self._purged_at_key(path),
            ],
            args=[self.prefix, slot, encoding],
        )
        if not meta or body is None:
            return None
        entry = Entry.from_meta(json.loads(meta), {encoding: body})
        found = Purges(
            ticket=(int(generation), int(purges)),
            everything_at=int(everything_at) / 1000,
            path_at=int(path_at) / 1000,
        )
        return _latest_stale([entry], found)

    def store(self, path: str, query: str, entry: Entry) -> None:
        generation, purges = entry.ticket
        slot = f"{_digest(path)}:{_digest(query)}"
        # Kept past its expiry for as long as it may be served stale.
        after = max(60, math.ceil(_stale_bound()))
        ttl = max(1, int(entry.expires_at - time.time()) + after)
        fields: list[str | bytes] = ["meta", json.dumps(entry.meta())]
        for name, body in entry.bodies.items():
            fields += [name, body]
        self.store_script(
            keys=[
                self.prefix + "generation",
                self._purge_key(path),
                f"{self.prefix}{generation}:{slot}",
                f"{self.prefix}{generation}:paths:{_digest(path)}",
            ],
            args=[generation, purges, ttl, *fields],
        )

    # Drop the claim only if it is still ours (it may have timed out).
    RELEASE = """
    if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
    return 0
    """

    def claim(self, path: str, query: str) -> Any:
        """The right to render this page on every server, or None while
        another holds it; it lapses after CLAIM_SECONDS if its holder dies."""
        key = f"{self.prefix}claim:{_digest(path)}:{_digest(query)}"
        token = os.urandom(8).hex()
        if self.client.set(key, token, nx=True, px=int(CLAIM_SECONDS * 1000)):
            return (key, token)
        return None

    def release(self, claim: Any) -> None:
        key, token = claim
        self.client.eval(self.RELEASE, 1, key, token)

    def purge_paths(self, paths: Iterable[str]) -> None:
        """Count a purge of each path; keep its entries only for the stale bound.

        Keeping the old hash in Redis, rather than a copy in each process,
        lets every app server answer the previous copy, also one that has
        never served the page, and costs no memory in the workers.
        """
        keep = math.ceil(_stale_bound() * 1000)
        for path in paths:
            self.purge_path_script(
                keys=[self._purge_key(path), self._purged_at_key(path)],
                args=[
                    int(time.time() * 1000),
                    self.PURGE_COUNT_SECONDS,
                    keep,
                    self.prefix,
                    f":paths:{_digest(path)}",
                ],
            )

    def purge_all(self) -> None:
        # The moment and the count in one transaction: a moment never pairs
        # with a count from another purge.
        with self.client.pipeline(transaction=True) as pipe:
            pipe.incr(self.prefix + "generation")
            pipe.set(self.prefix + "generation-purged-at", int(time.time() * 1000))
            pipe.execute()


_store: FileStore | RedisStore | None = None
_store_lock = threading.Lock()


def store() -> FileStore | RedisStore:
    global _store
    if _store is None:
        with _store_lock:
            if _store is None:
                from django.conf import settings

                if settings.CACHE_URL.startswith(("redis", "valkey")):
                    _store = RedisStore(settings.CACHES["default"]["LOCATION"])
                else:
                    from wiesci import conf

                    _store = FileStore(
                        Path(settings.DATA_DIR) / "pagecache",
                        max_bytes=conf.PAGE_CACHE_MAX_BYTES,
                    )
    return _store


def reset_store() -> None:
    """Forget the store and the request rules (tests switch settings)."""
    global _store
    _store = None
    keys.reset()


def fragment_generation() -> str:
    """The key of fragments cached as rendered text (`{% fragment %}`).

    The page-cache generation, so that purging every page renews them too,
    and the language and catalogues they were rendered in.
    """
    return f"{store().generation()}.{keys.canon().version}"


def purge_paths(paths: Iterable[str]) -> None:
    paths = sorted(set(paths))
    store().purge_paths(paths)
    _notify_proxy(paths)


def purge_all(*, proxy_paths: Iterable[str] = ("/",)) -> None:
    """Start a new generation here; ask the proxy in front to drop `proxy_paths`.

    A proxy cannot drop everything at once (ngx_cache_purge purges by key),
    so it is sent the pages that matter most; the rest of its copies expire
    after `s-maxage`.
    """
    store().purge_all()
    _notify_proxy(sorted(set(proxy_paths)))


# The encodings a proxy keeps a copy of each page in (see docs/howto/nginx.md).
PROXY_ENCODINGS = ("br", "gzip", "")


def _notify_proxy(paths: list[str]) -> None:
    """Send HTTP PURGE for each path to the proxy in front (nginx, a CDN), if any.

    The requests carry the portal's own host name (from WIESCI_SITE_URL), so
    the proxy finds the copies it keyed by that name, and one request goes
    for each encoding the proxy keeps a copy in (`X-Wiesci-Encoding`).
    """
    from django.conf import settings

    base = getattr(settings, "PURGE_URL", "")
    if not base or not paths:
        return
    host = urlsplit(settings.SITE_URL).netloc

    def send() -> None:
        for path in paths:
            for encoding in PROXY_ENCODINGS:
                request = urllib.request.Request(  # noqa: S310
                    base.rstrip("/") + path,
                    method="PURGE",
                    headers={"Host": host, "X-Wiesci-Encoding": encoding},
                )
                try:
                    urllib.request.urlopen(request, timeout=3).close()  # noqa: S310
                except urllib.error.HTTPError as error:
                    if error.code not in (404, 412):  # 404/412: nothing was cached
                        logger.warning("Purge of %s at %s: %s", path, base, error)
                except OSError as error:
                    logger.warning("Purge of %s at %s failed: %s", path, base, error)

    threading.Thread(target=send, name="wiesci-purge", daemon=True).start()
