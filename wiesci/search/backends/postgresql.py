"""PostgreSQL: the analysed streams as tsvectors, with GIN indexes.

PostgreSQL has no Polish text-search configuration, and needs none: the
analyser has made the terms, so the tsvectors are written out as literals
(each term at its position in the stream) and queries as tsquery literals;
no configuration parses either. Positions follow the layout SQLite's FTS5
sees, fields kept apart by a gap wider than any proximity query, so phrase
and proximity queries match the same articles on both.

A GIN index finds matches in no order, and the newest of many thousand
matches would cost reading all of them; so each document also carries its
month of publication (`t_202611`), and the newest matches are sought in the
last two months first. Each window costs a pass over the words' entries in
the index, whatever its length, so the next window is sized from the matches
found so far: long enough to hold the rest of them at the rate seen, and
once that reaches past HORIZON months back (a rare word), the last window
takes everything older at once. The windows follow one another in the
recency key's order, so the result is exactly the newest matches, as on
SQLite, at a cost that does not grow with the archive.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from math import ceil
from typing import Any

from django.db import connection, transaction

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
    # No foreign key to the articles: Django empties the tables it knows
    # with TRUNCATE (the tests' flush), which PostgreSQL refuses for a table
    # another references. A deleted article's row goes with it through the
    # pre_delete signal, as FTS5's does, and `prune()` sweeps any left over.
    f"CREATE TABLE IF NOT EXISTS {TABLE} ("
    "article_id bigint PRIMARY KEY, key bigint NOT NULL UNIQUE, "
    "document tsvector NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_document ON {TABLE} USING gin (document)",
]
GAP = 100  # between fields: no phrase or proximity query reaches across
MAX_POSITION = 16383  # PostgreSQL's limit; later terms share the last position


MONTH_TERM = "t_%Y%m"


def month_term(key: int) -> str:
    """The month of publication a recency key carries: `t_202611`."""
    seconds = key >> 24
    if seconds == 0:
        return "t_none"
    return datetime.fromtimestamp(seconds, UTC).strftime(MONTH_TERM)


def month_start(year: int, month: int) -> datetime:
    while month <= 0:
        year, month = year - 1, month + 12
    return datetime(year, month, 1, tzinfo=UTC)


FIRST_WINDOW = 2  # months: this and last
HORIZON = 32  # months back the windows reach; the last takes all before


def months_back(now: datetime) -> list[datetime]:
    """The first moment of this month and of each of the HORIZON - 1 before."""
    return [month_start(now.year, now.month - back) for back in range(HORIZON)]


def next_window(edge: int, found: int, limit: int) -> int:
    """The length in months of the window after the first `edge` months,
    which held `found` of the `limit` matches sought: at the rate seen, long
    enough for the rest with half as much again to spare; past the horizon
    (and after an empty start) whatever is left."""
    if not found:
        return HORIZON
    per_month = found / edge
    return max(edge, ceil((limit - found) / per_month * 1.5))


WINDOWED = 500  # larger asks (the newsroom's list) read all matches at once


def vector(streams: list[str], *extra: str) -> str:
    """A tsvector literal: every term with its positions, fields apart, and
    `extra` terms without positions.

    The other lemmas (`a_`) and folded lemmas (`g_`) are never part of a
    phrase or a proximity query, so they carry no position: the document is
    smaller, and the aligned terms keep the distances FTS5 counts.
    """
    positions: dict[str, list[int]] = defaultdict(list)
    unplaced = set(extra)
    offset = 0
    for text in streams:
        terms = text.split()
        for index, term in enumerate(terms):
            if term[0] in "ag":
                unplaced.add(term)
            else:
                positions[term].append(min(offset + index + 1, MAX_POSITION))
        offset += len(terms) + GAP
    placed = [
        f"'{term}':{','.join(map(str, sorted(set(spots))[:256]))}"
        for term, spots in positions.items()
    ]
    return " ".join([*placed, *(f"'{term}'" for term in sorted(unplaced))])


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
                f"INSERT INTO {TABLE} (article_id, key, document) "  # noqa: S608
                "VALUES (%s, %s, %s::tsvector) "
                "ON CONFLICT (article_id) DO UPDATE SET key = EXCLUDED.key, "
                "document = EXCLUDED.document",
                [
                    (
                        row.article_id,
                        row.key,
                        vector([row.title, row.lead, row.body], month_term(row.key)),
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

    def optimize(self) -> None:
        """Refresh the planner's figures for the index and the articles."""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TABLE}")
            cursor.execute("ANALYZE articles_article")

    def prune(self) -> None:
        """Remove documents whose entry is gone (an article deleted by SQL)."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE key NOT IN "  # noqa: S608
                "(SELECT recency_key FROM search_searchentry)"
            )

    def match(
        self,
        expression: Expression,
        *,
        where: tuple[str, list[Any]],
        limit: int,
    ) -> list[Match]:
        query = compile_expression(expression)
        with transaction.atomic(), connection.cursor() as cursor:
            # For a common word the planner prices reading every document
            # below the index; reading them means unpacking each tsvector,
            # which its estimate leaves out and which is the whole cost. And
            # it would hash every public article to join a few hundred
            # matches, where looking each up by its key costs a fraction.
            cursor.execute(
                "SET LOCAL enable_seqscan = off; SET LOCAL enable_hashjoin = off; "
                "SET LOCAL enable_mergejoin = off"
            )
            if limit > WINDOWED:
                return self._match(cursor, query, where, limit)
            found: list[Match] = []
            starts = months_back(datetime.now(UTC))
            edge, span = 0, FIRST_WINDOW
            while len(found) < limit:
                wanted = limit - len(found)
                if edge + span >= HORIZON:
                    # Everything older than the months already read.
                    below = int(starts[edge - 1].timestamp()) << 24 if edge else None
                    found += self._match(cursor, query, where, wanted, below=below)
                    break
                months = " | ".join(
                    f"'{s.strftime(MONTH_TERM)}'" for s in starts[edge : edge + span]
                )
                found += self._match(cursor, f"{query} & ({months})", where, wanted)
                edge += span
                span = next_window(edge, len(found), limit)
            return found

    def _match(
        self,
        cursor: Any,
        query: str,
        where: tuple[str, list[Any]],
        limit: int,
        *,
        below: int | None = None,
    ) -> list[Match]:
        """The newest `limit` matches of a tsquery literal; the index finds
        them first (MATERIALIZED), then the articles' conditions apply."""
        condition, params = where
        older = f" AND key < {int(below)}" if below is not None else ""
        sql = (
            f"WITH matched AS MATERIALIZED (SELECT key, article_id FROM {TABLE} "  # noqa: S608
            f"WHERE document @@ %s::tsquery{older}) "
            "SELECT matched.key, matched.article_id FROM matched "
            "JOIN articles_article ON articles_article.id = matched.article_id "
            f"WHERE ({condition}) ORDER BY matched.key DESC LIMIT {int(limit)}"
        )
        cursor.execute(sql, [query, *params])
        return [Match(key, pk) for key, pk in cursor.fetchall()]

    def match_among(
        self, expressions: list[Expression], keys: list[int]
    ) -> list[set[int]]:
        """Every expression in one pass over the keys' documents.

        Unpacking a stored document is the cost, and PostgreSQL unpacks it
        again for each test that reads the column; the documents are
        therefore unpacked once into a materialised copy (`|| ''`), which
        the tests then read.
        """
        found: list[set[int]] = [set() for _ in expressions]
        if not keys or not expressions:
            return found
        tests = ", ".join(["unpacked @@ %s::tsquery"] * len(expressions))
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH candidates AS MATERIALIZED (SELECT key, "  # noqa: S608
                f"document || ''::tsvector AS unpacked FROM {TABLE} "
                f"WHERE key = ANY(%s)) SELECT key, {tests} FROM candidates",
                [list(keys), *(compile_expression(e) for e in expressions)],
            )
            for key, *matched in cursor.fetchall():
                for hits, yes in zip(found, matched, strict=True):
                    if yes:
                        hits.add(key)
        return found
