from typing import Any

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """The portal's name (from the Site edited in the admin) and public address."""
    return {
        "portal_name": get_current_site(request).name,
        "site_url": settings.SITE_URL,
    }
