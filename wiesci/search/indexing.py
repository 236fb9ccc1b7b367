"""Keeping the index in step with the articles.

Every article is indexed, drafts included, whenever it is saved: the
newsroom's admin search finds drafts too. Readers' searches ask the articles
table which ones are public at that moment, so a draft, a story scheduled
for later or a withdrawn one is never found, whatever the index holds, and
a scheduled story is found from its time on. The vocabulary behind "did you
mean" takes words only from public articles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from html import unescape
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils.html import strip_tags

from wiesci.articles.models import Article
from wiesci.search import analysis
from wiesci.search.backends import Row, backend, recency_key
from wiesci.search.models import SearchEntry, SearchWord

BATCH = 500
EXCERPT = 2000  # characters of plain text kept for snippets


def plain(html: str) -> str:
    return unescape(strip_tags(html.replace("<", " <")))


def row_for(article: Article) -> tuple[Row, str]:
    """The backend's row for `article`, and its plain text for snippets."""
    lead, body = plain(article.lead), plain(article.body)
    row = Row(
        key=recency_key(article.pk, article.published_at),
        article_id=article.pk,
        title=analysis.stream(article.title),
        lead=analysis.stream(lead),
        body=analysis.stream(body),
    )
    return row, " ".join(f"{lead} {body}".split())[:EXCERPT]


def vocabulary(article: Article) -> set[str]:
    """The distinct words a public article offers to "did you mean"."""
    text = " ".join((article.title, plain(article.lead), plain(article.body)))
    return {w.exact for w in analysis.words(text) if not w.exact.isdigit()}


def index_articles(articles: Iterable[Article], *, count_words: bool) -> int:
    """Index `articles` (one batch, one transaction); their words join the
    vocabulary if `count_words` and they are public."""
    rows, entries, words = [], [], Counter[str]()
    for article in articles:
        row, text = row_for(article)
        rows.append(row)
        entries.append(
            SearchEntry(
                article_id=article.pk,
                recency_key=row.key,
                title_terms=row.title,
                # Ranking asks only which terms the lead has, not where.
                lead_terms=" ".join(sorted(set(row.lead.split()))),
                text=text,
            )
        )
        if count_words and article.is_public:
            words.update(vocabulary(article))
    if not rows:
        return 0
    with transaction.atomic():
        backend().store(rows)
        SearchEntry.objects.bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["article"],
            update_fields=[
                "recency_key",
                "title_terms",
                "lead_terms",
                "text",
                "indexed_at",
            ],
        )
        add_words(words)
    return len(rows)


def add_words(words: Counter[str], *, count: bool = True) -> None:
    """Add to the vocabulary; `count` adds to each word's number of articles."""
    if not words:
        return
    table = SearchWord._meta.db_table
    increment = f"{table}.uses + excluded.uses" if count else f"{table}.uses"
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (word, folded, uses) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (word) DO UPDATE SET uses = {increment}",
            [
                (word[:80], analysis.fold(word)[:80], uses)
                for word, uses in sorted(words.items())
            ],
        )


def index_article(pk: int, *, count_words: bool = False) -> None:
    article = Article.objects.filter(pk=pk).first()
    if article is None:
        remove_article(pk)
    else:
        index_articles([article], count_words=count_words)


def remove_article(pk: int) -> None:
    keys = list(
        SearchEntry.objects.filter(article_id=pk).values_list("recency_key", flat=True)
    )
    backend().remove(keys)
    SearchEntry.objects.filter(article_id=pk).delete()


def on_article_saved(sender: Any, instance: Article, **kwargs: Any) -> None:
    """Index the saved text once the transaction commits (drafts too)."""
    pk = instance.pk
    transaction.on_commit(lambda: index_article(pk))


def on_article_deleting(sender: Any, instance: Article, **kwargs: Any) -> None:
    """Drop the entry with the article: its key is known only until then."""
    keys = list(
        SearchEntry.objects.filter(article_id=instance.pk).values_list(
            "recency_key", flat=True
        )
    )
    transaction.on_commit(lambda: backend().remove(keys))


def on_article_changed(
    sender: Any, article: Article, reason: str, **kwargs: Any
) -> None:
    """A story out to readers lends its words to "did you mean": counted when
    it is published, new words of an edit added."""
    if reason == "published":
        index_article(article.pk, count_words=True)
    elif reason == "edited" and article.is_public:
        add_words(Counter(vocabulary(article)), count=False)


def reindex(*, progress: Callable[[int, int], Any] | None = None) -> int:
    """Rebuild the index and the vocabulary from every article, in batches.

    Each batch commits on its own, so readers keep searching while it runs;
    the old entries of an article are replaced, never missing.
    """
    articles: QuerySet[Article] = Article.objects.order_by("pk")
    total = articles.count()
    SearchWord.objects.all().delete()
    done = 0
    last = 0
    while True:
        batch = list(articles.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        done += index_articles(batch, count_words=True)
        last = batch[-1].pk
        if progress is not None:
            progress(done, total)
    index = backend()
    index.prune()  # entries of articles deleted meanwhile
    index.optimize()
    return done


def admin_search(queryset: QuerySet[Article], text: str) -> QuerySet[Article]:
    """The newsroom's article search: the same analyser, drafts included."""
    from wiesci.search.query import matching_ids

    return queryset.filter(pk__in=matching_ids(text, public_only=False))
