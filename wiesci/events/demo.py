"""Demo events of the Racibórz county, placed around the day the demo starts."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from wiesci.articles import demo as articles_demo
from wiesci.articles.models import Article
from wiesci.core.actors import DEMO
from wiesci.core.demo import DemoContext
from wiesci.events import calendar, services
from wiesci.events.models import Event, local_midnight

DATA = Path(__file__).with_name("demo.toml")
WEEKDAYS = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
# How long before its start an event went on the calendar.
ANNOUNCED = timedelta(days=7)


def has_content() -> bool:
    return Event.objects.exists()


def day_of(entry: dict[str, Any], today: date) -> date:
    """The local day an entry names: `days_from_now`, a `weekend` day (the
    weekend's first remaining day once that one has passed) or the next
    `weekday` after today, `weeks` later."""
    if "weekend" in entry:
        weekend = calendar.this_weekend(today)
        offset = WEEKDAYS.index(entry["weekend"]) - weekend.first.weekday()
        return max(weekend.first + timedelta(days=offset), today)
    if "weekday" in entry:
        ahead = (WEEKDAYS.index(entry["weekday"]) - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead + 7 * entry.get("weeks", 0))
    return today + timedelta(days=entry.get("days_from_now", 0))


def demo_articles(context: DemoContext) -> dict[str, Article]:
    """The articles demo's keys → its saved articles, found by their titles
    when the articles loader did not share them."""
    shared: dict[str, Article] | None = context.shared.get("articles")
    if shared:
        return shared
    data: dict[str, Any] = tomllib.loads(articles_demo.DATA.read_text())
    titles = {entry["key"]: entry["title"] for entry in data["article"]}
    found = {
        article.title: article
        for article in Article.objects.filter(title__in=titles.values())
        .select_related("main_photo")
        .order_by("-pk")
    }
    return {key: found[title] for key, title in titles.items() if title in found}


def load(context: DemoContext) -> None:
    data: dict[str, Any] = tomllib.loads(DATA.read_text())
    places = context.shared.get("places", {})
    organisations = context.shared.get("organisations", {})
    staff = context.shared.get("staff", {})
    articles = demo_articles(context)
    today = timezone.localdate(context.now)
    events: dict[str, Event] = {}
    published = unpublished = 0
    for entry in data["event"]:
        starts_at, ends_at = _when(entry, today)
        event = Event(
            title=entry["title"],
            kind=Event.Kind(entry["kind"]),
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=entry.get("all_day", False),
            venue=organisations.get(entry.get("venue", "")),
            place=places.get(entry.get("place", "")),
            address=entry.get("address", ""),
            is_free=entry.get("free", False),
            price=entry.get("price", ""),
            link=entry.get("link", ""),
            description=entry["description"].strip(),
            preview=articles[entry["preview"]] if "preview" in entry else None,
        )
        source = entry.get("photo_from") or entry.get("report") or entry.get("preview")
        if source is not None:
            event.photo = articles[source].main_photo
        wanted_review = entry.get("status") == "review"
        author = staff.get(entry.get("author", "")) if wanted_review else None
        event.created_by = author
        event.save()
        events[entry["key"]] = event
        event.organisers.set(organisations[key] for key in entry.get("organisers", []))
        services.record_event_saved(event, by=author or DEMO, created=True)
        if wanted_review:
            # Sent for review by its journalist; without one it stays a draft.
            if author is not None:
                services.submit_event(event, by=author)
            unpublished += 1
            continue
        services.publish_event(
            event, by=DEMO, at=min(context.now, event.starts_at - ANNOUNCED)
        )
        if "report" in entry:
            services.link_report(event, report=articles[entry["report"]], by=DEMO)
        published += 1
    context.shared["events"] = events
    context.say(f"  {published} events on the calendar, {unpublished} in the works")


def _when(entry: dict[str, Any], today: date) -> tuple[datetime, datetime | None]:
    """The start and the end (None: the default length) of an entry."""
    day = day_of(entry, today)
    if entry.get("all_day", False):
        days = entry.get("days", 1)
        last = local_midnight(day + timedelta(days=days - 1)) if days > 1 else None
        return local_midnight(day), last
    starts_at = timezone.make_aware(
        datetime.combine(day, time(entry["hour"], entry.get("minute", 0)))
    )
    if "length" in entry:
        return starts_at, starts_at + timedelta(hours=entry["length"])
    return starts_at, None
