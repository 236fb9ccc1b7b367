"""Every page costs the same number of queries whatever it shows."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import image_bytes
from wiesci.articles import services
from wiesci.taxonomy.models import Organisation, Place, Tag

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    """Queries of one request with cold fragment caches: the worst case."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(article, make_article, make_photo, n: int, start: int) -> None:
    """Attach n tags, places, organisations and photos, and publish n more stories."""
    for i in range(start, start + n):
        article.tags.add(Tag.objects.create(name=f"tag {i}"))
        place = Place.objects.create(
            name=f"Wieś {i}", gmina="Nędza", phrase_from="z", phrase_in="w"
        )
        article.places.add(place)
        article.organisations.add(
            Organisation.objects.create(name=f"OSP {i}", place=place)
        )
        services.add_to_gallery(article, [make_photo(data=image_bytes((96, 64)))])
        other = make_article(title=f"Inna {i}")
        other.places.add(place)


@pytest.mark.parametrize("page", ["article", "home", "section", "place"])
def test_page_queries_do_not_grow_with_content(client, make_article, make_photo, page):
    article = make_article(title="Główny artykuł")
    grow(article, make_article, make_photo, 1, 0)
    place = article.places.first()
    urls = {
        "article": article.get_absolute_url(),
        "home": "/",
        "section": article.section.get_absolute_url(),
        "place": place.get_absolute_url(),
    }
    client.get(urls[page])  # Warm the site and content-type caches.
    few = count_queries(client, urls[page])
    grow(article, make_article, make_photo, 49, 1)
    for other in Place.objects.exclude(pk=place.pk)[:49]:
        other.articles.add(article)
    assert article.tags.count() == 50
    assert article.gallery_items.count() == 50
    many = count_queries(client, urls[page])
    assert many == few
