"""The full-page cache: anonymous reads answered before Django runs.

A thin WSGI layer in front of Django (`wiesci.wsgi.application`). A GET or
HEAD without a session cookie is looked up by scheme, host, path and the
query parameters pages use; a hit is answered from the store, in the encoding
the reader accepts (stored once each: identity, gzip, Brotli), with ETag and
Last-Modified and a 304 for a matching conditional request. A miss goes to
Django; what comes back is stored when it is safe to share: no cookie set, not
marked private, a status worth keeping.

The store is shared by every worker process: files under the data directory
by default (one machine), Redis when WIESCI_CACHE_URL names one (any number of
app servers). Content changes purge it through `purge_paths()` (one
article's pages) or `purge_all()` (a new generation, used when lists
everywhere change); apps call these from their signals. Entries also expire
on their own, at the latest when the next scheduled article goes out (see
`register_expiry`).

Every entry carries the ticket it was rendered under: the generation and the
purge count of its path, read before Django ran. A purge moves them on, so a
page rendered before a purge and stored after it is never served.

Logged-in readers never touch the store, and their responses are marked
private so that nothing in front keeps them either.
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import json
import logging
import mmap
import os
import re
import secrets
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import brotli

logger = logging.getLogger(__name__)

CACHEABLE_STATUSES = {200, 301, 410}
# The one query parameter that changes what a page shows, on the pages that
# registered as paginated; anything else (fbclid, utm_*) is ignored, so links
# shared on Facebook all hit one entry.
PAGE_PARAMETER = "strona"
# Page numbers as links write them: from 2 (the first page has no number).
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")
MAX_BODY = 4 * 1024 * 1024
# Measured on a 35 KB article page: Brotli quality 6 takes 0.6 ms and 9 takes
# 7 ms for 16 bytes less; every miss pays it, so 6.
BROTLI_QUALITY = 6
GZIP_LEVEL = 9  # 0.4 ms; levels 6 to 9 cost the same on pages this small
# Cookies that make a request personal: a session or pending messages.
PERSONAL_COOKIES = ("sessionid=", "__Host-sessionid=", "messages=")
PRIVATE_PREFIXES = ("/admin/", "/konto/")

# Hooks apps register in their ready(): when the next stored page must expire
# at the latest, and the beacons answered here (path -> handler).
_expiry_hooks: list[Callable[[], float | None]] = []
_beacons: dict[str, Callable[[dict[str, Any], bytes], None]] = {}
_paginated: list[Callable[[str], bool]] = []
MAX_BEACON_BODY = 1024

# (generation, purge count of the path) when a render started.
Ticket = tuple[int, int]


def register_expiry(hook: Callable[[], float | None]) -> None:
    """`hook()` returns a Unix time by which stored pages must be fresh, or None."""
    _expiry_hooks.append(hook)


def register_beacon(
    path: str, handler: Callable[[dict[str, Any], bytes], None]
) -> None:
    """Answer `POST path` here, before Django: `handler(environ, body)`, then 204.

    For what must see every page view, including views the page cache or a
    proxy in front answer (pages send the beacon once loaded). The handler
    must be quick and must not touch the database: it runs for every view.
    """
    _beacons[path] = handler


def register_paginated(predicate: Callable[[str], bool]) -> None:
    """`predicate(path)` tells whether the page at `path` has numbered pages.

    Only there does `strona` count: anywhere else it is ignored, so that no
    page number makes a new copy of a page that has one page only.
    """
    _paginated.append(predicate)


@dataclass
class Entry:
    status: str
    headers: list[tuple[str, str]]
    bodies: dict[str, bytes]
    etag: str
    stored_at: float
    expires_at: float
    ticket: Ticket = (0, 0)

    # Header lists worked out for one second and one encoding, as hits ask
    # for the same ones thousands of times.
    _answers: dict[tuple[int, str], list[tuple[str, str]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _fixed: list[tuple[str, str]] | None = field(
        default=None, repr=False, compare=False
    )

    def meta(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "headers": self.headers,
            "etag": self.etag,
            "stored_at": self.stored_at,
            "expires_at": self.expires_at,
            "ticket": list(self.ticket),
        }

    @classmethod
    def from_meta(cls, meta: dict[str, Any], bodies: dict[str, bytes]) -> Entry:
        generation, count = meta.get("ticket", (0, 0))
        return cls(
            status=meta["status"],
            headers=[(str(k), str(v)) for k, v in meta["headers"]],
            bodies=bodies,
            etag=meta["etag"],
            stored_at=meta["stored_at"],
            expires_at=meta["expires_at"],
            ticket=(int(generation), int(count)),
        )

    def dump(self) -> bytes:
        meta = self.meta()
        meta["sizes"] = [[name, len(body)] for name, body in self.bodies.items()]
        head = json.dumps(meta, separators=(",", ":")).encode()
        return len(head).to_bytes(4, "big") + head + b"".join(self.bodies.values())

    @classmethod
    def load(cls, data: bytes) -> Entry:
        size = int.from_bytes(data[:4], "big")
        meta = json.loads(data[4 : 4 + size])
        offset, bodies = 4 + size, {}
        for name, length in meta["sizes"]:
            bodies[name] = data[offset : offset + length]
            offset += length
            if len(bodies[name]) != length:
                raise ValueError("truncated page cache entry")
        return cls.from_meta(meta, bodies)

    def answer_headers(
        self, lifetimes: Lifetimes, encoding: str, now: float, outcome: str
    ) -> list[tuple[str, str]]:
        """Every header of an answer in `encoding`, body length included."""
        second = int(now)
        known = self._answers.get((second, encoding + outcome))
        if known is not None:
            return known
        if len(self._answers) > 16:
            self._answers.clear()
        if self._fixed is None:
            self._fixed = [
                *self.headers,
                ("ETag", self.etag),
                ("Last-Modified", formatdate(self.stored_at, usegmt=True)),
                ("Vary", "Accept-Encoding"),
            ]
        remaining = max(0, int(self.expires_at - now))
        control = (
            f"public, max-age={min(lifetimes.browser, remaining)}, "
            f"s-maxage={min(lifetimes.proxy, remaining)}, "
            f"stale-while-revalidate={lifetimes.stale}"
        )
        headers = [*self._fixed, ("Cache-Control", control), ("X-Cache", outcome)]
        if encoding != "identity":
            headers.append(("Content-Encoding", encoding))
        headers.append(("Content-Length", str(len(self.bodies[encoding]))))
        self._answers[(second, encoding + outcome)] = headers
        return headers


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


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


class FileStore:
    """Pages as files under one directory per generation.

    Each process keeps the entries it has served in memory and checks them
    against the shared counters, so a purge by another process is seen at
    once and a hit costs no system call.

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
        try:
            with open(self._file(path, query, ticket[0]), "rb") as handle:
                entry = Entry.load(handle.read())
        except (OSError, ValueError):
            return None, ticket
        if entry.ticket != ticket or entry.expires_at <= now:
            return None, ticket
        self._remember(path, query, entry)
        return entry, ticket

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
    PURGE_COUNT_SECONDS = 24 * 3600  # far longer than any entry lives

    def __init__(self, url: str, *, prefix: str = "wiesci:pages:") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self.lookup_script = self.client.register_script(self.LOOKUP)
        self.store_script = self.client.register_script(self.STORE)

    def generation(self) -> str:
        value: Any = self.client.get(self.prefix + "generation")
        return value.decode() if value else "0"

    def _purge_key(self, path: str) -> str:
        return f"{self.prefix}purges:{_digest(path)}"

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

    def store(self, path: str, query: str, entry: Entry) -> None:
        generation, purges = entry.ticket
        slot = f"{_digest(path)}:{_digest(query)}"
        ttl = max(1, int(entry.expires_at - time.time()) + 60)
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

    def purge_paths(self, paths: Iterable[str]) -> None:
        generation = self.generation()
        for path in paths:
            with self.client.pipeline() as pipe:
                pipe.incr(self._purge_key(path))
                pipe.expire(self._purge_key(path), self.PURGE_COUNT_SECONDS)
                pipe.execute()
            members = f"{self.prefix}{generation}:paths:{_digest(path)}"
            keys = list(self.client.smembers(members))
            self.client.delete(members, *keys)

    def purge_all(self) -> None:
        self.client.incr(self.prefix + "generation")


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
    global _store, _canon
    _store = None
    _canon = None


def fragment_generation() -> str:
    """The key of fragments cached as rendered text (Django's `{% cache %}`).

    The page-cache generation, so that purging every page renews them too,
    and the language and catalogues they were rendered in.
    """
    return f"{store().generation()}.{canon().version}"


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


# --- The WSGI layer ----------------------------------------------------------


@dataclass(frozen=True)
class Canon:
    """What a request may say and still be a page of this portal, from the settings.

    hosts: the host names listed in WIESCI_ALLOWED_HOSTS and WIESCI_SITE_URL
    (a wildcard such as `.example.pl` lets Django answer its subdomains,
    uncached); ports: those besides 80 and 443 that a Host header may name;
    proxy_header: the header saying https, when a trusted proxy sends it;
    version: the language and catalogues pages are rendered in.
    """

    hosts: frozenset[str]
    ports: frozenset[str]
    proxy_header: tuple[str, str] | None
    version: str


_canon: Canon | None = None


def canon() -> Canon:
    global _canon
    if _canon is None:
        from django.conf import settings

        from wiesci.core import catalogs

        site = urlsplit(settings.SITE_URL)
        hosts = {h.lower() for h in settings.ALLOWED_HOSTS if h != "*" and h[:1] != "."}
        ports = {str(site.port)} if site.port else set()
        _canon = Canon(
            hosts=frozenset(hosts | {(site.hostname or "").lower()}),
            ports=frozenset(ports),
            proxy_header=getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
            version=catalogs.version(),
        )
    return _canon


_paginated_memo: dict[str, bool] = {}


def is_paginated(path: str) -> bool:
    known = _paginated_memo.get(path)
    if known is None:
        if len(_paginated_memo) >= 10_000:
            _paginated_memo.clear()
        known = _paginated_memo[path] = any(rule(path) for rule in _paginated)
    return known


def page_query(path: str, query_string: str) -> str | None:
    """The query that names the page at `path`: `strona=N` or nothing.

    None when the request names a page number in a form no link of the
    portal writes (`strona=abc`, `01`, `1`, twice): such a request is sent to
    the first page rather than stored as a page of its own.
    """
    if PAGE_PARAMETER not in query_string or not is_paginated(path):
        return ""
    numbers = [
        value
        for name, value in parse_qsl(query_string, keep_blank_values=True)
        if name == PAGE_PARAMETER
    ]
    if not numbers:
        return ""
    if len(numbers) == 1 and PAGE_NUMBER.fullmatch(numbers[0]) and numbers[0] != "1":
        return f"{PAGE_PARAMETER}={numbers[0]}"
    return None


def canonical_host(environ: dict[str, Any], scheme: str, rules: Canon) -> str | None:
    """The Host a request is answered for, or None for a name not ours.

    The name is lower-cased; a port is kept only when the portal listens on
    it or its address names it, so `Host: example.pl:1` is answered (and
    stored) as `example.pl`.
    """
    from django.http.request import split_domain_port

    raw = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    name, port = split_domain_port(raw)
    if name not in rules.hosts:
        return None
    default = "443" if scheme == "https" else "80"
    if (
        port
        and port != default
        and (port == environ.get("SERVER_PORT") or port in rules.ports)
    ):
        return f"{name}:{port}"
    return name


def request_scheme(environ: dict[str, Any], rules: Canon) -> str:
    """http or https, as Django will see it: the proxy's word only if trusted."""
    scheme = "https" if environ.get("wsgi.url_scheme") == "https" else "http"
    if rules.proxy_header is not None:
        header, secure = rules.proxy_header
        value = environ.get(header)
        if value is not None:
            scheme = "https" if value.split(",", 1)[0].strip() == secure else "http"
    return scheme


_accepted_memo: dict[str, str] = {}


def _accepted(header: str) -> str:
    """The encoding to send for an Accept-Encoding header: br, gzip or identity.

    Quality values count: `br;q=0` refuses Brotli. Answers are remembered, as
    browsers send the same few headers over and over.
    """
    known = _accepted_memo.get(header)
    if known is not None:
        return known
    offered: dict[str, float] = {}
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        offered[name.strip()] = quality
    choice = "identity"
    for name in ("br", "gzip"):
        if offered.get(name, offered.get("*", 0.0)) > 0:
            choice = name
            break
    if len(_accepted_memo) < 1000:
        _accepted_memo[header] = choice
    return choice


@dataclass(frozen=True)
class Lifetimes:
    """Seconds: in the store, in proxies (s-maxage), in browsers, stale allowed."""

    store: int = 600
    proxy: int = 60
    browser: int = 60
    stale: int = 600


class PageCache:
    """WSGI middleware serving anonymous pages from the shared store."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self._lifetimes: Lifetimes | None = None

    @property
    def lifetimes(self) -> Lifetimes:
        if self._lifetimes is None:
            from wiesci import conf

            self._lifetimes = Lifetimes(
                store=conf.PAGE_CACHE_SECONDS,
                proxy=conf.PAGE_PROXY_SECONDS,
                browser=conf.PAGE_BROWSER_SECONDS,
                stale=conf.PAGE_STALE_SECONDS,
            )
        return self._lifetimes

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        cookies = environ.get("HTTP_COOKIE", "")
        personal = bool(cookies) and any(name in cookies for name in PERSONAL_COOKIES)
        path = environ.get("PATH_INFO", "/")
        if method == "POST" and path in _beacons:
            return self._beacon(environ, start_response, _beacons[path])
        if (
            (method != "GET" and method != "HEAD")
            or personal
            or path.startswith(PRIVATE_PREFIXES)
        ):
            return self.app(environ, self._private(start_response, personal))
        # Entries sit under their path (purged together), one per scheme, host
        # and page number (a redirect to https must never answer an https
        # request), each of them in a canonical form, so that no header or
        # parameter a visitor makes up can add an entry.
        rules = canon()
        scheme = request_scheme(environ, rules)
        host = canonical_host(environ, scheme, rules)
        if host is None:
            return self.app(environ, start_response)
        environ["HTTP_HOST"] = host
        page = page_query(path, environ.get("QUERY_STRING", ""))
        if page is None:
            return self._to_first_page(path, start_response)
        query = f"{scheme}://{host}?{page}#{rules.version}"
        encoding = _accepted(environ.get("HTTP_ACCEPT_ENCODING", ""))
        cache = store()
        now = time.time()
        if isinstance(cache, RedisStore):
            entry, ticket = cache.lookup(path, query, encoding, now)
        else:
            entry, ticket = cache.lookup(path, query, now)
        if entry is not None:
            return self._answer(environ, start_response, entry, encoding, now, "HIT")
        return self._miss(environ, start_response, cache, path, query, ticket, encoding)

    def _to_first_page(
        self, path: str, start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        start_response(
            "301 Moved Permanently",
            [
                ("Location", quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=~")),
                ("Cache-Control", f"public, max-age={self.lifetimes.store}"),
                ("Content-Length", "0"),
            ],
        )
        return []

    @staticmethod
    def _beacon(
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        handler: Callable[[dict[str, Any], bytes], None],
    ) -> Iterable[bytes]:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if 0 < length <= MAX_BEACON_BODY:
            handler(environ, environ["wsgi.input"].read(length))
        start_response(
            "204 No Content",
            [("Cache-Control", "no-store"), ("Content-Length", "0")],
        )
        return []

    @staticmethod
    def _private(
        start_response: Callable[..., Any], personal: bool
    ) -> Callable[..., Any]:
        """Mark personal answers private, so that nothing in front keeps them."""
        if not personal:
            return start_response

        def wrapped(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            if not any(k.lower() == "cache-control" for k, _ in headers):
                headers.append(("Cache-Control", "private, no-cache"))
            return start_response(status, headers, exc_info)

        return wrapped

    def _miss(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        cache: FileStore | RedisStore,
        path: str,
        query: str,
        ticket: Ticket,
        encoding: str,
    ) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None  # Django never uses write()

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = captured["status"], captured["headers"]
        entry = self._entry(status, headers, body, ticket)
        if entry is None:
            start_response(status, headers)
            return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
        try:
            cache.store(path, query, entry)
        except Exception:  # A full disk or a lost Redis must not fail the page.
            logger.exception("Could not store %s in the page cache", path)
        return self._answer(
            environ, start_response, entry, encoding, time.time(), "MISS"
        )

    def _entry(
        self, status: str, headers: list[tuple[str, str]], body: bytes, ticket: Ticket
    ) -> Entry | None:
        code = int(status.split(" ", 1)[0])
        names = {k.lower(): v for k, v in headers}
        control = names.get("cache-control", "").lower()
        if (
            code not in CACHEABLE_STATUSES
            or "set-cookie" in names
            or any(word in control for word in ("private", "no-store", "no-cache"))
            or len(body) > MAX_BODY
        ):
            return None
        now = time.time()
        expires = now + self.lifetimes.store
        for hook in _expiry_hooks:
            moment = hook()
            if moment is not None and now < moment < expires:
                expires = moment
        kept = [
            (k, v)
            for k, v in headers
            if k.lower()
            not in {"content-length", "vary", "cache-control", "etag", "last-modified"}
        ]
        return Entry(
            status=status,
            headers=kept,
            bodies={
                "identity": body,
                "gzip": gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
                "br": brotli.compress(body, quality=BROTLI_QUALITY),
            },
            etag='W/"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"',
            stored_at=now,
            expires_at=expires,
            ticket=ticket,
        )

    def _answer(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        entry: Entry,
        encoding: str,
        now: float,
        outcome: str,
    ) -> Iterable[bytes]:
        if encoding not in entry.bodies:
            encoding = "identity"
        headers = entry.answer_headers(self.lifetimes, encoding, now, outcome)
        if self._not_modified(environ, entry):
            start_response(
                "304 Not Modified",
                [
                    h
                    for h in headers
                    if h[0]
                    not in ("Content-Type", "Content-Length", "Content-Encoding")
                ],
            )
            return []
        start_response(entry.status, headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return []
        return [entry.bodies[encoding]]

    @staticmethod
    def _not_modified(environ: dict[str, Any], entry: Entry) -> bool:
        tags = environ.get("HTTP_IF_NONE_MATCH")
        since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if (tags is None and not since) or not entry.status.startswith("200"):
            return False
        if tags is not None:
            wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
            return "*" in wanted or entry.etag.removeprefix("W/") in wanted
        if not since:
            return False
        try:
            moment = parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
        return bool(moment >= int(entry.stored_at))
