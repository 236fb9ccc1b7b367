"""`{% picture %}`: a photo as <picture> with srcset, sizes and dimensions."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from wiesci.photos.models import MIME, Photo

register = template.Library()


@register.simple_tag
def picture(
    photo: Photo | None,
    size: str,
    *,
    sizes: str = "100vw",
    loading: str = "lazy",
    css_class: str = "",
    also: str = "",
) -> SafeString:
    """Render `photo` at rendition `size`; `also` names larger ones for srcset.

    Never points at the original: a photo without renditions yet shows a
    placeholder with its alt text.
    """
    if photo is None:
        return SafeString("")
    found = photo.nearest_rendition(size)
    if found is None:
        return format_html(
            '<span class="photo-pending {}" role="img" aria-label="{}"></span>',
            css_class,
            photo.alt_text,
        )
    name, main = found
    candidates = [main]
    for extra in filter(None, also.split(",")):
        extra_found = photo.nearest_rendition(extra.strip())
        if (
            extra_found
            and extra_found[0] != name
            and extra_found[1]["width"] > main["width"]
        ):
            candidates.append(extra_found[1])

    def srcset(fmt: str) -> str:
        return ", ".join(
            f"{default_storage.url(c['files'][fmt])} {c['width']}w"
            for c in candidates
            if fmt in c["files"]
        )

    formats = [fmt for fmt in MIME if fmt in main["files"]]
    fallback = formats[-1]
    sources = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        ((MIME[fmt], srcset(fmt), sizes) for fmt in formats[:-1]),
    )
    fetchpriority = ' fetchpriority="high"' if loading == "eager" else ""
    return format_html(
        '<picture class="{}">{}<img src="{}" srcset="{}" sizes="{}" width="{}" '
        'height="{}" alt="{}" loading="{}" decoding="async"{}></picture>',
        css_class,
        sources,
        default_storage.url(main["files"][fallback]),
        srcset(fallback),
        sizes,
        main["width"],
        main["height"],
        photo.alt_text,
        loading,
        SafeString(fetchpriority),
    )


@register.simple_tag
def rendition_url(photo: Photo | None, size: str, fmt: str = "jpeg") -> str:
    """The address of one rendition file (for posters and feeds), or ""."""
    found = photo.nearest_rendition(size) if photo is not None else None
    if found is None:
        return ""
    files = found[1]["files"]
    return str(default_storage.url(files.get(fmt) or next(iter(files.values()))))


@register.simple_tag
def social_image(photo: Photo | None) -> dict[str, Any] | None:
    """The 1200×630 JPEG that Facebook and others show with a shared link, at
    an absolute address (on the portal's own disk, or on object storage)."""
    found = photo.nearest_rendition("social") if photo is not None else None
    if found is None:
        return None
    rendition = found[1]
    url = str(default_storage.url(rendition["files"]["jpeg"]))
    return {
        "url": settings.SITE_URL + url if url.startswith("/") else url,
        "width": rendition["width"],
        "height": rendition["height"],
    }
