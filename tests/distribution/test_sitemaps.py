"""Sitemaps, validated by lxml against the protocols' schemas (in xsd/)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from lxml import etree

from tests.articles.test_queries import Portal, portal  # noqa: F401 (fixture)
from wiesci.articles import services
from wiesci.articles.models import Article
from wiesci.core.actors import COMMAND

pytestmark = pytest.mark.django_db

XSD = Path(__file__).parent / "xsd"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "image": "http://www.google.com/schemas/sitemap-image/1.1",
}
SCHEMA = etree.XMLSchema(etree.parse(str(XSD / "sitemap.xsd")))


def valid(client, url: str) -> etree._Element:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    document = etree.fromstring(response.content)
    SCHEMA.assertValid(document)
    return document


def locations(document: etree._Element) -> list[str]:
    return [
        path.removeprefix("http://127.0.0.1:8000")
        for path in document.xpath("//sm:loc/text()", namespaces=NS)
    ]


def month_of(article: Article) -> str:
    moment = timezone.localtime(article.published_at)
    return f"/sitemap-{moment.year}-{moment.month:02d}.xml"


def test_the_index_names_every_sitemap_and_robots_names_the_index(client, story):
    index = valid(client, "/sitemap.xml")
    assert locations(index) == [
        "/sitemap-strony.xml",
        "/sitemap-news.xml",
        month_of(story),
    ]
    for url in locations(index):
        valid(client, url)
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots
    for private in ("/admin/", "/konto/", "/podglad/"):
        assert f"Disallow: {private}" in robots


def test_a_month_lists_its_stories_with_every_photo(client, story, make_article):
    older = make_article(title="Sesja rady", at=timezone.now() - timedelta(days=70))
    document = valid(client, month_of(story))
    assert locations(document)[0] == story.get_absolute_url()
    assert older.get_absolute_url() not in locations(document)
    assert older.get_absolute_url() in locations(valid(client, month_of(older)))
    images = document.xpath("//sm:url[1]/image:image/image:loc/text()", namespaces=NS)
    assert len(images) == 2  # the main photo and the gallery's
    assert all(url.endswith(".jpg") for url in images)
    assert client.get("/sitemap-1999-01.xml").status_code == 404
    assert client.get("/sitemap-2026-13.xml").status_code == 404
    assert client.get("/sitemap-9999-12.xml").status_code == 404


def test_lastmod_changes_when_the_page_does(client, story):
    def lastmod() -> str:
        cache.clear()
        document = valid(client, month_of(story))
        return str(document.xpath("//sm:url[1]/sm:lastmod/text()", namespaces=NS)[0])

    before = lastmod()
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        story.title = "Dożynki w Krzanowicach: wyniki konkursu"
        services.save_article(story, by=COMMAND)
    assert lastmod() > before


def test_the_news_sitemap_has_the_last_two_days_only(client, story, make_article):
    old = make_article(title="Stara", at=timezone.now() - timedelta(days=3))
    document = valid(client, "/sitemap-news.xml")
    assert locations(document) == [story.get_absolute_url()]
    assert old.get_absolute_url() in locations(valid(client, month_of(old)))
    (news,) = document.xpath("//news:news", namespaces=NS)
    assert news.xpath("news:publication/news:language/text()", namespaces=NS) == ["pl"]
    assert news.xpath("news:title/text()", namespaces=NS) == [story.title]


def test_listing_pages_are_in_the_pages_sitemap(client, story):
    found = locations(valid(client, "/sitemap-strony.xml"))
    for related in (
        story.section,
        story.places.get(),
        story.organisations.get(),
        story.authors.get(),
    ):
        assert related.get_absolute_url() in found
    assert found[:2] == ["/", "/najnowsze/"]


def test_unpublished_stories_are_in_no_sitemap_and_a_withdrawn_one_leaves(
    client, story, make_article, editor
):
    draft = make_article(title="Szkic", publish=False)
    later = make_article(title="Jutro", publish=False)
    services.publish_article(later, at=timezone.now() + timedelta(hours=5), by=COMMAND)

    def everything() -> list[str]:
        found = []
        for url in locations(valid(client, "/sitemap.xml")):
            found += locations(valid(client, url))
        return found

    listed = everything()
    assert story.get_absolute_url() in listed
    assert draft.get_absolute_url() not in listed
    assert later.get_absolute_url() not in listed
    services.withdraw_article(story, by=editor)
    listed = everything()
    assert story.get_absolute_url() not in listed
    # Nothing public left: no month sitemap, no listing page.
    assert story.section.get_absolute_url() not in listed


SITEMAPS = {
    "pages": lambda p: "/sitemap-strony.xml",
    "news": lambda p: "/sitemap-news.xml",
    "month": lambda p: month_of(p.article),
}


@pytest.mark.parametrize("name", SITEMAPS)
def test_sitemap_queries_do_not_grow_with_entries(client, portal, name):  # noqa: F811
    url = SITEMAPS[name](portal)
    portal.grow(1)
    client.get(url)

    def measure() -> tuple[int, int]:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), len(response.content)

    few, small = measure()
    portal.grow(49)
    many, large = measure()
    assert large > small  # the sitemap really lists more
    assert many == few


def test_the_index_costs_the_same_for_one_month_or_fifty(client, make_article):
    make_article(title="Pierwsza")

    def measure() -> tuple[int, int]:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            document = valid(client, "/sitemap.xml")
        return len(queries), len(document)

    client.get("/sitemap.xml")
    few, listed_few = measure()
    for months in range(1, 50):
        make_article(
            title=f"Sprzed {months} mies.",
            at=timezone.now() - timedelta(days=31 * months),
        )
    many, listed_many = measure()
    assert listed_many > listed_few + 40
    assert many == few


def test_a_busy_month_renders_in_one_pass(client, make_article, section):
    """1,000 stories in a month, as a busy portal writes: one query for the
    stories and one for their galleries, and a valid file."""
    start = timezone.localtime().replace(day=1, hour=6, minute=0, second=0)
    Article.objects.bulk_create(
        Article(
            title=f"Wiadomość {n}",
            slug=f"wiadomosc-{n}",
            lead="Lead.",
            section=section,
            status=Article.Status.PUBLISHED,
            published_at=start + timedelta(minutes=n),
        )
        for n in range(1000)
    )
    url = f"/sitemap-{start.year}-{start.month:02d}.xml"
    with CaptureQueriesContext(connection) as queries:
        document = valid(client, url)
    assert len(document.xpath("//sm:url", namespaces=NS)) == 1000
    article_reads = [q for q in queries if "articles_article" in q["sql"]]
    assert len(article_reads) <= 2
