"""Former addresses of articles, which keep answering with a redirect."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleSlug(models.Model):
    """A former slug of an article; its address answers with a 301."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="old_slugs"
    )
    slug = models.SlugField(max_length=220, unique=True)
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("former slug")
        verbose_name_plural = _("former slugs")

    def __str__(self) -> str:
        return self.slug
