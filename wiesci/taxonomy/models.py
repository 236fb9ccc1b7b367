"""What articles are filed under: sections, tags, places and organisations."""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wiesci.core.models import SlugFromName, TimeStampedModel
from wiesci.taxonomy.inflection import place_phrases


class SluggedModel(SlugFromName, TimeStampedModel):
    """A named thing with a unique slug made from its name when left blank."""

    name = models.CharField(_("name"), max_length=150)
    slug = models.SlugField(
        _("slug"),
        max_length=160,
        unique=True,
        blank=True,
        help_text=_("Part of the address. Made from the name when left empty."),
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Section(SluggedModel):
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in the menu and on the home page.")
    )
    on_home_page = models.BooleanField(_("block on the home page"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def get_absolute_url(self) -> str:
        return reverse("articles:section", kwargs={"slug": self.slug})


class Tag(SluggedModel):
    class Meta(SluggedModel.Meta):
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def get_absolute_url(self) -> str:
        return reverse("articles:tag", kwargs={"slug": self.slug})


class Place(SluggedModel):
    """A town, village or district of the county (miejscowość)."""

    class Kind(models.TextChoices):
        TOWN = "town", _("town")
        VILLAGE = "village", _("village")
        DISTRICT = "district", _("district of a town")

    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind, default=Kind.VILLAGE
    )
    gmina = models.CharField(
        _("gmina"), max_length=100, help_text=_("The commune the place belongs to.")
    )
    phrase_from = models.CharField(
        _("“from” form"),
        max_length=160,
        blank=True,
        help_text=_("As in “Wiadomości z Krzanowic”. Generated when left empty."),
    )
    phrase_in = models.CharField(
        _("“in” form"),
        max_length=160,
        blank=True,
        help_text=_("As in “Wydarzenia w Krzanowicach”. Generated when left empty."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta(SluggedModel.Meta):
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def save(self, *args: object, **kwargs: object) -> None:
        self._forget_generated_forms_of_a_former_name()
        if not (self.phrase_from and self.phrase_in):
            generated_from, generated_in = place_phrases(self.name)
            self.phrase_from = self.phrase_from or generated_from
            self.phrase_in = self.phrase_in or generated_in
        super().save(*args, **kwargs)

    def _forget_generated_forms_of_a_former_name(self) -> None:
        """A renamed place gets new forms, unless an editor wrote them by hand.

        A form still equal to what the dictionary gives for the former name was
        generated; any other was corrected, and is kept.
        """
        if self.pk is None:
            return
        former = Place.objects.filter(pk=self.pk).values_list("name", flat=True).first()
        if former is None or former == self.name:
            return
        former_from, former_in = place_phrases(former)
        if self.phrase_from == former_from:
            self.phrase_from = ""
        if self.phrase_in == former_in:
            self.phrase_in = ""

    def get_absolute_url(self) -> str:
        return reverse("articles:place", kwargs={"slug": self.slug})


class Organisation(SluggedModel):
    """A library, museum, club, school… that stories concern."""

    class Kind(models.TextChoices):
        LIBRARY = "library", _("library")
        MUSEUM = "museum", _("museum")
        ARBORETUM = "arboretum", _("arboretum or park")
        SPORTS_CLUB = "sports_club", _("sports club")
        ASSOCIATION = "association", _("association")
        CULTURE_CENTRE = "culture_centre", _("culture centre")
        FIRE_BRIGADE = "fire_brigade", _("fire brigade")
        SCHOOL = "school", _("school")
        OFFICE = "office", _("public office")
        OTHER = "other", _("other")

    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    place = models.ForeignKey(
        Place,
        verbose_name=_("place"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisations",
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    partners = models.ManyToManyField(
        "self", verbose_name=_("partner organisations"), blank=True, symmetrical=True
    )

    class Meta(SluggedModel.Meta):
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def get_absolute_url(self) -> str:
        return reverse("articles:organisation", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        return self.short_name or self.name
