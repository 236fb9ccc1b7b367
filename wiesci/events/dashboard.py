"""The events' panels on the newsroom's dashboard (see core.dashboard)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wiesci.core.dashboard import Panel, first
from wiesci.core.editorial import Status
from wiesci.core.text import local_time
from wiesci.events.models import Event
from wiesci.events.services import WORKFLOW

NEEDS_REPORT = "raport"


def _change(event: Event) -> str:
    return reverse("admin:events_event_change", args=[event.pk])


def _list(**params: str) -> str:
    return reverse("admin:events_event_changelist") + "?" + urlencode(params)


def panels(request: HttpRequest) -> list[Panel]:
    user = request.user
    if not user.has_perm("events.view_event"):
        return []
    found = []
    needing = Event.objects.needing_report().order_by("-over_at")
    found.append(
        Panel(
            "events-report",
            _("Events needing a report"),
            needing.count(),
            _list(**{NEEDS_REPORT: "1"}),
            first(
                needing, lambda e: e.title, _change, lambda e: local_time(e.starts_at)
            ),
            empty_text=_("Every past event has its report."),
        )
    )
    if WORKFLOW.can_publish(user):
        waiting = Event.objects.filter(status=Status.IN_REVIEW).order_by("modified_at")
        found.append(
            Panel(
                "events-review",
                _("Events waiting for review"),
                waiting.count(),
                _list(status__exact=Status.IN_REVIEW),
                first(
                    waiting,
                    lambda e: e.title,
                    _change,
                    lambda e: local_time(e.starts_at),
                ),
                urgent=True,
                empty_text=_("Nothing is waiting."),
            )
        )
    return found
