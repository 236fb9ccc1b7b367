"""The newsroom's dashboard on the admin's home page."""

from __future__ import annotations

from typing import Any

from django import template

from wiesci.core import dashboard

register = template.Library()


@register.simple_tag(takes_context=True)
def dashboard_panels(context: dict[str, Any]) -> list[dashboard.Panel]:
    return dashboard.panels_for(context["request"])
