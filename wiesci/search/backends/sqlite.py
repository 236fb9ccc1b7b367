"""SQLite: an FTS5 table of the analysed streams, one column per field.

The analyser has done the linguistics, so FTS5's own tokenizer only splits
on spaces (`unicode61`, diacritics kept, `_` part of a term). The table's
rowid is the article's id.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from wiesci.search.backends import (
    NEAR,
    AnyOf,
    Expression,
    Near,
    Phrase,
    Row,
    SqlBackend,
    Term,
    within_clause,
)

TABLE = "search_fts"
CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "title, lead, body, tokenize = \"unicode61 remove_diacritics 0 tokenchars '_'\")"
)


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


class SqliteBackend(SqlBackend):
    def store(self, rows: list[Row]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {TABLE} WHERE rowid = %s",  # noqa: S608
                [(row.article_id,) for row in rows],
            )
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, title, lead, body) "  # noqa: S608
                "VALUES (%s, %s, %s, %s)",
                [(r.article_id, r.title, r.lead, r.body) for r in rows],
            )

    def remove(self, article_ids: list[int]) -> None:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"DELETE FROM {TABLE} WHERE rowid = %s",  # noqa: S608
                [(pk,) for pk in article_ids],
            )

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608

    def _select(
        self,
        what: str,
        expression: Expression,
        where: tuple[str, list[Any]],
        title_only: bool,
        within: list[int] | None,
    ) -> tuple[str, list[Any]]:
        query = compile_expression(expression)
        if title_only:
            query = f"title : {query}"
        condition, params = where
        extra, ids = within_clause(within, f"{TABLE}.rowid")
        sql = (
            f"SELECT {what} FROM {TABLE} "  # noqa: S608
            f"JOIN articles_article ON articles_article.id = {TABLE}.rowid "
            f"WHERE {TABLE} MATCH %s AND ({condition}){extra}"
        )
        return sql, [query, *params, *ids]
