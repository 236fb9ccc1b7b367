"""The search index on the database the portal already has.

Each backend stores the analyser's terms and answers boolean queries over
them, the same for both: a term, all of / any of, a phrase, two terms near
each other, over the whole article or its title only. Ranking is not the
backends' business: `wiesci.search.query` ranks what they match, so SQLite
and PostgreSQL give the same results in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    """What a backend stores for one article: each field's analysed stream."""

    article_id: int
    title: str
    lead: str
    body: str


class Backend(Protocol):
    def store(self, rows: list[Row]) -> None: ...

    def remove(self, article_ids: list[int]) -> None: ...

    def clear(self) -> None: ...

    def match(
        self,
        expression: Expression,
        *,
        where: tuple[str, list[Any]],
        title_only: bool = False,
        within: list[int] | None = None,
        limit: int | None = None,
    ) -> list[int]:
        """Ids of the articles matching `expression` and the SQL condition
        `where` (on the articles table), newest first."""
        ...

    def count(self, expression: Expression, *, where: tuple[str, list[Any]]) -> int: ...


class SqlBackend:
    """What both backends share: listing and counting matches, given each
    one's `_select` (its table and its query language)."""

    def _select(
        self,
        what: str,
        expression: Expression,
        where: tuple[str, list[Any]],
        title_only: bool,
        within: list[int] | None,
    ) -> tuple[str, list[Any]]:
        raise NotImplementedError

    def match(
        self,
        expression: Expression,
        *,
        where: tuple[str, list[Any]],
        title_only: bool = False,
        within: list[int] | None = None,
        limit: int | None = None,
    ) -> list[int]:
        sql, params = self._select(
            "articles_article.id", expression, where, title_only, within
        )
        sql += f" ORDER BY {newest_first()}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return [pk for (pk,) in cursor.fetchall()]

    def count(self, expression: Expression, *, where: tuple[str, list[Any]]) -> int:
        sql, params = self._select("COUNT(*)", expression, where, False, None)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            (total,) = cursor.fetchone()
        return int(total)


def backend() -> Backend:
    if connection.vendor == "postgresql":
        from wiesci.search.backends.postgresql import PostgresBackend

        return PostgresBackend()
    from wiesci.search.backends.sqlite import SqliteBackend

    return SqliteBackend()


ARTICLES = "articles_article"


def newest_first(table: str = ARTICLES) -> str:
    """The one order both backends list matches in: newest published first,
    unpublished (drafts, for the newsroom) last, then by id."""
    return f"{table}.published_at IS NULL, {table}.published_at DESC, {table}.id DESC"


def within_clause(ids: list[int] | None, column: str) -> tuple[str, list[Any]]:
    if ids is None:
        return "", []
    if not ids:
        return " AND 1 = 0", []
    return f" AND {column} IN ({', '.join(['%s'] * len(ids))})", list(ids)
