"""Lists page through a large archive at the same cost however much it holds.

The numbered lists reach `views.MAX_PAGES` back; here three pages of two
stories (six stories), so that a few stories stand for a large archive.
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wiesci.articles import views
from wiesci.articles.models import Article, Author
from wiesci.taxonomy.models import Organisation, Place, Tag

pytestmark = pytest.mark.django_db

OLDER_NEWS = "Lista kończy się tutaj; starsze wiadomości znajdziesz w"


@pytest.fixture(autouse=True)
def short_lists(settings, monkeypatch):
    settings.WIESCI_PAGE_SIZE = 2
    monkeypatch.setattr(views, "MAX_PAGES", 3)


def test_every_status_is_either_live_or_not():
    """`published()` names the statuses it leaves out: a new one is neither."""
    live, others = set(Article.LIVE_STATUSES), set(Article.OTHER_STATUSES)
    assert live | others == set(Article.Status) and not live & others


def titles(response) -> list[str]:
    return re.findall(r'<span class="card__title">([^<]*)</span>', response.text)


def test_the_last_page_within_reach_says_where_older_news_are(client, make_article):
    stories = [make_article(title=f"Wiadomość {n}") for n in range(8)]
    last = client.get("/najnowsze/?strona=3")
    assert last.status_code == 200
    assert titles(last) == ["Wiadomość 3", "Wiadomość 2"]
    assert "Strona 3 z 3" in last.text
    assert 'rel="next"' not in last.text
    assert 'href="?strona=2"' in last.text
    assert OLDER_NEWS in last.text
    assert '<a href="#site-search-q">wyszukiwarce</a>' in last.text
    # The older stories keep their own pages.
    assert client.get(stories[0].get_absolute_url()).status_code == 200


def test_pages_beyond_reach_are_404_like_pages_past_the_end(client, make_article):
    for n in range(8):
        make_article(title=f"Wiadomość {n}")
    for number in ("4", "40", "4000"):
        assert client.get(f"/najnowsze/?strona={number}").status_code == 404


def test_a_list_within_reach_ends_without_the_note(client, make_article):
    for n in range(5):
        make_article(title=f"Wiadomość {n}")
    first, last = client.get("/najnowsze/"), client.get("/najnowsze/?strona=3")
    assert titles(first) == ["Wiadomość 4", "Wiadomość 3"]
    assert "Strona 1 z 3" in first.text
    assert 'href="?strona=2"' in first.text
    assert titles(last) == ["Wiadomość 0"]
    assert OLDER_NEWS not in last.text
    assert client.get("/najnowsze/?strona=4").status_code == 404


@pytest.mark.parametrize("stories", [3, 9], ids=["short", "long"])
def test_filed_lists_page_newest_first_whether_short_or_long(
    client, make_article, stories
):
    """A short list (its filings within reach) is sorted from its filings, a
    long one read from the newest stories: the pages are the same."""
    place = Place.objects.create(name="Krzanowice", gmina="Krzanowice")
    for n in range(stories):
        make_article(title=f"Krzanowice {n}").places.add(place)
        make_article(title=f"Gdzie indziej {n}")
    hidden = make_article(title="Szkic z Krzanowic", publish=False)
    hidden.places.add(place)
    shown = [
        title
        for number in (1, 2, 3)
        for title in titles(client.get(f"{place.get_absolute_url()}?strona={number}"))
    ]
    newest = [f"Krzanowice {n}" for n in reversed(range(stories))]
    assert shown == newest[:6]
    last = client.get(f"{place.get_absolute_url()}?strona=2")
    assert ("Strona 2 z 2" in last.text) == (stories == 3)
    assert (OLDER_NEWS in client.get(f"{place.get_absolute_url()}?strona=3").text) == (
        stories == 9
    )
    assert client.get(f"{place.get_absolute_url()}?strona=4").status_code == 404


def test_a_long_filed_list_counted_by_drafts_too_ends_with_a_404(client, make_article):
    tag = Tag.objects.create(name="powódź")
    for n in range(3):
        make_article(title=f"Powódź {n}").tags.add(tag)
    for n in range(5):
        make_article(title=f"Szkic {n}", publish=False).tags.add(tag)
    assert titles(client.get(tag.get_absolute_url() + "?strona=2")) == ["Powódź 0"]
    assert client.get(tag.get_absolute_url() + "?strona=3").status_code == 404


def count_queries(client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


LISTS = {
    "latest": lambda p: "/najnowsze/",
    "section": lambda p: p["section"].get_absolute_url(),
    "place": lambda p: p["place"].get_absolute_url(),
    "tag": lambda p: p["tag"].get_absolute_url(),
    "organisation": lambda p: p["organisation"].get_absolute_url(),
    "author": lambda p: p["author"].get_absolute_url(),
}


@pytest.mark.parametrize("page", LISTS)
def test_list_queries_do_not_change_with_more_stories(
    client, make_article, section, page
):
    """Two stories, then beyond reach (a long filed list is read another
    way): the first page costs the same, and a page deep in the list as one
    near its top (the first page alone shows what apps add to a place)."""
    portal = {
        "section": section,
        "place": Place.objects.create(name="Nędza", gmina="Nędza"),
        "tag": Tag.objects.create(name="dożynki"),
        "organisation": Organisation.objects.create(name="OSP Nędza"),
        "author": Author.objects.create(name="Jan Nowak"),
    }

    def grow(n: int) -> None:
        for _ in range(n):
            story = make_article()
            story.places.add(portal["place"])
            story.tags.add(portal["tag"])
            story.organisations.add(portal["organisation"])
            story.authors.add(portal["author"])

    url = LISTS[page](portal)
    grow(4)
    client.get(url)  # the site and content-type caches
    few = count_queries(client, url), count_queries(client, url + "?strona=2")
    grow(10)
    assert Article.objects.published().count() == 14
    many = count_queries(client, url), count_queries(client, url + "?strona=3")
    assert few == many


def test_stories_that_move_with_time_are_read_in_one_query(make_article):
    """The breaking-news bar, the pins and the next moment a page changes by
    itself all come from one read of a few rows."""
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    make_article(title="Zwykła")
    breaking = make_article(title="Awaria", breaking_until=now + timedelta(hours=2))
    both = make_article(
        title="Most zamknięty",
        breaking_until=now + timedelta(hours=1),
        pinned_until=now + timedelta(minutes=30),
    )
    make_article(title="Wczorajsza", breaking_until=now - timedelta(hours=1))
    upcoming = make_article(title="Jutro", at=now + timedelta(minutes=10))
    upcoming.breaking_until = now + timedelta(minutes=5)
    upcoming.save()
    with CaptureQueriesContext(connection) as queries:
        marks = Article.objects.marks()
    assert len(queries) == 1
    # Newest first; the story not yet out is not in the bar, and its own
    # breaking time does not count before it is out.
    assert [a.title for a in marks.breaking()] == ["Most zamknięty", "Awaria"]
    assert marks.breaking()[1].pk == breaking.pk
    assert marks.pinned() == [both.pk]
    assert marks.next_change() == upcoming.published_at
    Article.objects.filter(pk=upcoming.pk).delete()
    assert Article.objects.marks().next_change() == both.pinned_until
