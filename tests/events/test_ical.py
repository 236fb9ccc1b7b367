"""The calendar's iCalendar feeds as phones read them (RFC 5545)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from wiesci.core.actors import COMMAND
from wiesci.events import services
from wiesci.events.models import Event
from wiesci.taxonomy.models import Organisation, Place

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")


@pytest.fixture
def place() -> Place:
    return Place.objects.create(name="Krzanowice", gmina="Krzanowice", kind="town")


def event(place: Place, title: str, starts_at: datetime, **fields: object) -> Event:
    row = Event(title=title, starts_at=starts_at, place=place, **fields)
    row.save()
    return services.publish_event(row, by=COMMAND)


def parse(body: bytes) -> Calendar:
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(
        b"END:VCALENDAR\r\n"
    )
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line  # folded as RFC 5545 § 3.1 asks
        assert b"\n" not in line
    return Calendar.from_ical(body)


def check_rfc5545(calendar: Calendar) -> None:
    """The properties RFC 5545 requires, and a VTIMEZONE for every TZID used."""
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    zones = {str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")}
    for entry in calendar.walk("VEVENT"):
        assert entry["UID"] and entry.get("DTSTAMP") is not None
        assert entry.decoded("DTSTAMP").utcoffset() == timedelta(0)
        for name in ("DTSTART", "DTEND"):
            tzid = entry[name].params.get("TZID")
            if tzid:
                assert tzid in zones
        assert entry.decoded("DTEND") > entry.decoded("DTSTART")


def elapsed(entry: Any) -> timedelta:
    """Real time between start and end (Python subtracts wall clocks in one zone)."""
    start = entry.decoded("DTSTART").astimezone(UTC)
    end = entry.decoded("DTEND").astimezone(UTC)
    return end - start  # type: ignore[no-any-return]


def by_summary(calendar: Calendar) -> dict[str, Any]:
    return {str(entry["SUMMARY"]): entry for entry in calendar.walk("VEVENT")}


def test_feed_keeps_warsaw_times_across_the_autumn_change(client, place, settings):
    # On 25 October 2026 the clocks go back at 03:00 CEST: 02:30 happens twice.
    first = datetime(2026, 10, 25, 2, 30, tzinfo=WARSAW)  # CEST, 00:30 UTC
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=WARSAW)  # CET, 01:30 UTC
    assert first.astimezone(UTC).hour == 0 and second.astimezone(UTC).hour == 1
    # Typed as an editor reads the clock: 02:30 to 03:30 is two hours that night.
    event(
        place, "Nocny bieg", first, ends_at=datetime(2026, 10, 25, 3, 30, tzinfo=WARSAW)
    )
    event(
        place, "Druga 2:30", second, ends_at=datetime(2026, 10, 25, 3, 0, tzinfo=WARSAW)
    )
    evening = datetime(2026, 10, 24, 22, 0, tzinfo=WARSAW)
    event(
        place,
        "Zabawa do rana",
        evening,
        ends_at=datetime(2026, 10, 25, 5, 0, tzinfo=WARSAW),
    )
    with _at(datetime(2026, 10, 1, 12, tzinfo=UTC)):
        response = client.get("/wydarzenia/kalendarz.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = parse(response.content)
    check_rfc5545(calendar)
    entries = by_summary(calendar)

    run = entries["Nocny bieg"]
    assert run["DTSTART"].params["TZID"] == "Europe/Warsaw"
    assert run.decoded("DTSTART").astimezone(UTC) == first.astimezone(UTC)
    assert run.decoded("DTEND").astimezone(UTC) == datetime(
        2026, 10, 25, 2, 30, tzinfo=UTC
    )
    assert elapsed(run) == timedelta(hours=2)
    # The repeated hour's second pass cannot be told by a local time: UTC.
    again = entries["Druga 2:30"]
    assert again.decoded("DTSTART") == second.astimezone(UTC)
    # A night across the change lasts eight hours, not seven.
    party = entries["Zabawa do rana"]
    assert elapsed(party) == timedelta(hours=8)

    # The feed's own VTIMEZONE, not the reader's tz database, gives these offsets.
    zone = calendar.walk("VTIMEZONE")[0].to_tz()  # type: ignore[attr-defined]
    before = datetime(2026, 10, 25, 1, 0, tzinfo=zone)
    after = datetime(2026, 10, 25, 4, 0, tzinfo=zone)
    assert zone.utcoffset(before) == timedelta(hours=2)
    assert zone.utcoffset(after) == timedelta(hours=1)


def test_spring_change_keeps_the_hour_a_reader_reads(client, place):
    # On 28 March 2027 02:00 CET becomes 03:00 CEST.
    start = datetime(2027, 3, 28, 1, 30, tzinfo=WARSAW)
    end = datetime(2027, 3, 28, 3, 30, tzinfo=WARSAW)
    event(place, "Rajd nocny", start, ends_at=end)
    with _at(datetime(2027, 3, 1, 12, tzinfo=UTC)):
        calendar = parse(client.get("/wydarzenia/kalendarz.ics").content)
    check_rfc5545(calendar)
    rally = by_summary(calendar)["Rajd nocny"]
    assert rally.decoded("DTSTART") == datetime(2027, 3, 28, 1, 30, tzinfo=WARSAW)
    assert rally.decoded("DTEND") == datetime(2027, 3, 28, 3, 30, tzinfo=WARSAW)
    assert elapsed(rally) == timedelta(hours=1)
    assert "20270328T013000" in client.get("/wydarzenia/kalendarz.ics").content.decode()


def test_all_day_event_of_several_days_is_dates_with_an_exclusive_end(client, place):
    start = datetime(2026, 12, 11, 0, 0, tzinfo=WARSAW)
    event(
        place,
        "Jarmark bożonarodzeniowy",
        start,
        all_day=True,
        ends_at=datetime(2026, 12, 13, 0, 0, tzinfo=WARSAW),
    )
    with _at(datetime(2026, 12, 1, 12, tzinfo=UTC)):
        response = client.get("/wydarzenie/jarmark-bozonarodzeniowy.ics")
    assert "attachment" in response["Content-Disposition"]
    calendar = parse(response.content)
    check_rfc5545(calendar)
    fair = by_summary(calendar)["Jarmark bożonarodzeniowy"]
    assert fair.decoded("DTSTART") == date(2026, 12, 11)
    assert fair.decoded("DTEND") == date(2026, 12, 14)
    assert "VALUE=DATE" in fair["DTSTART"].to_ical().decode() or isinstance(
        fair.decoded("DTSTART"), date
    )


def test_place_and_organisation_feeds_hold_their_own_events(client, place):
    library = Organisation.objects.create(name="Biblioteka Publiczna", place=place)
    other = Place.objects.create(name="Nędza", gmina="Nędza")
    soon = datetime(2026, 12, 5, 18, tzinfo=WARSAW)
    meeting = event(place, "Spotkanie autorskie", soon, venue=library)
    meeting.organisers.add(library)
    event(other, "Festyn w Nędzy", soon)
    draft = Event(title="Szkic wydarzenia", starts_at=soon, place=place)
    draft.save()
    with _at(datetime(2026, 12, 1, 12, tzinfo=UTC)):
        everything = by_summary(parse(client.get("/wydarzenia/kalendarz.ics").content))
        own = by_summary(
            parse(client.get("/wydarzenia/miejscowosc/krzanowice.ics").content)
        )
        library_feed = client.get("/wydarzenia/organizacja/biblioteka-publiczna.ics")
    assert set(everything) == {"Spotkanie autorskie", "Festyn w Nędzy"}
    assert set(own) == {"Spotkanie autorskie"}
    assert set(by_summary(parse(library_feed.content))) == {"Spotkanie autorskie"}
    assert "Biblioteka Publiczna" in str(own["Spotkanie autorskie"]["LOCATION"])


def _at(moment: datetime) -> Any:
    import time_machine

    return time_machine.travel(moment, tick=False)
