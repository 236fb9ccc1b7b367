from typing import Any

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from wiesci.core import pagecache


def portal(request: HttpRequest) -> dict[str, Any]:
    """The portal's name and address, and the page-cache generation.

    The name comes from the Site the newsroom edits in the admin. Fragments
    shared by many pages (the menu, the most-read box) are cached under the
    generation, so a change that purges every page renews them too.
    """
    return {
        "portal_name": get_current_site(request).name,
        "site_url": settings.SITE_URL,
        "page_generation": SimpleLazyObject(lambda: pagecache.store().generation()),
    }
