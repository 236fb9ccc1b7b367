"""The search index on the database the portal already has.

Each backend stores the analyser's terms and answers boolean queries over
them, the same for both: a term, all of / any of, a phrase, two terms near
each other. Ranking is not the
backends' business: `wiesci.search.query` ranks what they match, so SQLite
and PostgreSQL give the same results in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from django.db import connection

# How many words apart two query words may stand to count as near.
NEAR = 5


@dataclass(frozen=True)
class Term:
    term: str


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Expression, ...]


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Expression, ...]


@dataclass(frozen=True)
class Phrase:
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Near:
    first: str
    second: str


Expression = Term | AnyOf | AllOf | Phrase | Near


@dataclass(frozen=True)
class Row:
    """What a backend stores for one article: its key and each field's stream."""

    key: int
    article_id: int
    title: str
    lead: str
    body: str


@dataclass(frozen=True)
class Match:
    key: int
    article_id: int


def recency_key(article_id: int, published_at: datetime | None) -> int:
    """The index's key of an article: newer publications have larger keys.

    Both backends keep their entries in this order, so "the newest matches"
    is read off an index and stops after the first few hundred, however
    many articles match. An unpublished article sorts before all others.
    """
    seconds = int(published_at.timestamp()) if published_at is not None else 0
    return max(seconds, 0) * 2**24 + article_id % 2**24


class Backend(Protocol):
    def store(self, rows: list[Row]) -> None: ...

    def remove(self, keys: list[int]) -> None: ...

    def prune(self) -> None:
        """Drop entries no SearchEntry knows (articles deleted meanwhile)."""
        ...

    def optimize(self) -> None:
        """Tidy the index after many writes (a reindex, an import)."""
        ...

    def match(
        self,
        expression: Expression,
        *,
        where: tuple[str, list[Any]],
        limit: int,
    ) -> list[Match]:
        """The newest articles (largest keys first) matching `expression` and
        the SQL condition `where` on the articles table."""
        ...

    def match_among(
        self, expressions: list[Expression], keys: list[int]
    ) -> list[set[int]]:
        """For each expression, the keys among `keys` whose articles match it."""
        ...


def backend() -> Backend:
    if connection.vendor == "postgresql":
        from wiesci.search.backends.postgresql import PostgresBackend

        return PostgresBackend()
    from wiesci.search.backends.sqlite import SqliteBackend

    return SqliteBackend()


def placeholders(values: list[Any]) -> str:
    return ", ".join(["%s"] * len(values))
