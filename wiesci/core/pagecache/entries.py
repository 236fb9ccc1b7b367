"""A stored page: its answer in every encoding, and the headers it goes out with."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

# (generation, purge count of the path) when a render started.
Ticket = tuple[int, int]


@dataclass(frozen=True)
class Lifetimes:
    """Seconds: in the store, in proxies (s-maxage), in browsers, stale allowed
    in front (stale-while-revalidate), and how long the page cache itself may
    answer a copy gone stale while its page renders again (`stale_bound`)."""

    store: int = 600
    proxy: int = 60
    browser: int = 60
    stale: int = 600
    stale_bound: float = 5.0


@dataclass(frozen=True)
class Purges:
    """The ticket now, and when its generation and its path's count last moved
    (Unix times; 0 for never)."""

    ticket: Ticket
    everything_at: float
    path_at: float


@dataclass
class Entry:
    status: str
    headers: list[tuple[str, str]]
    bodies: dict[str, bytes]
    etag: str
    stored_at: float
    expires_at: float
    ticket: Ticket = (0, 0)
    # The response's own Cache-Control max-age and s-maxage, which cap what
    # browsers and proxies are told (a live feed polled every few seconds).
    max_age: int | None = None
    shared_max_age: int | None = None

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
            "max_age": self.max_age,
            "s_maxage": self.shared_max_age,
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
            max_age=meta.get("max_age"),
            shared_max_age=meta.get("s_maxage"),
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

    def stale_since(self, purges: Purges) -> float | None:
        """When this entry stopped being current, or None if that is not known.

        Only the moment of the latest purge of each count is kept, so the
        moment is known when at most one purge of everything and one of the
        path came after the entry's ticket: the earliest of those and of its
        expiry. A moment still to come means the entry is current.
        """
        moments = [self.expires_at]
        for step, at in (
            (purges.ticket[0] - self.ticket[0], purges.everything_at),
            (purges.ticket[1] - self.ticket[1], purges.path_at),
        ):
            if step == 1:
                moments.append(at)
            elif step != 0:
                return None
        return min(moments)

    def answer_headers(
        self,
        lifetimes: Lifetimes,
        encoding: str,
        now: float,
        outcome: str,
        *,
        stale_until: float | None = None,
    ) -> list[tuple[str, str]]:
        """Every header of an answer in `encoding`, body length included.

        A stale copy (`stale_until`: the end of its bound) may be kept in
        front only for what remains of the bound, and never served stale
        there: such answers are rare, so they are not remembered either.
        """
        second = int(now)
        if stale_until is None:
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
        until = self.expires_at if stale_until is None else stale_until
        remaining = max(0, int(until - now))
        shared = self.max_age if self.shared_max_age is None else self.shared_max_age
        browser = min(lifetimes.browser, remaining, *_given(self.max_age))
        proxy = min(lifetimes.proxy, remaining, *_given(shared))
        control = f"public, max-age={browser}, s-maxage={proxy}"
        if stale_until is None:
            # A page with a short life of its own (a live poll) is not worth
            # keeping stale in front for longer than it lives.
            stale = min((lifetimes.stale, *_given(shared)))
            control += f", stale-while-revalidate={stale}"
        headers = [*self._fixed, ("Cache-Control", control), ("X-Cache", outcome)]
        if encoding != "identity":
            headers.append(("Content-Encoding", encoding))
        headers.append(("Content-Length", str(len(self.bodies[encoding]))))
        if stale_until is None:
            self._answers[(second, encoding + outcome)] = headers
        return headers


def _given(seconds: int | None) -> tuple[int, ...]:
    return () if seconds is None else (seconds,)
