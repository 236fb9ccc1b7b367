"""An article's gallery: its photos, in the editor's order."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from wiesci.photos.models import Photo


class GalleryItem(models.Model):
    """A photo in an article's gallery, in the editor's order."""

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="gallery_items",
    )
    photo = models.ForeignKey(
        Photo,
        verbose_name=_("photo"),
        on_delete=models.CASCADE,
        related_name="gallery_items",
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("gallery photo")
        verbose_name_plural = _("gallery")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "photo"], name="articles_gallery_once"
            ),
        ]

    def __str__(self) -> str:
        return str(self.photo)
