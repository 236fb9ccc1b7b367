"""What articles are filed under besides taxonomy: bylines and editorial labels."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wiesci.core.models import SlugFromName, TimeStampedModel
from wiesci.photos.models import Photo


class Author(SlugFromName, TimeStampedModel):
    """A public byline, usually of a staff user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=130, unique=True, blank=True)
    bio = models.TextField(_("biography"), blank=True)
    photo = models.ForeignKey(
        Photo,
        verbose_name=_("photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", kwargs={"slug": self.slug})


class Label(SlugFromName, models.Model):
    """An editorial label shown as a title marker: [ZAPOWIEDŹ], [RAPORT 998]…"""

    name = models.CharField(
        _("name"),
        max_length=40,
        unique=True,
        help_text=_("Shown in capitals in titles."),
    )
    slug = models.SlugField(_("slug"), max_length=50, unique=True, blank=True)
    description = models.CharField(_("when to use it"), max_length=250, blank=True)
    is_sponsored = models.BooleanField(
        _("marks sponsored content"),
        default=False,
        help_text=_("Articles marked as sponsored must carry this label."),
    )
    position = models.PositiveSmallIntegerField(_("position in titles"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")

    def __str__(self) -> str:
        return self.name
