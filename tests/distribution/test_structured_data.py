"""JSON-LD read out of the pages with an HTML parser, checked for what
Google documents for articles, breadcrumbs, organisations and site search."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from lxml import html

from tests.conftest import image_bytes
from wiesci.distribution.models import PortalProfile

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"


def graph(client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    page = html.fromstring(response.content)
    scripts = page.xpath('//script[@type="application/ld+json"]/text()')
    assert len(scripts) == 1, url
    data = json.loads(scripts[0])
    assert data["@context"] == "https://schema.org"
    return {node["@type"]: node for node in data["@graph"]}


def stored(url: str) -> bool:
    """Whether the media file at `url` exists (the WSGI layer serves it)."""
    return default_storage.exists(url.removeprefix(SITE + settings.MEDIA_URL))


def aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.utcoffset() is not None, text
    return moment


def test_an_article_is_a_news_article_with_what_google_asks(client, story):
    nodes = graph(client, story.get_absolute_url())
    article = nodes["NewsArticle"]
    # Google's recommended properties for Article, each present and sound.
    assert article["headline"] == story.title and len(article["headline"]) <= 110
    assert aware(article["datePublished"]) == story.published_at.replace(microsecond=0)
    assert aware(article["dateModified"]) >= aware(article["datePublished"])
    (author,) = article["author"]
    assert author == {
        "@type": "Person",
        "name": "Anna Kowalczyk",
        "url": SITE + story.authors.get().get_absolute_url(),
    }
    ratios = sorted(round(i["width"] / i["height"], 2) for i in article["image"])
    assert ratios == [1.0, 1.33, 1.78]  # 1:1, 4:3 and 16:9
    for image in article["image"]:
        assert image["url"].startswith(SITE + "/media/") and image["width"] >= 1200
        assert stored(image["url"])
    assert article["isAccessibleForFree"] is True
    assert article["mainEntityOfPage"]["@id"] == SITE + story.get_absolute_url()
    assert article["publisher"]["name"]
    assert article["inLanguage"] == "pl-PL"
    (correction,) = article["correction"]
    assert correction["@type"] == "CorrectionComment"
    assert correction["text"] == "Poprawiono nazwę sołectwa."
    aware(correction["datePublished"])
    crumbs = nodes["BreadcrumbList"]["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3]
    assert [c["item"] for c in crumbs] == [
        SITE + "/",
        SITE + story.section.get_absolute_url(),
        SITE + story.get_absolute_url(),
    ]


def test_a_story_without_an_author_or_photo_is_still_valid(client, make_article):
    story = make_article(title="Krótko: zamknięta ulica Opawska")
    article = graph(client, story.get_absolute_url())["NewsArticle"]
    assert article["author"][0]["@type"] == "Organization"
    assert "image" not in article


def test_a_long_headline_is_cut_at_a_word(client, make_article):
    title = "Bardzo długi tytuł " * 10
    article = graph(client, make_article(title=title.strip()).get_absolute_url())
    headline = article["NewsArticle"]["headline"]
    assert len(headline) <= 110 and headline.endswith("…")


def test_the_home_page_describes_the_portal_and_its_search(client, story, editor):
    profile = PortalProfile(
        description="Wiadomości z Raciborza i powiatu.",
        facebook="https://www.facebook.com/wiesci.raciborz",
        logo=SimpleUploadedFile("logo.png", image_bytes((600, 160), fmt="PNG")),
        changed_by=editor,
    )
    profile.save()
    nodes = graph(client, "/")
    organisation = nodes["NewsMediaOrganization"]
    assert organisation["url"] == SITE + "/"
    assert organisation["sameAs"] == ["https://www.facebook.com/wiesci.raciborz"]
    logo = organisation["logo"]
    assert (logo["width"], logo["height"]) == (600, 160)
    assert stored(logo["url"])
    action = nodes["WebSite"]["potentialAction"]
    assert action["@type"] == "SearchAction"
    template = action["target"]["urlTemplate"]
    assert template == SITE + "/szukaj/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    found = client.get(
        template.removeprefix(SITE).replace("{search_term_string}", "dożynki")
    )
    assert found.status_code == 200
    assert 'value="dożynki"' in found.content.decode()  # the search page asked
    # The article's publisher carries the same logo.
    article = graph(client, story.get_absolute_url())["NewsArticle"]
    assert article["publisher"]["logo"]["url"] == logo["url"]


def test_listing_pages_carry_breadcrumbs(client, story):
    place = story.places.get()
    crumbs = graph(client, place.get_absolute_url())["BreadcrumbList"]
    assert crumbs["itemListElement"][-1]["name"] == place.name


def test_previews_carry_no_structured_data(client, make_article, editor):
    draft = make_article(title="Szkic", publish=False)
    client.force_login(editor)
    page = html.fromstring(client.get(f"/podglad/{draft.pk}/").content)
    assert page.xpath('//script[@type="application/ld+json"]') == []


def test_every_page_allows_large_image_previews(client, story):
    page = html.fromstring(client.get(story.get_absolute_url()).content)
    robots = page.xpath('//meta[@name="robots"]/@content')
    assert "max-image-preview:large" in robots
