"""How often articles are read: hourly sums, nothing about the readers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ArticleView(models.Model):
    """How many times an article was read in one hour: no reader, no address, a sum."""

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="views",
    )
    hour = models.DateTimeField(_("hour"), db_index=True)
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("reads in an hour")
        verbose_name_plural = _("reads")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "hour"], name="articles_views_per_hour"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.hour:%Y-%m-%d %H}: {self.views}"
