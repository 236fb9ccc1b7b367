"""A reader plans the weekend: the calendar, this weekend, an event, the
preview article that announced it, and back — on a phone and on a laptop."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.checkers import axe_violations, overlapping
from wiesci.articles.models import Label
from wiesci.core.actors import COMMAND
from wiesci.events import calendar, services
from wiesci.events.models import Event
from wiesci.taxonomy.models import Organisation, Place


@pytest.mark.parametrize("width", [360, 1366])
def test_calendar_weekend_event_preview_and_back(
    browser, live_server, make_article, width
):
    place = Place.objects.create(name="Wojnowice", gmina="Krzanowice")
    castle = Organisation.objects.create(name="Zamek w Wojnowicach", place=place)
    preview = make_article(
        title="Kwartet smyczkowy zagra na zamku",
        lead="W sobotę wieczorem koncert przy świecach.",
    )
    preview.labels.add(Label.objects.get_or_create(name="ZAPOWIEDŹ")[0])
    weekend = calendar.this_weekend(timezone.localdate())
    saturday = (
        weekend.last - timedelta(days=1)
        if weekend.first != weekend.last
        else weekend.first
    )
    concert = Event(
        title="Koncert przy świecach",
        starts_at=timezone.make_aware(datetime.combine(saturday, time(19, 0))),
        venue=castle,
        kind="concert",
        price="30 zł, ulgowy 20 zł",
        preview=preview,
        description="Kwartet zagra Haydna i Dvořáka.",
    )
    concert.save()
    services.publish_event(concert, by=COMMAND)
    later = Event(
        title="Jarmark za miesiąc",
        starts_at=timezone.now() + timedelta(days=30),
        place=place,
    )
    later.save()
    services.publish_event(later, by=COMMAND)

    context = browser.new_context(
        base_url=live_server.url,
        locale="pl-PL",
        viewport={"width": width, "height": 800},
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("link", name="Wydarzenia", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kalendarz wydarzeń")
    assert axe_violations(page) == [] and overlapping(page) == []

    page.get_by_role("link", name="Ten weekend").click()
    expect(page).to_have_url(re.compile("/wydarzenia/weekend/$"))
    expect(page.get_by_role("link", name="Jarmark za miesiąc")).to_have_count(0)
    assert axe_violations(page) == [] and overlapping(page) == []

    page.get_by_role("link", name="Koncert przy świecach").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Koncert przy świecach")
    expect(page.get_by_text("30 zł, ulgowy 20 zł")).to_be_visible()
    expect(page.get_by_role("link", name="Dodaj do kalendarza")).to_be_visible()
    assert axe_violations(page) == [] and overlapping(page) == []

    page.get_by_role("link", name=re.compile("Przeczytaj zapowiedź")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Kwartet smyczkowy zagra na zamku"
    )
    box = page.get_by_role("complementary", name="Wydarzenie")
    expect(box.get_by_role("link", name="Koncert przy świecach")).to_be_visible()
    assert axe_violations(page) == [] and overlapping(page) == []

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Koncert przy świecach")
    page.go_back()
    expect(page).to_have_url(re.compile("/wydarzenia/weekend/$"))
    context.close()
