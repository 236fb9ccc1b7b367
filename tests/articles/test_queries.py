"""Every page costs the same number of queries whatever it shows."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import image_bytes
from wiesci.articles import services
from wiesci.articles.models import Article, Author, Label
from wiesci.core.actors import COMMAND
from wiesci.photos.models import Video
from wiesci.taxonomy.models import Organisation, Place, Tag

pytestmark = pytest.mark.django_db


def count_queries(client, url: str) -> int:
    """Queries of one request with cold fragment caches: the worst case."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@dataclass
class Portal:
    """One story and the place, tag, organisation and author whose pages are
    measured; `grow` adds to everything each page shows."""

    article: Any
    place: Any
    tag: Any
    organisation: Any
    author: Any
    make_article: Any
    make_photo: Any
    grown: int = 0

    def photo(self) -> Any:
        return self.make_photo(data=image_bytes((96, 64)))

    def grow(self, n: int) -> None:
        """Add n of everything: relations of the story, stories in every
        measured listing (each with a photo, a video, a label, a byline and a
        correction),
        organisations of the place and partners of the organisation."""
        for i in range(self.grown, self.grown + n):
            place = Place.objects.create(
                name=f"Wieś {i}", gmina="Nędza", phrase_from="z", phrase_in="w"
            )
            label = Label.objects.create(name=f"ETYKIETA {i}")
            author = Author.objects.create(name=f"Autor {i}")
            video = Video.objects.create(
                title=f"Film {i}", url=f"https://vimeo.com/{1000 + i}"
            )
            self.article.tags.add(Tag.objects.create(name=f"tag {i}"))
            self.article.places.add(place)
            self.article.organisations.add(
                Organisation.objects.create(name=f"OSP {i}", place=place)
            )
            self.article.authors.add(author)
            self.article.labels.add(label)
            self.article.videos.add(video)
            services.add_to_gallery(self.article, [self.photo()], by=COMMAND)
            Organisation.objects.create(name=f"Klub {i}", place=self.place)
            self.organisation.partners.add(
                Organisation.objects.create(name=f"Partner {i}", place=place)
            )
            other = self.make_article(title=f"Inna {i}")
            services.add_to_gallery(other, [self.photo()], by=COMMAND)
            other.videos.add(video)
            other.labels.add(label)
            other.places.add(self.place, place)
            other.tags.add(self.tag)
            other.organisations.add(self.organisation)
            other.authors.add(self.author, author)
            services.add_correction(other, by=COMMAND, text=f"Poprawiono datę {i}.")
        self.grown += n


@pytest.fixture
def portal(make_article, make_photo) -> Portal:
    place = Place.objects.create(name="Rudnik", gmina="Rudnik")
    tag = Tag.objects.create(name="powódź")
    organisation = Organisation.objects.create(name="Biblioteka", place=place)
    author = Author.objects.create(name="Anna Kowalczyk", photo=make_photo())
    article = make_article(title="Główny artykuł")
    article.places.add(place)
    article.tags.add(tag)
    article.organisations.add(organisation)
    article.authors.add(author)
    return Portal(article, place, tag, organisation, author, make_article, make_photo)


PAGES = {
    "article": lambda p: p.article.get_absolute_url(),
    "home": lambda p: "/",
    "latest": lambda p: "/najnowsze/",
    "section": lambda p: p.article.section.get_absolute_url(),
    "place": lambda p: p.place.get_absolute_url(),
    "tag": lambda p: p.tag.get_absolute_url(),
    "organisation": lambda p: p.organisation.get_absolute_url(),
    "author": lambda p: p.author.get_absolute_url(),
    "corrections": lambda p: "/sprostowania/",
}


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_do_not_grow_with_content(client, portal, page):
    url = PAGES[page](portal)
    portal.grow(1)
    client.get(url)  # Warm the site and content-type caches.
    few = count_queries(client, url)
    first = client.get(url).content.decode()
    portal.grow(49)
    assert portal.article.tags.count() == 51
    assert portal.article.gallery_items.count() == 50
    assert portal.place.articles.count() == 51
    assert portal.place.organisations.count() == 51
    many = count_queries(client, url)
    last = client.get(url).content.decode()
    # The page really shows more than before: the measurement means something.
    assert len(last) > len(first)
    assert many == few


def test_an_article_page_with_every_cache_cold_runs_ten_queries_at_most(client, portal):
    """The worst case after a purge of everything: the article, its filing,
    gallery, videos and corrections, the menu, the portal's profile, what
    moves with time, the other stories and the comments."""
    portal.grow(3)
    url = PAGES["article"](portal)
    client.get(url)  # Warm the site and content-type caches.
    assert count_queries(client, url) <= 10


def test_relations_read_together_are_those_the_orm_reads(portal, make_photo):
    """Every relation the page shows, read in one query as JSON, comes back
    as the ORM reads it: the same rows, fields and order (on PostgreSQL, in
    the database's collation)."""
    portal.grow(3)
    article = portal.article
    for name in ("Łąka", "Zabrze", "Ołdrzychowice", "lasy"):
        article.tags.add(Tag.objects.create(name=name))
    video = Video.objects.create(
        title="Z drona", url="https://vimeo.com/5", poster=make_photo()
    )
    article.videos.add(video)
    services.add_correction(article, by=COMMAND, text="Poprawiono nazwisko.")

    def rows(objects: Any) -> list[tuple[Any, ...]]:
        return [
            tuple(getattr(o, f.attname) for f in o._meta.concrete_fields)
            for o in objects
        ]

    names = ("labels", "authors", "places", "organisations", "tags", "corrections")
    orm = Article.objects.get(pk=article.pk)
    expected = {name: rows(getattr(orm, name).all()) for name in names}
    expected["gallery"] = rows(orm.gallery_photos)
    expected["videos"] = rows(orm.video_list)
    expected["posters"] = rows(v.poster for v in orm.video_list if v.poster)

    together = Article.objects.get(pk=article.pk)
    with CaptureQueriesContext(connection) as queries:
        together.read_page_relations()
        found = {name: rows(getattr(together, name).all()) for name in names}
        found["gallery"] = rows(together.gallery_photos)
        found["videos"] = rows(together.video_list)
        found["posters"] = rows(v.poster for v in together.video_list if v.poster)
    assert len(queries) == 1
    assert found == expected
    assert len(found["tags"]) == 8 and len(found["posters"]) == 1


def test_lists_bring_each_storys_labels_with_it(make_article):
    first = make_article(title="Dożynki")
    second = make_article(title="Sesja rady")
    first.labels.add(
        Label.objects.create(name="Z NASZEJ ŁĄKI", position=2),
        Label.objects.create(name="ALARM W GMINIE", position=1),
    )
    with CaptureQueriesContext(connection) as queries:
        listed = {
            a.pk: [label.name for label in a.labels.all()]
            for a in (Article.objects.for_lists().filter(pk__in=[first.pk, second.pk]))
        }
    assert len(queries) == 1
    assert listed == {first.pk: ["ALARM W GMINIE", "Z NASZEJ ŁĄKI"], second.pk: []}
