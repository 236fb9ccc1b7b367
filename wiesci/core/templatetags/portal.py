"""Template filters every page uses."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

register = template.Library()

# Addresses of pages without parameters, as every page's header links them:
# they change only with the URL configuration and the portal's mount point.
_addresses: dict[tuple[str, str, object], str] = {}


@register.filter
def machine_time(value: datetime | None) -> str:
    """A `datetime` attribute value: ISO 8601 in local time, to the second."""
    if value is None:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.simple_tag
def address(name: str) -> str:
    """`{% url name %}` for a page without parameters, worked out once per
    process (the header of every page links the same few)."""
    key = (name, get_script_prefix(), get_urlconf())
    found = _addresses.get(key)
    if found is None:
        if len(_addresses) >= 256:
            _addresses.clear()
        found = _addresses[key] = reverse(name)
    return found


_assets: dict[tuple[str, str], str] = {}


@register.simple_tag
def asset(path: str) -> str:
    """`{% static path %}`, worked out once per process: the collected files
    and their names do not change while it runs."""
    key = (path, get_script_prefix())
    found = _assets.get(key)
    if found is None:
        if len(_assets) >= 256:
            _assets.clear()
        found = _assets[key] = static(path)
    return found
