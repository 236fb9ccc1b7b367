"""The WSGI layer: anonymous reads answered from the store before Django runs."""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

import brotli

from wiesci.core.metrics import PAGE_CACHE_OUTCOME
from wiesci.core.pagecache.entries import Entry, Lifetimes, Ticket
from wiesci.core.pagecache.keys import (
    canon,
    canonical_host,
    page_query,
    request_scheme,
)
from wiesci.core.pagecache.negotiation import accepted_encoding, not_modified
from wiesci.core.pagecache.stores import FileStore, RedisStore, store

logger = logging.getLogger(__name__)

CACHEABLE_STATUSES = {200, 301, 410}
# A response's own lifetimes, from its Cache-Control (lower-cased).
OWN_AGE = re.compile(r'(?:^|,)\s*(max-age|s-maxage)\s*=\s*"?(\d+)')
MAX_BODY = 4 * 1024 * 1024
# Measured on a 35 KB article page: Brotli quality 6 takes 0.6 ms and 9 takes
# 7 ms for 16 bytes less; every miss pays it, so 6.
BROTLI_QUALITY = 6
GZIP_LEVEL = 9  # 0.4 ms; levels 6 to 9 cost the same on pages this small
# Cookies that make a request personal: a session or pending messages.
PERSONAL_COOKIES = ("sessionid=", "__Host-sessionid=", "messages=")
# `/-/`: the operator's health and metrics, never stored (wiesci.operations).
PRIVATE_PREFIXES = ("/admin/", "/konto/", "/-/")

# Hooks apps register in their ready(): when the next stored page must expire
# at the latest, and the beacons answered here (path -> handler).
_expiry_hooks: list[Callable[[], float | None]] = []
_beacons: dict[str, Callable[[dict[str, Any], bytes], None]] = {}
MAX_BEACON_BODY = 1024
# Path prefixes whose answers never depend on the reader (see register_shared).
_shared: tuple[str, ...] = ()


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


def register_shared(prefix: str) -> None:
    """Answer GET and HEAD under `prefix` from the store, session or not.

    For answers that never depend on who asks, such as the JSON a live
    coverage page polls every few seconds: without this every logged-in
    reader's poll would reach Django. Everything else holds as for other
    pages: a response that sets a cookie or says private is never stored,
    and a personal request's answer that is not stored is marked private.
    """
    global _shared
    _shared = (*_shared, prefix)


# A request finding its page being rendered waits this long for it, asking
# the store every POLL_SECONDS, before rendering the page itself.
WAIT_SECONDS = 5.0
POLL_SECONDS = 0.02


def _lookup(
    cache: FileStore | RedisStore, path: str, query: str, encoding: str
) -> tuple[Entry | None, Ticket]:
    now = time.time()
    if isinstance(cache, RedisStore):
        return cache.lookup(path, query, encoding, now)
    return cache.lookup(path, query, now)


def _previous(
    cache: FileStore | RedisStore, path: str, query: str, encoding: str
) -> tuple[Entry, float] | None:
    if isinstance(cache, RedisStore):
        return cache.previous(path, query, encoding)
    return cache.previous(path, query)


class PageCache:
    """WSGI middleware serving anonymous pages from the shared store."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self._lifetimes: Lifetimes | None = None
        # Renders running in this process now (see PAGE_RENDERS_AT_ONCE).
        self._rendering = 0
        self._counting = threading.Lock()

    @property
    def lifetimes(self) -> Lifetimes:
        if self._lifetimes is None:
            from wiesci import conf

            self._lifetimes = Lifetimes(
                store=conf.PAGE_CACHE_SECONDS,
                proxy=conf.PAGE_PROXY_SECONDS,
                browser=conf.PAGE_BROWSER_SECONDS,
                stale=conf.PAGE_STALE_SECONDS,
                stale_bound=conf.PAGE_STALE_BOUND_SECONDS,
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
        if personal and path.startswith(_shared):
            start_response = self._private(start_response, personal)
            personal = False
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
        page, as_written = page_query(path, environ.get("QUERY_STRING", ""))
        if not as_written:
            return self._to_canonical(path, page, start_response)
        query = f"{scheme}://{host}?{page}#{rules.version}"
        encoding = accepted_encoding(environ.get("HTTP_ACCEPT_ENCODING", ""))
        cache = store()
        entry, ticket = _lookup(cache, path, query, encoding)
        if entry is not None:
            return self._answer(
                environ, start_response, entry, encoding, time.time(), "HIT"
            )
        return self._render_once(
            environ, start_response, cache, path, query, ticket, encoding
        )

    def _render_once(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        cache: FileStore | RedisStore,
        path: str,
        query: str,
        ticket: Ticket,
        encoding: str,
    ) -> Iterable[bytes]:
        """A miss renders the page once per store: the first request claims
        it, the others get the copy it replaces while that has been stale for
        less than the bound, else wait for what it stores (at most
        WAIT_SECONDS), so a purge on a busy page costs one render, not one
        per waiting reader, and holds up no one."""
        from wiesci import conf

        # Python renders one page at a time per process whatever the threads:
        # while this process is busy rendering, a page that has a fresh enough
        # stale copy is answered with it and rendered by a later request, so
        # the threads stay free for cached answers after a purge of everything.
        if 0 < conf.PAGE_RENDERS_AT_ONCE <= self._rendering:
            stale = self._stale_copy(cache, path, query, encoding)
            if stale is not None:
                return self._answer_stale(environ, start_response, encoding, stale)
        claim = cache.claim(path, query)
        if claim is None:
            stale = self._stale_copy(cache, path, query, encoding)
            if stale is not None:
                return self._answer_stale(environ, start_response, encoding, stale)
            entry = self._wait_for(cache, path, query, encoding)
            if entry is not None:
                return self._answer(
                    environ, start_response, entry, encoding, time.time(), "HIT"
                )
            # Nothing worth storing came (a private answer, an error, a slow
            # render): this request renders for itself.
            ticket = _lookup(cache, path, query, encoding)[1]
            return self._miss(
                environ, start_response, cache, path, query, ticket, encoding
            )
        try:
            # Stored by another between this request's lookup and its claim?
            entry, ticket = _lookup(cache, path, query, encoding)
            if entry is not None:
                return self._answer(
                    environ, start_response, entry, encoding, time.time(), "HIT"
                )
            return self._miss(
                environ, start_response, cache, path, query, ticket, encoding
            )
        finally:
            cache.release(claim)

    def _answer_stale(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        encoding: str,
        stale: tuple[Entry, float],
    ) -> Iterable[bytes]:
        copy, until = stale
        return self._answer(
            environ,
            start_response,
            copy,
            encoding,
            time.time(),
            "STALE",
            stale_until=until,
        )

    def _stale_copy(
        self, cache: FileStore | RedisStore, path: str, query: str, encoding: str
    ) -> tuple[Entry, float] | None:
        """The copy a purge or an expiry made stale, and when its bound ends,
        if it went stale less than the bound ago. The moment is the purge's
        or the expiry's, not when this process noticed: a copy is never
        served more than the bound after it stopped being current."""
        bound = self.lifetimes.stale_bound
        if bound <= 0:
            return None
        found = _previous(cache, path, query, encoding)
        if found is None:
            return None
        entry, since = found
        now = time.time()
        if not since <= now < since + bound:  # current after all, or too old
            return None
        return entry, since + bound

    @staticmethod
    def _wait_for(
        cache: FileStore | RedisStore, path: str, query: str, encoding: str
    ) -> Entry | None:
        """The entry the claim's holder stores, or None once the holder is
        done without storing one, or after WAIT_SECONDS."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            entry = _lookup(cache, path, query, encoding)[0]
            if entry is not None:
                return entry
            claim = cache.claim(path, query)
            if claim is not None:  # the holder is done: ask once more
                cache.release(claim)
                return _lookup(cache, path, query, encoding)[0]
        return None

    def _to_canonical(
        self, path: str, query: str, start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        location = quote(path.encode("latin-1"), safe="/:@!$&'()*+,;=~")
        start_response(
            "301 Moved Permanently",
            [
                ("Location", location + (f"?{query}" if query else "")),
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

        with self._counting:
            self._rendering += 1
        try:
            result = self.app(environ, capture)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        finally:
            with self._counting:
                self._rendering -= 1
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
        ages = {name: int(value) for name, value in OWN_AGE.findall(control)}
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
            max_age=ages.get("max-age"),
            shared_max_age=ages.get("s-maxage"),
        )

    def _answer(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        entry: Entry,
        encoding: str,
        now: float,
        outcome: str,
        *,
        stale_until: float | None = None,
    ) -> Iterable[bytes]:
        if encoding not in entry.bodies:
            encoding = "identity"
        headers = entry.answer_headers(
            self.lifetimes, encoding, now, outcome, stale_until=stale_until
        )
        environ[PAGE_CACHE_OUTCOME] = outcome.lower()  # for core.metrics
        if not_modified(environ, entry):
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
