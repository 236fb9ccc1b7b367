from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from wiesci.core.text import polish_slugify


class TimeStampedModel(models.Model):
    """A row that knows when it was created and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        abstract = True


class SlugFromName(models.Model):
    """A row with a `name` and a `slug` field, the slug made from the name
    (Polish letters transliterated) when left blank, to the field's length."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not getattr(self, "slug", ""):
            field = self._meta.get_field("slug")
            length = getattr(field, "max_length", None) or 50
            name = str(getattr(self, "name", ""))
            self.slug = polish_slugify(name, max_length=length) or "x"
        super().save(*args, **kwargs)
