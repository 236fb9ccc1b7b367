"""The calendar's pages: periods, filters, the event page, the newsroom's rules."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wiesci.core.actors import COMMAND
from wiesci.core.editorial import NotAllowed, Status
from wiesci.events import calendar, services
from wiesci.events.models import Event
from wiesci.taxonomy.models import Organisation, Place

pytestmark = pytest.mark.django_db
WARSAW = ZoneInfo("Europe/Warsaw")
# A Wednesday; that week's weekend is 4–6 December 2026.
WEDNESDAY = datetime(2026, 12, 2, 10, 0, tzinfo=WARSAW)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


@pytest.fixture
def place() -> Place:
    return Place.objects.create(name="Krzanowice", gmina="Krzanowice", kind="town")


def make(place: Place, title: str, when: datetime, **fields: Any) -> Event:
    event = Event(title=title, starts_at=when, place=place, **fields)
    event.save()
    return services.publish_event(event, by=COMMAND)


def titles(response: Any) -> list[str]:
    html = response.content.decode()
    return re.findall(r'class="event-card__title">([^<]+)<', html)


def test_weekend_is_friday_to_sunday_and_the_one_under_way() -> None:
    assert calendar.this_weekend(date(2026, 12, 2)).first == date(2026, 12, 4)
    assert calendar.this_weekend(date(2026, 12, 2)).last == date(2026, 12, 6)
    assert calendar.this_weekend(date(2026, 12, 5)).first == date(2026, 12, 5)
    assert calendar.this_weekend(date(2026, 12, 6)).last == date(2026, 12, 6)
    assert calendar.this_week(date(2026, 12, 2)).last == date(2026, 12, 6)
    assert calendar.month(2026, 12).last == date(2026, 12, 31)


def test_periods_list_what_happens_in_them(client, place, frozen) -> None:
    make(place, "Poranek w bibliotece", WEDNESDAY.replace(hour=16))
    make(place, "Koncert w piątek", datetime(2026, 12, 4, 19, tzinfo=WARSAW))
    make(place, "Mecz w niedzielę", datetime(2026, 12, 6, 14, tzinfo=WARSAW))
    make(place, "Jarmark za tydzień", datetime(2026, 12, 12, 10, tzinfo=WARSAW))
    make(place, "Wczorajszy wykład", datetime(2026, 12, 1, 18, tzinfo=WARSAW))
    # Under way since Monday, all day until Thursday: listed today.
    make(
        place,
        "Wystawa szopek",
        datetime(2026, 11, 30, tzinfo=WARSAW),
        all_day=True,
        ends_at=datetime(2026, 12, 3, tzinfo=WARSAW),
    )
    assert titles(client.get("/wydarzenia/dzis/")) == [
        "Wystawa szopek",
        "Poranek w bibliotece",
    ]
    assert titles(client.get("/wydarzenia/weekend/")) == [
        "Koncert w piątek",
        "Mecz w niedzielę",
    ]
    assert "Jarmark za tydzień" not in titles(client.get("/wydarzenia/tydzien/"))
    upcoming = titles(client.get("/wydarzenia/"))
    assert "Wczorajszy wykład" not in upcoming and "Jarmark za tydzień" in upcoming
    assert titles(client.get("/wydarzenia/archiwum/")) == ["Wczorajszy wykład"]
    month = titles(client.get("/wydarzenia/2026/12/"))
    assert "Wczorajszy wykład" in month and "Jarmark za tydzień" in month


def test_filters_by_place_kind_and_organisation(client, place, frozen) -> None:
    other = Place.objects.create(name="Nędza", gmina="Nędza")
    club = Organisation.objects.create(name="LKS Krzanowice", place=place)
    match = make(place, "Mecz LKS", WEDNESDAY + timedelta(days=1), kind="sport")
    match.organisers.add(club)
    make(place, "Koncert", WEDNESDAY + timedelta(days=1), kind="concert")
    make(other, "Festyn w Nędzy", WEDNESDAY + timedelta(days=2), kind="festival")
    page = client.get("/wydarzenia/?miejscowosc=krzanowice")
    assert titles(page) == ["Mecz LKS", "Koncert"]
    assert (
        "Wydarzenia w Krzanowicach" not in page.content.decode()
    )  # a calendar heading
    assert titles(client.get("/wydarzenia/?rodzaj=sport")) == ["Mecz LKS"]
    assert titles(client.get("/wydarzenia/?organizacja=lks-krzanowice")) == ["Mecz LKS"]
    empty = client.get("/wydarzenia/?rodzaj=exhibition")
    assert "Żadne wydarzenie nie pasuje do tych filtrów." in empty.content.decode()


def test_calendar_page_offers_its_feed(client, place, frozen) -> None:
    html = client.get("/wydarzenia/?miejscowosc=krzanowice").content.decode()
    assert (
        '<link rel="alternate" type="text/calendar" title="Kalendarz wydarzeń '
        '(iCalendar)" href="/wydarzenia/miejscowosc/krzanowice.ics">' in html
    )


def test_event_page_has_event_structured_data(client, place, frozen) -> None:
    library = Organisation.objects.create(name="Biblioteka Publiczna", place=place)
    event = make(
        place,
        "Spotkanie z autorką",
        datetime(2026, 12, 5, 18, tzinfo=WARSAW),
        venue=library,
        address="ul. Morawska 5",
        is_free=True,
        description="Rozmowa o nowej książce.",
    )
    event.organisers.add(library)
    html = client.get(event.get_absolute_url()).content.decode()
    found = re.search(r'<script type="application/ld\+json">(.+?)</script>', html)
    assert found
    data = json.loads(found.group(1))
    assert data["@type"] == "Event"
    assert data["startDate"] == "2026-12-05T18:00:00+01:00"
    assert data["location"]["address"]["addressLocality"] == "Krzanowice"
    assert data["organizer"][0]["name"] == "Biblioteka Publiczna"
    assert data["isAccessibleForFree"] is True
    assert 'href="/wydarzenie/spotkanie-z-autorka.ics"' in html


def test_unpublished_events_are_never_shown(client, place, journalist, frozen) -> None:
    draft = Event(
        title="Tajny szkic", starts_at=WEDNESDAY + timedelta(days=1), place=place
    )
    draft.save()
    services.record_event_saved(draft, by=journalist, created=True)
    services.submit_event(draft, by=journalist)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Tajny szkic" not in client.get("/wydarzenia/").content.decode()
    assert b"Tajny szkic" not in client.get("/wydarzenia/kalendarz.ics").content


def test_journalist_submits_and_only_an_editor_publishes(
    place, journalist, editor
) -> None:
    event = Event(title="Dożynki", starts_at=WEDNESDAY, place=place)
    event.save()
    services.record_event_saved(event, by=journalist, created=True)
    services.submit_event(event, by=journalist)
    with pytest.raises(NotAllowed):
        services.publish_event(event, by=journalist)
    services.return_event(event, by=editor, note="Dopisz cenę biletów.")
    assert event.status == Status.DRAFT and event.review_note == "Dopisz cenę biletów."
    services.publish_event(event, by=editor)
    log = [(entry.action, entry.by) for entry in event.log.order_by("at", "pk")]
    assert log == [
        ("created", journalist),
        ("submitted", journalist),
        ("returned", editor),
        ("published", editor),
    ]


def test_past_event_waits_for_its_report(client, place, editor, make_article) -> None:
    with time_machine.travel(WEDNESDAY - timedelta(days=3), tick=False):
        event = make(place, "Dożynki gminne", WEDNESDAY - timedelta(days=3))
    with time_machine.travel(WEDNESDAY, tick=False):
        assert list(Event.objects.needing_report()) == [event]
        client.force_login(editor)
        desk = client.get("/admin/").content.decode()
        assert "Wydarzenia bez relacji" in desk and "Dożynki gminne" in desk
        report = make_article(title="Tak było na dożynkach")
        services.link_report(event, report=report, by=editor)
        assert not Event.objects.needing_report().exists()
        assert (
            "Tak było na dożynkach"
            in client.get(event.get_absolute_url()).content.decode()
        )


def test_preview_article_and_event_link_each_other(
    client, place, make_article, frozen
) -> None:
    preview = make_article(title="Kolędy w kościele")
    event = make(place, "Koncert kolęd", WEDNESDAY + timedelta(days=2), preview=preview)
    article_page = client.get(preview.get_absolute_url()).content.decode()
    assert event.get_absolute_url() in article_page and "Koncert kolęd" in article_page
    event_page = client.get(event.get_absolute_url()).content.decode()
    assert preview.get_absolute_url() in event_page


def test_place_page_gathers_events_under_a_polish_title(client, place, frozen) -> None:
    make(place, "Festyn parafialny", WEDNESDAY + timedelta(days=3))
    html = client.get(place.get_absolute_url()).content.decode()
    assert "Wydarzenia w Krzanowicach" in html and "Festyn parafialny" in html


def count_queries(client: Any, url: str) -> int:
    """Queries of one request with cold caches: the worst case."""
    from django.contrib.sites.models import Site

    cache.clear()
    Site.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_calendar_and_place_pages_cost_the_same_however_many_events(
    client, place, frozen
) -> None:
    library = Organisation.objects.create(name="Biblioteka", place=place)
    pages = [
        "/wydarzenia/",
        "/wydarzenia/weekend/",
        "/wydarzenia/tydzien/",
        "/wydarzenia/2026/12/",
        "/wydarzenia/archiwum/",
        "/wydarzenia/?miejscowosc=krzanowice",
        "/wydarzenia/kalendarz.ics",
        place.get_absolute_url(),
        library.get_absolute_url(),
    ]

    def grow(n: int, start: int) -> None:
        for i in range(start, start + n):
            organiser = Organisation.objects.create(name=f"Klub {i}", place=place)
            for when in (WEDNESDAY + timedelta(days=2), WEDNESDAY - timedelta(days=2)):
                event = make(place, f"Wydarzenie {i} {when:%d}", when, venue=library)
                event.organisers.add(organiser, library)

    grow(1, 0)
    few = {url: count_queries(client, url) for url in pages}
    grow(12, 1)
    many = {url: count_queries(client, url) for url in pages}
    assert many == few
    assert len(titles(client.get("/wydarzenia/weekend/"))) == 13


def test_sitemap_lists_the_calendar_and_public_events(client, place, frozen) -> None:
    event = make(place, "Festyn rodzinny", WEDNESDAY + timedelta(days=3))
    draft = Event(title="Szkic", starts_at=WEDNESDAY, place=place)
    draft.save()
    body = client.get("/sitemap-strony.xml").content.decode()
    assert f"{event.get_absolute_url()}</loc>" in body
    assert "/wydarzenia/</loc>" in body
    assert draft.get_absolute_url() not in body


def test_review_steps_are_mailed_as_for_articles(
    place, journalist, editor, django_capture_on_commit_callbacks
) -> None:
    from django.core import mail

    event = Event(title="Dożynki w Krzanowicach", starts_at=WEDNESDAY, place=place)
    event.save()
    services.record_event_saved(event, by=journalist, created=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_event(event, by=journalist)
    (to_editor,) = mail.outbox
    assert to_editor.to == [editor.email]
    assert to_editor.subject == "Do akceptacji: „Dożynki w Krzanowicach”"
    assert f"(przysyła: {journalist})" in to_editor.body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_event(event, by=editor, note="Brakuje godziny korowodu.")
    (to_author,) = mail.outbox
    assert to_author.to == [journalist.email]
    assert "Brakuje godziny korowodu." in to_author.body


def test_pages_of_a_filtered_list_keep_the_filter(client, place, frozen) -> None:
    from wiesci.events import views

    other = Place.objects.create(name="Nędza", gmina="Nędza")
    for i in range(views.EVENTS_PER_PAGE + 2):
        make(place, f"Spotkanie {i:02d}", WEDNESDAY + timedelta(hours=i + 1))
    make(other, "Festyn w Nędzy", WEDNESDAY + timedelta(hours=3))
    first = client.get("/wydarzenia/?miejscowosc=krzanowice").content.decode()
    assert 'href="?miejscowosc=krzanowice&amp;strona=2"' in first
    second = client.get("/wydarzenia/?miejscowosc=krzanowice&strona=2")
    assert titles(second) == ["Spotkanie 30", "Spotkanie 31"]
    assert 'href="?miejscowosc=krzanowice"' in second.content.decode()
