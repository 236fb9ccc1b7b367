import django.db.models.deletion
from django.db import migrations, models


def create_index(apps, schema_editor):
    """The backend's own table: FTS5 on SQLite, tsvectors on PostgreSQL."""
    if schema_editor.connection.vendor == "postgresql":
        from wiesci.search.backends.postgresql import CREATE
    else:
        from wiesci.search.backends.sqlite import CREATE
    for statement in CREATE:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        tables = ["search_document"]
    else:
        tables = ["search_fts"]
    for table in tables:
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):
    initial = True

    dependencies = [("articles", "0008_audit_names_the_system")]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_entry",
                        serialize=False,
                        to="articles.article",
                        verbose_name="article",
                    ),
                ),
                (
                    "recency_key",
                    models.BigIntegerField(unique=True, verbose_name="recency key"),
                ),
                ("title_terms", models.TextField(verbose_name="title's terms")),
                ("lead_terms", models.TextField(verbose_name="lead's terms")),
                ("text", models.TextField(blank=True, verbose_name="plain text")),
                (
                    "indexed_at",
                    models.DateTimeField(auto_now=True, verbose_name="indexed"),
                ),
            ],
            options={
                "verbose_name": "search entry",
                "verbose_name_plural": "search entries",
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "word",
                    models.CharField(max_length=80, unique=True, verbose_name="word"),
                ),
                (
                    "folded",
                    models.CharField(
                        db_index=True, max_length=80, verbose_name="without diacritics"
                    ),
                ),
                (
                    "uses",
                    models.PositiveIntegerField(
                        default=0, verbose_name="articles using it"
                    ),
                ),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]
