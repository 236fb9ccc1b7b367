"""The calendar's periods and filters, as readers' addresses name them.

Days are days in Poland (settings.TIME_ZONE): "today" starts at local
midnight, "this weekend" is Friday to Sunday (the one under way from Friday
on), "this week" today to Sunday. Filters are slugs in the query string:
`?miejscowosc=krzanowice&rodzaj=concert&organizacja=biblioteka`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wiesci.core import pagecache
from wiesci.events.models import Event, local_midnight
from wiesci.taxonomy.models import Organisation, Place

PLACE, KIND, ORGANISATION = "miejscowosc", "rodzaj", "organizacja"
FILTERS = (PLACE, KIND, ORGANISATION)
SLUG = re.compile(r"[a-z0-9_-]{1,160}")
FRIDAY, SUNDAY = 4, 6


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive

    @property
    def start(self) -> datetime:
        return local_midnight(self.first)

    @property
    def end(self) -> datetime:
        return local_midnight(self.last + timedelta(days=1))


def today() -> date:
    return timezone.localdate()


def this_weekend(day: date) -> Period:
    if day.weekday() >= FRIDAY:
        return Period(day, day + timedelta(days=SUNDAY - day.weekday()))
    friday = day + timedelta(days=FRIDAY - day.weekday())
    return Period(friday, friday + timedelta(days=2))


def this_week(day: date) -> Period:
    return Period(day, day + timedelta(days=SUNDAY - day.weekday()))


def month(year: int, number: int) -> Period:
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return Period(first, following - timedelta(days=1))


def canonical_filters(
    pairs: list[tuple[str, str]], *, paginated: bool = False
) -> list[tuple[str, str]]:
    """The filters as the calendar's links write them: each once, as a slug,
    with the page number where lists have pages."""
    given: dict[str, str] = {}
    for name, value in pairs:
        given.setdefault(name, value)
    chosen = [
        (name, given[name]) for name in FILTERS if SLUG.fullmatch(given.get(name, ""))
    ]
    return chosen + (pagecache.page_number(pairs) if paginated else [])


@dataclass
class Filters:
    place: Place | None = None
    kind: str = ""
    organisation: Organisation | None = None

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        asked = dict(
            canonical_filters([(k, v) for k in FILTERS for v in query.getlist(k)])
        )
        place = organisation = None
        if PLACE in asked:
            place = Place.objects.filter(slug=asked[PLACE]).first()
        if ORGANISATION in asked:
            organisation = Organisation.objects.filter(slug=asked[ORGANISATION]).first()
        kind = asked.get(KIND, "")
        return cls(
            place=place,
            kind=kind if kind in Event.Kind.values else "",
            organisation=organisation,
        )

    def apply(self, events: Any) -> Any:
        if self.place is not None:
            events = events.filter(place=self.place)
        if self.kind:
            events = events.filter(kind=self.kind)
        if self.organisation is not None:
            events = events.filter(
                Q(organisers=self.organisation) | Q(venue=self.organisation)
            ).distinct()
        return events

    @property
    def query(self) -> str:
        from urllib.parse import urlencode

        pairs = []
        if self.place is not None:
            pairs.append((PLACE, self.place.slug))
        if self.kind:
            pairs.append((KIND, self.kind))
        if self.organisation is not None:
            pairs.append((ORGANISATION, self.organisation.slug))
        return urlencode(pairs)

    def __bool__(self) -> bool:
        return bool(self.place or self.kind or self.organisation)


def for_cards(events: Any) -> Any:
    """Events with everything a card shows: two queries, however many."""
    return events.for_lists().prefetch_related(
        Prefetch(
            "organisers",
            queryset=Organisation.objects.only("name", "short_name", "slug"),
        )
    )


def by_day(events: list[Event], *, since: date) -> list[tuple[date, list[Event]]]:
    """Events under the day they are listed on: their first day, or `since`
    for one that began before it and is still under way."""
    days: dict[date, list[Event]] = {}
    for event in events:
        days.setdefault(max(event.first_day, since), []).append(event)
    return sorted(days.items())


PERIOD_TITLES = {
    "today": _("Today"),
    "weekend": _("This weekend"),
    "week": _("This week"),
}
