from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from wiesci.articles import caching
from wiesci.articles.models import Article
from wiesci.taxonomy.models import Section


def _breaking() -> list[Article]:
    return caching.marks().breaking()[:3]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu of sections, the breaking-news bar and the key of cached lists,
    each worked out only when a template uses it."""
    return {
        "menu_sections": SimpleLazyObject(
            lambda: list(Section.objects.only("name", "slug"))
        ),
        "breaking_news": SimpleLazyObject(_breaking),
        "lists_version": SimpleLazyObject(caching.lists_version),
    }
