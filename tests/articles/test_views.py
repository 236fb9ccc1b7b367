from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from wiesci.articles import services
from wiesci.articles.models import Author, Label
from wiesci.core.actors import COMMAND
from wiesci.photos.models import Video
from wiesci.taxonomy.models import Organisation, Place, Tag

pytestmark = pytest.mark.django_db


def test_article_page_shows_everything_a_reader_expects(
    client, make_article, make_photo
):
    library = Organisation.objects.create(name="Biblioteka Publiczna", kind="library")
    museum = Organisation.objects.create(name="Muzeum w Raciborzu", kind="museum")
    library.partners.add(museum)
    author = Author.objects.create(name="Anna Kowalczyk")
    article = make_article(
        title="Łączy nas biblioteka",
        lead="Bibliotekarze uczyli się współpracy.",
        body="<p>Dwanaście osób wzięło udział w szkoleniu.</p>",
    )
    article.places.add(Place.objects.create(name="Racibórz", gmina="Racibórz"))
    article.organisations.add(library, museum)
    article.authors.add(author)
    article.tags.add(Tag.objects.create(name="biblioteki"))
    services.add_to_gallery(
        article, [make_photo(caption="Szkolenie", credit="Fot. AK")], by=COMMAND
    )
    others = [make_article(title=f"Inna wiadomość {i}") for i in range(14)]
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Łączy nas biblioteka [FOTO] · " in page
    assert "Bibliotekarze uczyli się współpracy." in page
    assert "Dwanaście osób wzięło udział w szkoleniu." in page
    for text in (
        "Racibórz",
        "Biblioteka Publiczna",
        "Muzeum w Raciborzu",
        "Anna Kowalczyk",
        "biblioteki",
        "Szkolenie",
        "Fot. AK",
        "Wiadomości",
    ):
        assert text in page
    assert 'datetime="' in page
    # Twelve other recent stories, the newest first.
    assert list(response.context["others"]) == others[::-1][:12]
    assert "Komentarze (0)" in page
    assert "Aby dodać komentarz musisz być zalogowany." in page
    login = (
        reverse("account_login") + "?next=/artykul/laczy-nas-biblioteka/%23komentarze"
    )
    assert f'href="{login}"' in page


def test_logged_in_reader_gets_no_login_invitation(client, make_article, reader):
    article = make_article()
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Aby dodać komentarz musisz być zalogowany." not in page
    assert "Sąsiad z Ocic" in page


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (0, "0 komentarzy"),
        (1, "1 komentarz"),
        (2, "2 komentarze"),
        (5, "5 komentarzy"),
        (12, "12 komentarzy"),
        (22, "22 komentarze"),
        (25, "25 komentarzy"),
    ],
)
def test_comment_counts_use_polish_plural_forms(client, make_article, count, text):
    article = make_article()
    type(article).objects.filter(pk=article.pk).update(comment_count=count)
    page = client.get(reverse("articles:home")).content.decode()
    assert f'<span class="card__comments">{text}</span>' in page
    detail = client.get(article.get_absolute_url()).content.decode()
    assert f"Komentarze ({count})" in detail


def test_home_shows_featured_latest_sections_breaking_and_older_news(
    client, make_article, section
):
    featured = make_article(title="Powódź: wały trzymają", is_featured=True)
    latest = [make_article(title=f"Wiadomość {i}") for i in range(15)]
    breaking = make_article(title="Zamknięta ul. Opawska")
    breaking.breaking_until = timezone.now() + timedelta(hours=2)
    breaking.breaking_text = "Objazdy przez Rynek"
    services.save_article(breaking, by=COMMAND)
    expired = make_article(title="Stara pilna")
    expired.breaking_until = timezone.now() - timedelta(hours=1)
    expired.breaking_text = "Wczorajsze utrudnienia"
    services.save_article(expired, by=COMMAND)
    response = client.get(reverse("articles:home"))
    page = response.content.decode()
    assert response.context["lists"]["featured"] == featured
    assert "Powódź: wały trzymają" in page
    assert featured not in response.context["lists"]["latest"]
    assert len(response.context["lists"]["latest"]) == 12
    assert response.context["lists"]["section_blocks"][0][0] == section
    bar = page.split('<ul class="breaking__list">')[1].split("</ul>")[0]
    assert (
        bar
        == f'<li><a href="{breaking.get_absolute_url()}">Objazdy przez Rynek</a></li>'
    )
    assert "Wczorajsze utrudnienia" not in page
    assert 'href="/najnowsze/"' in page
    # The oldest stories are not on the home page but one click away.
    assert latest[0].title not in page
    assert latest[0].title in client.get("/najnowsze/").content.decode()


def test_unknown_address_gets_a_polish_404(client):
    response = client.get("/nie-ma-takiej-strony/")
    assert response.status_code == 404
    assert "Nie znaleziono strony" in response.content.decode()


def test_drafts_and_future_articles_are_404(client, make_article):
    draft = make_article(title="Szkic artykułu", publish=False)
    future = make_article(title="Jutro o 6:00", at=timezone.now() + timedelta(hours=8))
    for article in (draft, future):
        assert client.get(article.get_absolute_url()).status_code == 404
    home = client.get(reverse("articles:home")).content.decode()
    assert "Szkic artykułu" not in home
    assert "Jutro o 6:00" not in home


def test_changed_slug_redirects_permanently(client, make_article):
    article = make_article(title="Stary adres")
    article.slug = "nowy-adres"
    services.save_article(article, by=COMMAND)
    response = client.get("/artykul/stary-adres/")
    assert response.status_code == 301
    assert response["Location"] == "/artykul/nowy-adres/"


def test_former_slug_of_a_withdrawn_article_does_not_redirect(client, make_article):
    article = make_article(title="Stary adres")
    article.slug = "nowy-adres"
    services.save_article(article, by=COMMAND)
    services.withdraw_article(article, note="Wycofany", by=COMMAND)
    assert client.get("/artykul/stary-adres/").status_code == 404


def test_withdrawn_article_answers_410_with_the_note(client, make_article):
    article = make_article(title="Nieprawdziwa informacja")
    services.withdraw_article(
        article, note="Artykuł wycofano na prośbę policji.", by=COMMAND
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 410
    page = response.content.decode()
    assert "Artykuł wycofano na prośbę policji." in page
    assert "Nieprawdziwa informacja" not in page


def test_section_tag_place_organisation_and_author_pages(client, make_article, section):
    place = Place.objects.create(name="Krzanowice", gmina="Krzanowice", kind="town")
    tag = Tag.objects.create(name="dożynki")
    club = Organisation.objects.create(name="KS Brama", kind="sports_club", place=place)
    library = Organisation.objects.create(name="Biblioteka", kind="library")
    club.partners.add(library)
    author = Author.objects.create(name="Łukasz Pientka", bio="Reporter sportowy.")
    article = make_article(title="Dożynki gminne")
    article.places.add(place)
    article.tags.add(tag)
    article.organisations.add(club)
    article.authors.add(author)
    make_article(title="Inna sprawa")
    pages = {
        section.get_absolute_url(): ["Wiadomości", "Dożynki gminne", "Inna sprawa"],
        tag.get_absolute_url(): ["dożynki", "Dożynki gminne"],
        place.get_absolute_url(): [
            "Wiadomości z Krzanowic",
            "Organizacje w Krzanowicach",
            "KS Brama",
        ],
        club.get_absolute_url(): ["KS Brama", "Biblioteka", "Dożynki gminne"],
        author.get_absolute_url(): [
            "Łukasz Pientka",
            "Reporter sportowy.",
            "Dożynki gminne",
        ],
    }
    for url, texts in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for text in texts:
            assert text in page, (url, text)
    assert "Inna sprawa" not in client.get(tag.get_absolute_url()).content.decode()
    assert (
        "<title>Wiadomości z Krzanowic · "
        in client.get(place.get_absolute_url()).content.decode()
    )


def test_lists_show_markers(client, make_article, make_photo):
    article = make_article(title="Weekend strażaków", part=2)
    article.labels.add(Label.objects.get_or_create(name="RAPORT 998")[0])
    services.add_to_gallery(article, [make_photo()], by=COMMAND)
    article.videos.add(
        Video.objects.create(title="F", url="https://youtu.be/AbCdEfGhIjK")
    )
    page = Template('{% include "articles/_cards.html#card" %}').render(
        Context({"article": type(article).objects.for_lists().get(pk=article.pk)})
    )
    assert (
        '<span class="marker marker--label">[RAPORT 998]</span> Weekend strażaków'
        in page
    )
    assert '<span class="marker">[FOTO i WIDEO 2]</span>' in page


def test_pages_past_the_end_are_404(client, make_article, section):
    make_article()
    assert client.get(section.get_absolute_url() + "?strona=9").status_code == 404
    assert client.get(section.get_absolute_url() + "?strona=abc").status_code == 404


def test_the_article_pages_compiled_query_reads_what_the_orm_reads(
    make_article, make_photo, django_assert_num_queries
):
    from django.forms.models import model_to_dict

    from wiesci.articles import access

    plain = make_article(title="Bez zdjęcia")
    pictured = make_article(title="Ze zdjęciem", main_photo=make_photo())
    for article in (plain, pictured, plain):  # compiled once, used again
        with django_assert_num_queries(1):
            read = access._page_article(article.slug)
        assert read is not None
        orm = access.page_queryset().get(slug=article.slug)
        assert model_to_dict(read) == model_to_dict(orm)
        assert (read.published_at, read.modified_at) == (
            orm.published_at,
            orm.modified_at,
        )
        # The section and the main photo come with it, as select_related does.
        with django_assert_num_queries(0):
            assert read.section.name == orm.section.name
            assert (read.main_photo and read.main_photo.renditions) == (
                orm.main_photo and orm.main_photo.renditions
            )
        assert not read._state.adding
    assert access._page_article("nie-ma-takiego-artykulu") is None


def test_an_article_page_after_its_change_costs_at_most_ten_queries(
    client, make_article, make_photo
):
    """What every reader's first view after an edit (or a live update) costs:
    the article's own fragments cold, those every page shares still warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wiesci.articles.models import Article

    article = make_article(title="Wał w Brzeziu", main_photo=make_photo())
    services.add_to_gallery(article, [make_photo()], by=COMMAND)
    article.places.add(Place.objects.create(name="Brzezie", gmina="Racibórz"))
    article.tags.add(Tag.objects.create(name="powódź"))
    article.authors.add(Author.objects.create(name="Ewa Wollny"))
    article.labels.add(Label.objects.create(name="PILNE"))
    for number in range(5):
        make_article(title=f"Inna {number}")
    url = article.get_absolute_url()
    assert client.get(url).status_code == 200
    Article.objects.filter(pk=article.pk).update(modified_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert "[PILNE] Wał w Brzeziu [FOTO]" in page
    assert len(queries) <= 10, [query["sql"][:80] for query in queries]
