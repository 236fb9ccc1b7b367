"""PostgreSQL: the analysed streams as tsvectors, with GIN indexes.

PostgreSQL has no Polish text-search configuration, and needs none: the
analyser has made the terms, so the tsvectors are written out as literals
(each term at its position in the stream) and queries as tsquery literals;
no configuration parses either. Positions follow the layout SQLite's FTS5
sees, fields kept apart by a gap wider than any proximity query, so phrase
and proximity queries match the same articles on both. Rows carry the
recency key, indexed, so the newest matches can be read in its order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection

from wiesci.search.backends import (
    NEAR,
    AnyOf,
    Expression,
    Match,
    Near,
    Phrase,
    Row,
    Term,
)

TABLE = "search_document"
CREATE = [
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "article_id bigint PRIMARY KEY "
    "REFERENCES articles_article (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,"
    " key bigint NOT NULL UNIQUE, title tsvector NOT NULL, document tsvector NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING gin (document)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_title ON {TABLE} USING gin (title)",
]
GAP = 100  # between fields: no phrase or proximity query reaches across
MAX_POSITION = 16383  # PostgreSQL's limit; later terms share the last position


def vector(streams: list[str]) -> str:
    """A tsvector literal: every term with its positions, fields apart."""
    positions: dict[str, list[int]] = defaultdict(list)
    offset = 0
    for text in streams:
        terms = text.split()
        for index, term in enumerate(terms):
            positions[term].append(min(offset + index + 1, MAX_POSITION))
        offset += len(terms) + GAP
    return " ".join(
        f"'{term}':{','.join(map(str, sorted(set(spots))[:256]))}"
        for term, spots in positions.items()
    )


def compile_expression(expression: Expression) -> str:
    """The tsquery literal for `expression`."""
    if isinstance(expression, Term):
        return f"'{expression.term}'"
    if isinstance(expression, Phrase):
        return "(" + " <-> ".join(f"'{t}'" for t in expression.terms) + ")"
    if isinstance(expression, Near):
        # As FTS5's NEAR: at most NEAR - 1 words between, in either order.
        first, second = f"'{expression.first}'", f"'{expression.second}'"
        spans = [
            f"{a} <{d}> {b}"
            for d in range(1, NEAR + 1)
            for a, b in ((first, second), (second, first))
        ]
        return "(" + " | ".join(spans) + ")"
    joiner = " | " if isinstance(expression, AnyOf) else " & "
    return "(" + joiner.join(compile_expression(p) for p in expression.parts) + ")"


class PostgresBackend:
    def store(self, rows: list[Row]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} (article_id, key, title, document) "  # noqa: S608
                "VALUES (%s, %s, %s::tsvector, %s::tsvector) "
                "ON CONFLICT (article_id) DO UPDATE SET key = EXCLUDED.key, "
                "title = EXCLUDED.title, document = EXCLUDED.document",
                [
                    (
                        row.article_id,
                        row.key,
                        vector([row.title]),
                        vector([row.title, row.lead, row.body]),
                    )
                    for row in rows
                ],
            )

    def remove(self, keys: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE key = ANY(%s)",  # noqa: S608
                [list(keys)],
            )

    def prune(self) -> None:
        """Nothing to do: rows go with their article (a foreign key)."""

    def match(
        self,
        expression: Expression,
        *,
        where: tuple[str, list[Any]],
        title_only: bool = False,
        limit: int,
    ) -> list[Match]:
        column = "title" if title_only else "document"
        condition, params = where
        sql = (
            f"SELECT {TABLE}.key, {TABLE}.article_id FROM {TABLE} "  # noqa: S608
            f"JOIN articles_article ON articles_article.id = {TABLE}.article_id "
            f"WHERE {TABLE}.{column} @@ %s::tsquery AND ({condition}) "
            f"ORDER BY {TABLE}.key DESC LIMIT {int(limit)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [compile_expression(expression), *params])
            return [Match(key, pk) for key, pk in cursor.fetchall()]

    def match_among(self, expression: Expression, keys: list[int]) -> set[int]:
        if not keys:
            return set()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT key FROM {TABLE} "  # noqa: S608
                "WHERE key = ANY(%s) AND document @@ %s::tsquery",
                [list(keys), compile_expression(expression)],
            )
            return {key for (key,) in cursor.fetchall()}
