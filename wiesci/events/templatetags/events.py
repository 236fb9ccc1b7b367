"""What the article, place and organisation pages show of the calendar."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Q

from wiesci.events import calendar
from wiesci.events.models import Event

register = template.Library()

SHOWN = 5


@register.simple_tag
def upcoming_events(*, place: Any = None, organisation: Any = None) -> list[Event]:
    """The next few public events of a place or an organisation: two queries."""
    events = Event.objects.published().upcoming()
    if place is not None:
        events = events.filter(place=place)
    if organisation is not None:
        events = events.filter(
            Q(organisers=organisation) | Q(venue=organisation)
        ).distinct()
    return list(calendar.for_cards(events).in_order()[:SHOWN])


@register.simple_tag
def events_of_article(article: Any) -> dict[str, list[Event]]:
    """The public events an article announces and those it reports on."""
    events = calendar.for_cards(
        Event.objects.published().filter(Q(preview=article) | Q(report=article))
    ).in_order()
    found: dict[str, list[Event]] = {"previewed": [], "reported": []}
    for event in events:
        found["previewed" if event.preview_id == article.pk else "reported"].append(
            event
        )
    return found


@register.simple_tag
def event_json_ld(event: Event) -> Any:
    from wiesci.distribution.structured import script
    from wiesci.events.structured import event_data

    return script(event_data(event))
