from typing import Any

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from wiesci import conf
from wiesci.core import head, legal, pagecache


def portal(request: HttpRequest) -> dict[str, Any]:
    """The portal's name and address, the page's own address, and the key of
    cached fragments.

    The name comes from the Site the newsroom edits in the admin.
    `page_path` is the address of the page without the parameters it
    ignores: a page stored for everyone must never carry one visitor's
    `?utm_source=…` (in the log-in link, say). Fragments shared by many
    pages (the menu, the most-read box) are cached under `page_generation`,
    so a change that purges every page renews them too.
    """
    page, _ = pagecache.page_query(request.path, request.META.get("QUERY_STRING", ""))
    return {
        "portal_name": get_current_site(request).name,
        "site_url": settings.SITE_URL,
        "page_path": request.path + (f"?{page}" if page else ""),
        "page_generation": SimpleLazyObject(pagecache.fragment_generation),
        # How long a cached fragment lives: as long as the page around it.
        "fragment_seconds": conf.PAGE_CACHE_SECONDS,
        "head_templates": head.HEAD_TEMPLATES,
        "legal_pages": legal.FOOTER,
    }
