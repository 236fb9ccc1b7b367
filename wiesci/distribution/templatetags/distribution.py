"""What every page's <head> says to feed readers, search engines and phones."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.cache import cache
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from wiesci import conf
from wiesci.core import pagecache
from wiesci.core.templatetags import fragments
from wiesci.distribution import feeds, profile, structured

register = template.Library()

# A listing page's view name, and the name its object has in the context.
LISTING_VIEWS = {kind.view: (name, name) for name, kind in feeds.KINDS.items()}


def _view_name(context: template.Context) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""


def _listing(context: template.Context) -> tuple[str, Any] | None:
    found = LISTING_VIEWS.get(_view_name(context))
    if found is None:
        return None
    kind, variable = found
    obj = context.get(variable)
    return (kind, obj) if obj is not None else None


@register.simple_tag(takes_context=True)
def feed_links(context: template.Context) -> SafeString:
    """<link rel="alternate"> to the portal's feeds, and to the listing's own."""
    name = str(context.get("portal_name", ""))
    links = [(name, *feeds.addresses(None))]
    listing = _listing(context)
    if listing is not None:
        kind, obj = listing
        links.append((f"{name} · {obj}", *feeds.addresses(kind, obj.slug)))
    return format_html_join(
        "\n",
        '<link rel="alternate" type="application/rss+xml" title="{}" '
        'href="{}">\n<link rel="alternate" type="application/atom+xml" '
        'title="{} (Atom)" href="{}">',
        ((title, rss, title, atom) for title, rss, atom in links),
    )


@register.simple_tag(takes_context=True)
def icon_links(context: template.Context) -> SafeString:
    """The icons and theme colour of the profile (in a fragment of every
    page's head, renewed with every page when the profile changes)."""
    return _icons(profile.current())


def _icons(portal: Any) -> SafeString:
    svg = (
        ""
        if portal.icon
        else format_html(
            '<link rel="icon" href="{}" type="image/svg+xml">\n',
            static("wiesci/favicon.svg"),
        )
    )
    return format_html(
        '{}<link rel="icon" href="{}" sizes="32x32" type="image/png">\n'
        '<link rel="apple-touch-icon" href="{}">\n'
        '<link rel="manifest" href="{}">\n'
        '<meta name="theme-color" content="{}">',
        SafeString(svg),
        reverse("distribution:icon", kwargs={"size": 32}),
        reverse("distribution:icon", kwargs={"size": 180}),
        reverse("distribution:manifest"),
        portal.theme_color,
    )


@register.simple_tag(takes_context=True)
def structured_data(context: template.Context) -> SafeString:
    """JSON-LD for the page: the article, the home page's portal, or a
    listing's breadcrumbs; nothing on previews and other pages."""
    name = str(context.get("portal_name", ""))
    view = _view_name(context)
    if view == "articles:detail" and not context.get("preview"):
        article = context.get("article")
        if article is not None and article.is_public:
            return _article_data(article, name)
    if view == "articles:home":
        return structured.portal(name, profile.current())
    listing = _listing(context)
    if listing is not None:
        obj = listing[1]
        return structured.listing_page(name, str(obj), obj.get_absolute_url())
    return SafeString("")


def _article_data(article: Any, name: str) -> SafeString:
    """The article's JSON-LD, cached like the page's other fragments: read
    again only when the article or anything it shows has changed."""
    key = (
        f"wiesci:ld:{pagecache.fragment_generation()}:{article.pk}:"
        f"{article.modified_at.timestamp()}"
    )
    found = fragments.recall(key) or cache.get(key)
    if found is None:
        found = str(structured.article_page(article, name, profile.current()))
        cache.set(key, found, conf.PAGE_CACHE_SECONDS)
    return SafeString(fragments.remember(key, found))
