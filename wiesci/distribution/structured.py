"""Structured data (JSON-LD) as search engines read it: the article as a
`NewsArticle`, where it sits (`BreadcrumbList`), the portal as an
`Organization` and a `WebSite` readers can search.

Every address is absolute (settings.SITE_URL), every date has its offset.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from wiesci.articles.models import Article
from wiesci.distribution.models import PortalProfile

# Google shows at most 110 characters of a headline.
HEADLINE_MAX = 110
# The ratios Google asks for, widest first, as the photos' renditions.
IMAGE_RATIOS = ("wide", "classic", "square")
# Fallback for photos made before those sizes existed.
FALLBACK_IMAGE = "social"
ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def absolute(path: str) -> str:
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def script(data: dict[str, Any] | list[dict[str, Any]]) -> SafeString:
    """`data` as a <script type="application/ld+json">, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        SafeString(text.translate(ESCAPES)),
    )


def organization(name: str, profile: PortalProfile) -> dict[str, Any]:
    """The portal as a news organisation; its logo as an ImageObject."""
    data: dict[str, Any] = {
        "@type": "NewsMediaOrganization",
        "@id": absolute("/#organizacja"),
        "name": name,
        "url": absolute("/"),
    }
    if profile.logo:
        data["logo"] = {
            "@type": "ImageObject",
            "url": absolute(profile.logo.url),
            "width": profile.logo.width,
            "height": profile.logo.height,
        }
    if profile.social_profiles:
        data["sameAs"] = profile.social_profiles
    if profile.email:
        data["email"] = profile.email
    if profile.description:
        data["description"] = profile.description
    return data


def website(name: str, profile: PortalProfile) -> dict[str, Any]:
    """The portal as a WebSite with its search, for a search box in results."""
    search = absolute(reverse("search:results"))
    return {
        "@type": "WebSite",
        "@id": absolute("/#strona"),
        "name": name,
        "url": absolute("/"),
        "inLanguage": "pl-PL",
        "publisher": {"@id": absolute("/#organizacja")},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{search}?q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def portal(name: str, profile: PortalProfile) -> SafeString:
    """The home page's graph: the organisation and its website."""
    return script(
        {
            "@context": "https://schema.org",
            "@graph": [organization(name, profile), website(name, profile)],
        }
    )


def images(article: Article) -> list[dict[str, Any]]:
    """The main photo in three ratios (16:9, 4:3, 1:1), largest first."""
    photo = article.main_photo
    if photo is None:
        return []
    found = [photo.public_file(ratio, exact=True) for ratio in IMAGE_RATIOS]
    files = [f for f in found if f is not None]
    if not files:
        fallback = photo.public_file(FALLBACK_IMAGE)
        files = [fallback] if fallback else []
    return [
        {
            "@type": "ImageObject",
            "url": absolute(f.url),
            "width": f.width,
            "height": f.height,
            **({"caption": photo.caption} if photo.caption else {}),
            **({"creditText": photo.credit} if photo.credit else {}),
        }
        for f in files
    ]


def _moment(value: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(value).isoformat(timespec="seconds")


def news_article(article: Article, name: str, profile: PortalProfile) -> dict[str, Any]:
    """What Google documents for an article: headline, images, dates,
    authors, publisher, free access; corrections as CorrectionComments."""
    url = absolute(article.get_absolute_url())
    # With everything else the page shows, so that the page's own fragment,
    # rendered next when it is as cold as this one, asks for them no more.
    article.read_page_relations()
    authors = [
        {"@type": "Person", "name": a.name, "url": absolute(a.get_absolute_url())}
        for a in article.authors.all()
    ] or [{"@type": "Organization", "name": name, "url": absolute("/")}]
    modified = article.updated_at or article.published_at
    data: dict[str, Any] = {
        "@type": "NewsArticle",
        "@id": url + "#artykul",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": _headline(article.title),
        "description": article.lead,
        "inLanguage": "pl-PL",
        "articleSection": article.section.name,
        "datePublished": _moment(article.published_at),
        "dateModified": _moment(modified),
        "author": authors,
        "publisher": organization(name, profile),
        "isAccessibleForFree": True,
    }
    pictures = images(article)
    if pictures:
        data["image"] = pictures
    notes = list(article.corrections.all())
    if notes:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": note.text,
                "datePublished": _moment(note.created_at),
            }
            for note in notes
        ]
    return data


def _headline(title: str) -> str:
    if len(title) <= HEADLINE_MAX:
        return title
    return title[: HEADLINE_MAX - 1].rsplit(" ", 1)[0] + "…"


def breadcrumbs(trail: list[tuple[str, str]]) -> dict[str, Any]:
    """(name, path) pairs from the home page down to the page itself."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": number,
                "name": label,
                "item": absolute(path),
            }
            for number, (label, path) in enumerate(trail, start=1)
        ],
    }


def article_page(article: Article, name: str, profile: PortalProfile) -> SafeString:
    """The article page's graph: the article and its breadcrumbs."""
    trail = [
        (name, "/"),
        (article.section.name, article.section.get_absolute_url()),
        (article.title, article.get_absolute_url()),
    ]
    return script(
        {
            "@context": "https://schema.org",
            "@graph": [news_article(article, name, profile), breadcrumbs(trail)],
        }
    )


def listing_page(name: str, label: str, path: str) -> SafeString:
    """A section, place, tag, organisation or author page's breadcrumbs."""
    return script(
        {
            "@context": "https://schema.org",
            "@graph": [breadcrumbs([(name, "/"), (label, path)])],
        }
    )
