"""How an article's body is shown."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.core.files.storage import default_storage
from django.utils.safestring import SafeString, mark_safe

from wiesci.articles.models import Article
from wiesci.photos.templatetags.photos import picture

register = template.Library()

IMG = re.compile(r'<img src="([^"]+)"(?: alt="([^"]*)")?>')


@register.simple_tag
def read_page_relations(article: Article) -> str:
    """At the top of a fragment of the article page: what the fragment shows
    of the article's relations, read with all the others in one query."""
    article.read_page_relations()
    return ""


@register.filter
def body_html(article: Article) -> SafeString:
    """The stored (sanitised) body, with gallery photos placed in it made responsive.

    An editor places a photo by its address; here it becomes a <picture> with
    every size and format, found among the gallery's already-loaded photos.
    """
    if "<img" not in article.body:
        return mark_safe(article.body)  # noqa: S308 (sanitised on save)
    by_url = {}
    for photo in article.gallery_photos:
        for rendition in (photo.renditions or {}).values():
            for path in rendition["files"].values():
                by_url[default_storage.url(path)] = photo

    def place(match: re.Match[str]) -> str:
        photo = by_url.get(match.group(1))
        if photo is None:
            return match.group(0).replace("<img ", '<img loading="lazy" ', 1)
        return str(
            picture(
                photo, "article", sizes="(min-width: 50em) 48rem, 100vw", also="full"
            )
        )

    # The body was sanitised on save: only our own photo addresses remain.
    return mark_safe(IMG.sub(place, article.body))  # noqa: S308


@register.inclusion_tag("articles/_most_read.html")
def most_read_box(section: Any = None) -> dict[str, Any]:
    """The most-read box: the last 24 hours and the last 7 days."""
    from wiesci import conf
    from wiesci.articles.readership import most_read

    limit = conf.MOST_READ
    return {
        "section": section,
        "day": most_read(hours=24, section=section, limit=limit),
        "week": most_read(hours=24 * 7, section=section, limit=limit),
    }
