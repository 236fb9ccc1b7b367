"""What came in from another system, and the old addresses that lead to it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedItem(models.Model):
    """One item of a source (a WordPress post, term, author…) and what it
    became here: a second run finds it by its key and updates it."""

    class Kind(models.TextChoices):
        POST = "post", _("post")
        AUTHOR = "author", _("author")
        CATEGORY = "category", _("category")
        TAG = "tag", _("tag")
        PHOTO = "photo", _("photo")
        PAGE = "page", _("page")

    source = models.CharField(_("source"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    key = models.CharField(_("key"), max_length=500, help_text=_("GUID or slug."))
    target_id = models.BigIntegerField(_("object here"))
    digest = models.CharField(
        _("digest"),
        max_length=64,
        blank=True,
        help_text=_("Of the item as the source had it: unchanged, it is skipped."),
    )
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    class Meta:
        verbose_name = _("imported item")
        verbose_name_plural = _("imported items")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "key"], name="moving_item_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.kind}:{self.key}"


class Redirect(models.Model):
    """An old address (path, and for `?p=123` its query) and where it leads."""

    path = models.CharField(_("old path"), max_length=500)
    query = models.CharField(_("old query"), max_length=200, blank=True)
    target = models.CharField(_("new address"), max_length=500)
    source = models.CharField(_("source"), max_length=20)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        constraints = [
            models.UniqueConstraint(
                fields=["path", "query"], name="moving_redirect_once"
            )
        ]

    def __str__(self) -> str:
        old = self.path + (f"?{self.query}" if self.query else "")
        return f"{old} → {self.target}"
