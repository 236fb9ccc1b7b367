"""PostgreSQL: each article's tsvector kept in the table's own rows, lz4
compressed, rather than in the TOAST table beside it.

Ranking reads the documents of a few hundred candidates; fetched from TOAST,
half of that read was the lookups into it. A document compresses to a few
kilobytes, so it fits in the row (STORAGE MAIN still moves one out if a row
would not fit a page). The rows already stored are rewritten once, so they
take the new form at once rather than at the next `wiesci reindex`.
"""

from django.db import migrations

TABLE = "search_document"


def store_inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
            "WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
        compression = ", ALTER COLUMN document SET COMPRESSION lz4" if row and row[0] else ""
        cursor.execute(
            f"ALTER TABLE {TABLE} ALTER COLUMN document SET STORAGE MAIN{compression}"
        )
        cursor.execute(f"UPDATE {TABLE} SET document = document || ''::tsvector")


def store_apart(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ALTER COLUMN document SET STORAGE EXTENDED"
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(store_inline, store_apart)]
