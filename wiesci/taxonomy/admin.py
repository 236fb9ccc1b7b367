from django.contrib import admin
from django.db import models

from wiesci.taxonomy.models import Organisation, Place, Section, Tag


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin[Section]):
    list_display = ("name", "slug", "position", "on_home_page")
    list_editable = ("position", "on_home_page")
    search_fields = ("name",)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ("name", "slug")
    search_fields = ("name",)


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin[Place]):
    list_display = ("name", "kind", "gmina", "phrase_from", "phrase_in")
    list_filter = ("kind", "gmina")
    search_fields = ("name", "gmina")
    fields = (
        "name",
        "slug",
        "kind",
        "gmina",
        "phrase_from",
        "phrase_in",
        "description",
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    # Django 6's default, asked for now: an address typed without a scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("name", "kind", "place", "website")
    list_filter = ("kind", "place")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("place", "partners")
