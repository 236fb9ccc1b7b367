"""robots.txt, the web app manifest, the portal's icons and the IndexNow key."""

from __future__ import annotations

import io
import json
from functools import lru_cache

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from wiesci.distribution import profile
from wiesci.distribution.structured import absolute

ICON_SIZES = (32, 180, 192, 512)
# Kept out of search engines: the newsroom, readers' accounts, previews,
# comment forms and search results (endless, thin pages).
DISALLOWED = ("/admin/", "/konto/", "/podglad/", "/szukaj/", "/komentarze/")


def robots(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED)]
    lines += ["", f"Sitemap: {absolute(reverse('distribution:sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def manifest(request: HttpRequest) -> HttpResponse:
    """What a phone needs to put the portal on its home screen."""
    name = get_current_site(request).name
    portal = profile.current()
    data = {
        "name": name,
        "short_name": portal.short_name or name[:12],
        "description": portal.description,
        "lang": "pl",
        "start_url": "/",
        "scope": "/",
        # A home-screen app without the browser bar: what iOS asks of a web
        # app before it may receive breaking-news notifications.
        "display": "standalone",
        "theme_color": portal.theme_color,
        "background_color": "#ffffff",
        "icons": [
            {
                "src": reverse("distribution:icon", kwargs={"size": size}),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                **({"purpose": "any maskable"} if size == 512 else {}),
            }
            for size in (192, 512)
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/manifest+json",
    )


def icon(request: HttpRequest, size: int) -> HttpResponse:
    """The portal's icon at `size` pixels: the newsroom's own, or one drawn
    from the first letter of the portal's name in its theme colour."""
    if size not in ICON_SIZES:
        raise Http404
    portal = profile.current()
    name = get_current_site(request).name
    source = portal.icon.name if portal.icon else ""
    stamp = portal.modified_at.timestamp() if portal.modified_at else 0.0
    data = _icon(size, source, name[:1].upper() or "W", portal.theme_color, stamp)
    return HttpResponse(data, content_type="image/png")


@lru_cache(maxsize=32)
def _icon(size: int, source: str, letter: str, colour: str, stamp: float) -> bytes:
    from django.core.files.storage import default_storage
    from PIL import Image, ImageDraw, ImageFont

    if source:
        with default_storage.open(source) as file, Image.open(file) as original:
            image = original.convert("RGBA")
            image.thumbnail((size, size), Image.Resampling.LANCZOS)
    else:
        image = Image.new("RGBA", (size, size), colour)
        draw = ImageDraw.Draw(image)
        font = ImageFont.load_default(size=int(size * 0.62))
        draw.text((size / 2, size / 2), letter, fill="white", font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def indexnow_key(request: HttpRequest, key: str) -> HttpResponse:
    """The key file IndexNow's search engines fetch to trust our pings."""
    if not settings.INDEXNOW_KEY or key != settings.INDEXNOW_KEY:
        raise Http404
    return HttpResponse(key, content_type="text/plain; charset=utf-8")
