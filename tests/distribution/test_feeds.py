"""RSS and Atom feeds, read by feedparser as a feed reader would."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from django.contrib.sites.models import Site
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.articles.test_queries import Portal, portal  # noqa: F401 (fixture)
from wiesci.articles import services
from wiesci.core.actors import COMMAND

pytestmark = pytest.mark.django_db

FEEDS = ["/rss/", "/atom/"]


def parsed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return response, feed


@pytest.mark.parametrize("url", FEEDS)
def test_a_feed_lists_the_story_as_a_reader_sees_it(client, settings, story, url):
    response, feed = parsed(client, url)
    assert response["Content-Type"].startswith(
        "application/rss+xml" if "rss" in url else "application/atom+xml"
    )
    assert feed.feed.title == Site.objects.get_current().name
    if "rss" in url:
        assert feed.feed.language == "pl"
    self_links = [link.href for link in feed.feed.links if link.rel == "self"]
    assert self_links == [f"{settings.SITE_URL}{url}"]
    (entry,) = feed.entries
    # Markers in the title, as the page's <title> shows them.
    assert entry.title == "Dożynki w Krzanowicach & okolicy [FOTO]"
    assert entry.link.endswith(story.get_absolute_url())
    assert "Korowód przeszedł przez rynek; wieńce oceniło jury." in entry.summary
    assert entry.author == "Anna Kowalczyk"
    assert {tag.term for tag in entry.tags} == {"Wiadomości", "dożynki"}
    # Dates in the portal's time zone, the same instant as the database's.
    published = timezone.localtime(story.published_at)
    assert entry.published_parsed[:5] == published.utctimetuple()[:5]
    offset = published.strftime("%z")
    assert offset in (entry.published.replace(":", "")), entry.published
    # The main photo as an enclosure: its JPEG, with its real size and type.
    (enclosure,) = [link for link in entry.links if link.rel == "enclosure"]
    assert enclosure.type == "image/jpeg"
    assert enclosure.href.startswith(settings.SITE_URL + settings.MEDIA_URL)
    stored = enclosure.href.removeprefix(settings.SITE_URL + settings.MEDIA_URL)
    assert int(enclosure.length) == default_storage.size(stored) > 0
    # The guid stays when the slug changes.
    before = entry.id
    story.slug = "dozynki-2026"
    services.save_article(story, by=COMMAND)
    cache.clear()
    _, again = parsed(client, url)
    assert again.entries[0].id == before
    assert again.entries[0].link.endswith("/artykul/dozynki-2026/")


@pytest.mark.parametrize("kind", ["section", "tag", "place", "organisation", "author"])
def test_each_listing_has_its_feeds_and_pages_link_to_them(client, story, kind):
    related = {
        "section": story.section,
        "tag": story.tags.get(),
        "place": story.places.get(),
        "organisation": story.organisations.get(),
        "author": story.authors.get(),
    }[kind]
    page = client.get(related.get_absolute_url()).content.decode()
    for fmt in ("rss", "atom"):
        url = f"{related.get_absolute_url()}{fmt}/"
        assert f'href="{url}"' in page  # discoverable from the listing page
        _, feed = parsed(client, url)
        assert str(related) in feed.feed.title
        assert [e.title for e in feed.entries] == [story.title_with_markers]
    # Every page names the portal's own feeds.
    assert 'type="application/rss+xml"' in page and 'href="/rss/"' in page


def test_unknown_listing_feed_is_404(client, db):
    assert client.get("/dzial/nie-ma-takiego/rss/").status_code == 404


def test_unpublished_stories_stay_out_and_a_withdrawn_one_leaves(
    client, story, make_article, editor
):
    make_article(title="Szkic", publish=False)
    later = make_article(title="Jutro", publish=False)
    services.publish_article(later, at=timezone.now() + timedelta(days=1), by=COMMAND)
    for url in FEEDS:
        _, feed = parsed(client, url)
        assert [e.title for e in feed.entries] == [story.title_with_markers]
    services.withdraw_article(story, by=editor, note="Nieaktualne.")
    for url in FEEDS:
        _, feed = parsed(client, url)
        assert feed.entries == []


def test_feeds_answer_conditional_requests(client, story):
    first = client.get("/rss/")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/rss/", headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_feeds_come_from_the_page_cache_and_leave_it_on_publication(
    server, story, make_article, editor, django_capture_on_commit_callbacks
):
    first, second = server("/rss/"), server("/rss/")
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert first.body == second.body
    assert server("/rss/", if_none_match=second.headers["etag"]).status == 304
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Nowa wiadomość z sesji rady")
    fresh = server("/rss/")
    assert fresh.headers["x-cache"] == "MISS"
    assert "Nowa wiadomość z sesji rady" in fresh.text
    tag_feed = story.tags.get().get_absolute_url() + "atom/"
    assert "Dożynki w Krzanowicach" in server(tag_feed).text
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_article(story, by=editor)
    assert "Dożynki w Krzanowicach" not in server(tag_feed).text
    assert "Dożynki w Krzanowicach" not in server("/rss/").text


FEED_URLS = {
    "all-rss": lambda p: "/rss/",
    "all-atom": lambda p: "/atom/",
    "place": lambda p: p.place.get_absolute_url() + "rss/",
    "tag": lambda p: p.tag.get_absolute_url() + "atom/",
    "organisation": lambda p: p.organisation.get_absolute_url() + "rss/",
    "author": lambda p: p.author.get_absolute_url() + "atom/",
    "section": lambda p: p.article.section.get_absolute_url() + "rss/",
}


def count(client, url: str) -> tuple[int, int]:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(feedparser.parse(response.content).entries)


@pytest.mark.parametrize("name", FEED_URLS)
def test_feed_queries_do_not_grow_with_items(client, portal, name):  # noqa: F811
    url = FEED_URLS[name](portal)
    portal.grow(1)
    client.get(url)
    few, listed_few = count(client, url)
    portal.grow(49)
    many, listed_many = count(client, url)
    assert listed_many > listed_few  # the feed really lists more
    assert many == few
