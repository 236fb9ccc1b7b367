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
    """Seconds: in the store, in proxies (s-maxage), in browsers, stale allowed."""

    store: int = 600
    proxy: int = 60
    browser: int = 60
    stale: int = 600


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
