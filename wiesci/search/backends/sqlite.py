"""SQLite: an FTS5 table of the analysed streams, one column per field.

The analyser has done the linguistics, so FTS5's own tokenizer only splits
on spaces (`unicode61`, diacritics kept, `_` part of a term). The table's
rowid is the article's recency key, so the newest matches come straight off
its index, in order, with no sort of every match.
"""

from __future__ import annotations

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
    placeholders,
)

TABLE = "search_fts"
CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(article UNINDEXED, "
    "title, lead, body, tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")"
]


def compile_expression(expression: Expression) -> str:
    """The FTS5 query for `expression`."""
    if isinstance(expression, Term):
        return f'"{expression.term}"'
    if isinstance(expression, Phrase):
        return '"' + " ".join(expression.terms) + '"'
    if isinstance(expression, Near):
        # FTS5 counts the words between the two, in either order.
        return f'NEAR("{expression.first}" "{expression.second}", {NEAR - 1})'
    joiner = " OR " if isinstance(expression, AnyOf) else " AND "
    return "(" + joiner.join(compile_expression(p) for p in expression.parts) + ")"


class SqliteBackend:
    def store(self, rows: list[Row]) -> None:
        with connection.cursor() as cursor:
            # The article's entry under its former key (its time may change).
            cursor.executemany(
                f"DELETE FROM {TABLE} WHERE rowid = "  # noqa: S608
                "(SELECT recency_key FROM search_searchentry WHERE article_id = %s)",
                [(row.article_id,) for row in rows],
            )
            self.remove([row.key for row in rows])
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, article, title, lead, body) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s)",
                [(r.key, r.article_id, r.title, r.lead, r.body) for r in rows],
            )

    def remove(self, keys: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {TABLE} WHERE rowid = %s",  # noqa: S608
                [(key,) for key in keys],
            )

    def optimize(self) -> None:
        """Merge FTS5's segments into one, and refresh the planner's figures."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')"  # noqa: S608
            )
            cursor.execute("ANALYZE")

    def prune(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE rowid NOT IN "  # noqa: S608
                "(SELECT recency_key FROM search_searchentry)"
            )

    def match(
        self,
        expression: Expression,
        *,
        where: tuple[str, list[Any]],
        limit: int,
    ) -> list[Match]:
        condition, params = where
        # CROSS JOIN keeps the FTS table outside: it is read newest first.
        sql = (
            f"SELECT {TABLE}.rowid, {TABLE}.article FROM {TABLE} "  # noqa: S608
            f"CROSS JOIN articles_article ON articles_article.id = {TABLE}.article "
            f"WHERE {TABLE} MATCH %s AND ({condition}) "
            f"ORDER BY {TABLE}.rowid DESC LIMIT {int(limit)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [compile_expression(expression), *params])
            return [Match(key, pk) for key, pk in cursor.fetchall()]

    def match_among(
        self, expressions: list[Expression], keys: list[int]
    ) -> list[set[int]]:
        return [self._among(expression, keys) for expression in expressions]

    def _among(self, expression: Expression, keys: list[int]) -> set[int]:
        """Read over the keys' range, which FTS5 seeks to in each term's list,
        rather than looking each key up."""
        if not keys:
            return set()
        wanted = set(keys)
        ordered = sorted(wanted)
        # The bulk of the keys (the newest matches) lie close together; the
        # few far below them (older titles) are asked for one by one.
        cut = max(0, len(ordered) - 400)
        low, high = ordered[cut], ordered[-1]
        strays = ordered[:cut]
        query = compile_expression(expression)
        found: set[int] = set()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s "  # noqa: S608
                "AND rowid BETWEEN %s AND %s",
                [query, low, high],
            )
            found |= {key for (key,) in cursor.fetchall()}
            if strays:
                cursor.execute(
                    f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s "  # noqa: S608
                    f"AND rowid IN ({placeholders(strays)})",
                    [query, *strays],
                )
                found |= {key for (key,) in cursor.fetchall()}
        return found & wanted
