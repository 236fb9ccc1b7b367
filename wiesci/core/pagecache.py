"""The full-page cache: anonymous reads answered before Django runs.

A thin WSGI layer in front of Django (`wiesci.wsgi.application`). A GET or
HEAD without a session cookie is looked up by host, path and the query
parameters pages use; a hit is answered from the store, in the encoding the
reader accepts (stored once each: identity, gzip, Brotli), with ETag and
Last-Modified and a 304 for a matching conditional request. A miss goes to
Django; what comes back is stored when it is safe to share: no cookie set, not
marked private, a status worth keeping.

The store is shared by every worker process: files under the data directory
by default, Redis when WIESCI_CACHE_URL names one. Content changes purge it
through `purge_paths()` (one article's pages) or `purge_all()` (a new
generation, used when lists everywhere change); apps call these from their
signals. Entries also expire on their own, at the latest when the next
scheduled article goes out (see `register_expiry`).

Logged-in readers never touch the store, and their responses are marked
private so that nothing in front keeps them either.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import brotli

logger = logging.getLogger(__name__)

CACHEABLE_STATUSES = {200, 301, 410}
# Query parameters that change what a page shows; anything else (fbclid,
# utm_*) is ignored, so links shared on Facebook all hit one entry.
PAGE_PARAMETERS = {"strona"}
ENCODINGS = ("br", "gzip", "identity")
MAX_BODY = 4 * 1024 * 1024
# Cookies that make a request personal: a session or pending messages.
PERSONAL_COOKIES = ("sessionid=", "__Host-sessionid=", "messages=")

# Hooks apps register in their ready(): when the next stored page must expire
# at the latest, and what to count when a page is served.
_expiry_hooks: list[Callable[[], float | None]] = []
_hit_counters: list[Callable[[dict[str, Any]], None]] = []


def register_expiry(hook: Callable[[], float | None]) -> None:
    """`hook()` returns a Unix time by which stored pages must be fresh, or None."""
    _expiry_hooks.append(hook)


def register_hit_counter(counter: Callable[[dict[str, Any]], None]) -> None:
    """`counter(environ)` is called for every page served with status 200.

    It must be quick and must not touch the database: it runs on every hit.
    """
    _hit_counters.append(counter)


@dataclass
class Entry:
    status: str
    headers: list[tuple[str, str]]
    bodies: dict[str, bytes]
    etag: str
    stored_at: float
    expires_at: float

    _meta: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def meta(self) -> dict[str, Any]:
        """What an answer needs besides the body, worked out once per entry."""
        if self._meta is None:
            self._meta = {
                "status": self.status,
                "headers": self.headers,
                "etag": self.etag,
                "stored_at": self.stored_at,
                "expires_at": self.expires_at,
            }
        return self._meta

    def dump(self) -> bytes:
        meta = {
            "status": self.status,
            "headers": self.headers,
            "etag": self.etag,
            "stored_at": self.stored_at,
            "expires_at": self.expires_at,
            "sizes": [[name, len(body)] for name, body in self.bodies.items()],
        }
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
        return cls(
            status=meta["status"],
            headers=[(str(k), str(v)) for k, v in meta["headers"]],
            bodies=bodies,
            etag=meta["etag"],
            stored_at=meta["stored_at"],
            expires_at=meta["expires_at"],
        )


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


class FileStore:
    """Pages as files under one directory per generation.

    Each process keeps the entries it has read and checks with one `stat`
    per request that the file is still the same, so a purge by another
    process is seen at once.
    """

    def __init__(self, root: Path, *, memory_entries: int = 512) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.generation_file = root / "generation"
        if not self.generation_file.exists():
            self._write(self.generation_file, b"1")
        self._generation: tuple[int, str] = (0, "")
        self._root = str(root)
        self._paths: dict[tuple[str, str], tuple[str, str]] = {}
        self._memory: dict[str, tuple[tuple[int, int], Entry]] = {}
        self._memory_entries = memory_entries

    def generation(self) -> str:
        stamp = os.stat(self.generation_file).st_mtime_ns
        if stamp != self._generation[0]:
            self._generation = (stamp, self.generation_file.read_text().strip())
        return self._generation[1]

    def _path(self, path: str, query: str) -> str:
        """The entry's file; worked out once per generation, as hits ask often."""
        generation = self.generation()
        known = self._paths.get((path, query))
        if known is not None and known[0] == generation:
            return known[1]
        target = os.path.join(
            self._root, generation, _digest(path), _digest(query) + ".page"
        )
        if len(self._paths) >= 50_000:
            self._paths.clear()
        self._paths[(path, query)] = (generation, target)
        return target

    @staticmethod
    def _write(target: Path | str, data: bytes) -> None:
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)

    def get(self, path: str, query: str) -> Entry | None:
        key = self._path(path, query)
        try:
            info = os.stat(key)
        except FileNotFoundError:
            return None
        signature = (info.st_ino, info.st_mtime_ns)
        remembered = self._memory.get(key)
        if remembered is not None and remembered[0] == signature:
            return remembered[1]
        try:
            entry = Entry.load(Path(key).read_bytes())
        except (OSError, ValueError):
            return None
        if len(self._memory) >= self._memory_entries:
            self._memory.clear()
        self._memory[key] = (signature, entry)
        return entry

    def set(self, path: str, query: str, entry: Entry) -> None:
        self._write(self._path(path, query), entry.dump())

    def purge_paths(self, paths: Iterable[str]) -> None:
        generation = self.generation()
        for path in paths:
            shutil.rmtree(self.root / generation / _digest(path), ignore_errors=True)

    def purge_all(self) -> None:
        old = self.generation()
        self._write(self.generation_file, str(int(old) + 1).encode())
        # Old generations are unreachable now; remove them in the background.
        threading.Thread(
            target=shutil.rmtree,
            args=(self.root / old,),
            kwargs={"ignore_errors": True},
            daemon=True,
        ).start()


class RedisStore:
    """Pages in Redis, shared by every app server; one round trip per lookup."""

    LOOKUP = """
    local generation = redis.call('GET', KEYS[1]) or '0'
    local key = KEYS[2] .. generation .. ':' .. ARGV[1]
    return {generation, redis.call('HMGET', key, 'meta', ARGV[2])}
    """

    def __init__(self, url: str, *, prefix: str = "wiesci:pages:") -> None:
        import redis

        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        self.lookup = self.client.register_script(self.LOOKUP)

    def generation(self) -> str:
        value: Any = self.client.get(self.prefix + "generation")
        return value.decode() if value else "0"

    def get_encoded(
        self, path: str, query: str, encoding: str
    ) -> tuple[dict[str, Any], bytes] | None:
        slot = f"{_digest(path)}:{_digest(query)}"
        _generation, (meta, body) = self.lookup(
            keys=[self.prefix + "generation", self.prefix], args=[slot, encoding]
        )
        if not meta or body is None:
            return None
        return json.loads(meta), body

    def set(self, path: str, query: str, entry: Entry) -> None:
        generation = self.generation()
        slot = f"{_digest(path)}:{_digest(query)}"
        key = f"{self.prefix}{generation}:{slot}"
        paths = f"{self.prefix}{generation}:paths:{_digest(path)}"
        meta = {
            "status": entry.status,
            "headers": entry.headers,
            "etag": entry.etag,
            "stored_at": entry.stored_at,
            "expires_at": entry.expires_at,
        }
        ttl = max(1, int(entry.expires_at - time.time()) + 60)
        with self.client.pipeline() as pipe:
            fields: dict[str | bytes, str | bytes] = {"meta": json.dumps(meta)}
            fields.update(entry.bodies)
            pipe.hset(key, mapping=fields)  # type: ignore[arg-type]
            pipe.expire(key, ttl)
            pipe.sadd(paths, key)
            pipe.expire(paths, ttl)
            pipe.execute()

    def purge_paths(self, paths: Iterable[str]) -> None:
        generation = self.generation()
        for path in paths:
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
                    _store = FileStore(Path(settings.DATA_DIR) / "pagecache")
    return _store


def reset_store() -> None:
    """Forget the store (tests switch data directories)."""
    global _store
    _store = None


def purge_paths(paths: Iterable[str]) -> None:
    paths = sorted(set(paths))
    store().purge_paths(paths)
    _notify_proxy(paths)


def purge_all() -> None:
    store().purge_all()
    _notify_proxy(["/"], everything=True)


def _notify_proxy(paths: list[str], *, everything: bool = False) -> None:
    """Send HTTP PURGE for each path to the proxy in front (nginx, a CDN), if any."""
    from django.conf import settings

    base = getattr(settings, "PURGE_URL", "")
    if not base:
        return

    def send() -> None:
        for path in paths:
            request = urllib.request.Request(base.rstrip("/") + path, method="PURGE")  # noqa: S310
            if everything:
                request.add_header("X-Purge-All", "1")
            try:
                urllib.request.urlopen(request, timeout=3).close()  # noqa: S310
            except OSError as error:
                logger.warning("Purge of %s at %s failed: %s", path, base, error)

    threading.Thread(target=send, daemon=True).start()


# --- The WSGI layer ----------------------------------------------------------


def _query_key(query_string: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(query_string) if k in PAGE_PARAMETERS]
    return urlencode(sorted(pairs))


def _accepted(header: str) -> str:
    header = header.lower()
    if "br" in header:
        return "br"
    if "gzip" in header:
        return "gzip"
    return "identity"


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
        personal = any(name in cookies for name in PERSONAL_COOKIES)
        path = environ.get("PATH_INFO", "/")
        if (
            method not in ("GET", "HEAD")
            or personal
            or path.startswith(("/admin/", "/konto/"))
        ):
            return self.app(environ, self._private(start_response, personal, environ))
        # Entries sit under their path (purged together), one per host and query.
        query_string = environ.get("QUERY_STRING", "")
        query = environ.get("HTTP_HOST", "") + "?"
        if query_string:
            query += _query_key(query_string)
        key_path = path
        encoding = _accepted(environ.get("HTTP_ACCEPT_ENCODING", ""))
        cache = store()
        now = time.time()
        if isinstance(cache, RedisStore):
            found = cache.get_encoded(key_path, query, encoding)
            if found is not None and found[0]["expires_at"] > now:
                meta, body = found
                return self._answer(
                    environ,
                    start_response,
                    meta,
                    {encoding: body},
                    encoding,
                    "HIT",
                )
        else:
            entry = cache.get(key_path, query)
            if entry is not None and entry.expires_at > now:
                return self._answer(
                    environ, start_response, entry.meta, entry.bodies, encoding, "HIT"
                )
        return self._miss(environ, start_response, cache, key_path, query, encoding)

    def _private(
        self,
        start_response: Callable[..., Any],
        personal: bool,
        environ: dict[str, Any],
    ) -> Callable[..., Any]:
        """Mark personal answers private, and count pages read while logged in."""

        def wrapped(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            if personal and not any(k.lower() == "cache-control" for k, _ in headers):
                headers.append(("Cache-Control", "private, no-cache"))
            if status.startswith("200") and _hit_counters:
                for counter in _hit_counters:
                    counter(environ)
            return start_response(status, headers, exc_info)

        return wrapped

    def _miss(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        cache: FileStore | RedisStore,
        key_path: str,
        query: str,
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
        entry = self._entry(status, headers, body)
        if entry is None:
            start_response(status, headers)
            return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]
        try:
            cache.set(key_path, query, entry)
        except Exception:  # A full disk or a lost Redis must not fail the page.
            logger.exception("Could not store %s in the page cache", key_path)
        return self._answer(
            environ, start_response, entry.meta, entry.bodies, encoding, "MISS"
        )

    def _entry(
        self, status: str, headers: list[tuple[str, str]], body: bytes
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
                "gzip": gzip.compress(body, compresslevel=9, mtime=0),
                "br": brotli.compress(body, quality=9),
            },
            etag='W/"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"',
            stored_at=now,
            expires_at=expires,
        )

    def _answer(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        meta: dict[str, Any],
        bodies: dict[str, bytes],
        encoding: str,
        outcome: str,
    ) -> Iterable[bytes]:
        remaining = max(0, int(meta["expires_at"] - time.time()))
        lifetimes = self.lifetimes
        control = (
            f"public, max-age={min(lifetimes.browser, remaining)}, "
            f"s-maxage={min(lifetimes.proxy, remaining)}, "
            f"stale-while-revalidate={lifetimes.stale}"
        )
        fixed = meta.get("fixed")
        if fixed is None:
            fixed = meta["fixed"] = [
                *meta["headers"],
                ("ETag", meta["etag"]),
                ("Last-Modified", formatdate(meta["stored_at"], usegmt=True)),
                ("Vary", "Accept-Encoding"),
            ]
        headers = [*fixed, ("Cache-Control", control), ("X-Cache", outcome)]
        if meta["status"].startswith("200") and _hit_counters:
            for counter in _hit_counters:
                counter(environ)
        if self._not_modified(environ, meta):
            start_response(
                "304 Not Modified", [h for h in headers if h[0] != "Content-Type"]
            )
            return []
        body = bodies.get(encoding)
        if body is None:
            encoding, body = "identity", bodies["identity"]
        if encoding != "identity":
            headers.append(("Content-Encoding", encoding))
        headers.append(("Content-Length", str(len(body))))
        start_response(meta["status"], headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    @staticmethod
    def _not_modified(environ: dict[str, Any], meta: dict[str, Any]) -> bool:
        status: str = meta["status"]
        if not status.startswith("200"):
            return False
        tags = environ.get("HTTP_IF_NONE_MATCH")
        if tags is not None:
            wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
            etag: str = meta["etag"]
            return "*" in wanted or etag.removeprefix("W/") in wanted
        since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if not since:
            return False
        try:
            moment = parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
        stored: float = meta["stored_at"]
        return bool(moment >= int(stored))
