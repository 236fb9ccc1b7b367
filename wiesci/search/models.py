"""What the search index keeps besides the backend's own table.

The backend's table (SQLite FTS5 or PostgreSQL tsvectors, see `backends`)
holds every term of every article for matching; `SearchEntry` keeps the
title's terms in the same layout and the lead's distinct terms, which ranking
reads for the few hundred candidates of a query. `SearchWord` is the public articles'
vocabulary that "did you mean" draws from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wiesci.articles.models import Article


class SearchEntry(models.Model):
    article = models.OneToOneField(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_entry",
    )
    # The backend's key of the entry: see backends.recency_key.
    recency_key = models.BigIntegerField(_("recency key"), unique=True)
    title_terms = models.TextField(_("title's terms"))
    lead_terms = models.TextField(_("lead's terms"))
    # The lead and the body's beginning as plain text: snippets come from it.
    text = models.TextField(_("plain text"), blank=True)
    indexed_at = models.DateTimeField(_("indexed"), auto_now=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return str(self.article_id)


class SearchWord(models.Model):
    """A word of the public articles, with how many of them use it."""

    word = models.CharField(_("word"), max_length=80, unique=True)
    folded = models.CharField(_("without diacritics"), max_length=80, db_index=True)
    uses = models.PositiveIntegerField(_("articles using it"), default=0)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self) -> str:
        return self.word
