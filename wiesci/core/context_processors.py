from typing import Any

from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    """The portal's name, from the Site the newsroom edits in the admin."""
    return {"portal_name": get_current_site(request).name}
