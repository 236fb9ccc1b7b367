"""The calendar as iCalendar (RFC 5545): feeds phones subscribe to and one
event's "add to calendar" file.

Times are written in Europe/Warsaw with its VTIMEZONE, so a phone shows the
local hour whatever zone it is in; the one hour a year that happens twice
(the night the clocks go back) is written in UTC for its second pass, which
a local time could not tell from the first. All-day events are dates, their
end the day after the last (DTEND is exclusive).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.html import strip_tags
from icalendar import Calendar, vDuration, vText
from icalendar import Event as VEvent

from wiesci.distribution.structured import absolute
from wiesci.events.models import Event

PRODID = "-//Wieści//Kalendarz wydarzeń//PL"
# How often a subscribed phone should ask again.
REFRESH = timedelta(hours=6)
# Past events a feed keeps, so a phone's calendar does not lose them at once.
KEEP_PAST = timedelta(days=90)
MAX_EVENTS = 1000
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _is_second_pass(local: datetime) -> bool:
    """Whether `local` is the repeated hour's second occurrence."""
    other = local.replace(fold=0)
    return local.fold == 1 and other.utcoffset() != local.utcoffset()


def _moment(value: datetime) -> datetime:
    local = timezone.localtime(value)
    if _is_second_pass(local):
        return value.astimezone(UTC)
    return local


def feed_events(events: Any) -> Any:
    """What a feed lists: events still to come and those of the last months."""
    since = timezone.now() - KEEP_PAST
    return events.filter(over_at__gt=since).order_by("starts_at", "pk")[:MAX_EVENTS]


def uid(event: Event) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(settings.SITE_URL).hostname or "wiesci"
    return f"wydarzenie-{event.pk}@{host}"


def vevent(event: Event) -> VEvent:
    entry = VEvent()
    entry.add("uid", uid(event))
    entry.add("dtstamp", event.modified_at.astimezone(UTC))
    entry.add("last-modified", event.modified_at.astimezone(UTC))
    if event.all_day:
        entry.add("dtstart", event.first_day)
        entry.add("dtend", event.last_day + timedelta(days=1))
    else:
        entry.add("dtstart", _moment(event.starts_at))
        entry.add("dtend", _moment(event.over_at))
    entry.add("summary", event.title)
    url = absolute(event.get_absolute_url())
    description = strip_tags(event.description).strip()
    details = [description] if description else []
    if event.is_free:
        details.append("Wstęp wolny.")
    elif event.price:
        details.append(f"Wstęp: {event.price}.")
    details.append(url)
    entry.add("description", "\n\n".join(details))
    if event.where:
        entry.add("location", event.where)
    entry.add("url", url)
    entry.add("categories", [vText(event.get_kind_display())])
    entry.add("status", "CONFIRMED")
    entry.add("transp", "TRANSPARENT" if event.all_day else "OPAQUE")
    return entry


def calendar(events: Any, *, name: str, description: str = "") -> bytes:
    """`events` as one VCALENDAR, with the time zones they use."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    if description:
        cal.add("x-wr-caldesc", description)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    ttl: bytes = vDuration(REFRESH).to_ical()  # type: ignore[no-untyped-call]
    cal.add("x-published-ttl", ttl.decode())
    events = list(events)
    for event in events:
        cal.add_component(vevent(event))
    if events:
        # The zone's rules for the years the events span, not for decades.
        first = min(event.first_day for event in events)
        last = max(event.last_day for event in events)
        cal.add_missing_timezones(
            first_date=first.replace(month=1, day=1),
            last_date=last.replace(year=last.year + 1, month=1, day=1),
        )
    data: bytes = cal.to_ical()
    return data
