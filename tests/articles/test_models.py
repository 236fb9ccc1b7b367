from datetime import timedelta

import pytest
from django.utils import timezone

from wiesci.articles import services
from wiesci.articles.models import Article, Label
from wiesci.core.actors import COMMAND
from wiesci.core.text import polish_slugify
from wiesci.photos.models import Video

pytestmark = pytest.mark.django_db


def test_slugs_transliterate_polish_letters():
    assert polish_slugify("Łączy Nas Biblioteka") == "laczy-nas-biblioteka"
    assert (
        polish_slugify("Źródła, żaby i ćmy nad Odrą!") == "zrodla-zaby-i-cmy-nad-odra"
    )


def test_slugs_are_unique(make_article):
    first = make_article(title="Dni Raciborza")
    second = make_article(title="Dni Raciborza")
    assert (first.slug, second.slug) == ("dni-raciborza", "dni-raciborza-2")


def test_published_slug_survives_a_new_title(make_article):
    article = make_article(title="Pożar w Rudniku")
    article.title = "Pożar stodoły w Rudniku: strażacy walczyli pięć godzin"
    services.save_article(article, by=COMMAND)
    assert article.slug == "pozar-w-rudniku"


def test_unpublished_slug_follows_nothing_but_stays_until_an_editor_changes_it(
    make_article,
):
    article = make_article(title="Szkic", publish=False)
    article.slug = "nowy-adres"
    services.save_article(article, by=COMMAND)
    assert article.slug == "nowy-adres"
    assert not article.old_slugs.exists()


def test_editor_changing_a_published_slug_keeps_the_old_one(make_article):
    article = make_article(title="Stary tytuł")
    article.slug = "nowy-tytul"
    services.save_article(article, by=COMMAND)
    assert list(article.old_slugs.values_list("slug", flat=True)) == ["stary-tytul"]
    # A new article cannot take the retired address.
    assert make_article(title="Stary tytuł").slug == "stary-tytul-2"


def test_body_is_stored_sanitised(make_article):
    article = make_article(
        body='<p onclick="steal()">Tekst <script>alert(1)</script>'
        '<a href="javascript:x()">link</a><img src=x onerror=alert(1)></p>'
        "<h2>Śródtytuł</h2>"
    )
    article.refresh_from_db()
    assert "script" not in article.body
    assert "onclick" not in article.body
    assert "javascript" not in article.body
    assert "<img" not in article.body
    assert "<h2>Śródtytuł</h2>" in article.body


def test_markers_follow_what_is_attached(make_article, make_photo):
    article = make_article(title="Festyn w Bieńkowicach")
    assert article.title_with_markers == "Festyn w Bieńkowicach"
    services.add_to_gallery(article, [make_photo()], by=COMMAND)
    article = Article.objects.get(pk=article.pk)
    assert article.media_marker == "FOTO"
    video = Video.objects.create(
        title="Film", url="https://www.youtube.com/watch?v=AbCdEfGhIjK"
    )
    article.videos.add(video)
    article = Article.objects.get(pk=article.pk)
    assert article.media_marker == "FOTO i WIDEO"
    article.part = 2
    article.labels.add(Label.objects.get_or_create(name="ZAPOWIEDŹ")[0])
    assert (
        article.title_with_markers
        == "[ZAPOWIEDŹ] Festyn w Bieńkowicach [FOTO i WIDEO 2]"
    )
    # Derived, never stored in the title or the slug.
    article.refresh_from_db()
    assert article.title == "Festyn w Bieńkowicach"
    assert article.slug == "festyn-w-bienkowicach"


def test_video_only_and_part_only_markers(make_article):
    video = make_article(title="Sesja rady")
    video.videos.add(
        Video.objects.create(title="Sesja", url="https://vimeo.com/123456")
    )
    assert Article.objects.get(pk=video.pk).media_marker == "WIDEO"
    part = make_article(title="Ludzie znad Odry", part=3)
    assert part.media_marker == "CZ. 3"


def test_list_annotations_give_the_same_markers(make_article, make_photo):
    article = make_article()
    services.add_to_gallery(article, [make_photo()], by=COMMAND)
    listed = Article.objects.for_lists().get(pk=article.pk)
    assert (vars(listed)["has_gallery"], vars(listed)["has_video"]) == (True, False)
    assert listed.media_marker == "FOTO"


def test_scheduled_article_is_public_from_its_time_without_any_job(
    make_article, time_machine
):
    later = timezone.now() + timedelta(hours=10)
    article = make_article(at=later)
    assert article.status == Article.Status.SCHEDULED
    assert not Article.objects.published().filter(pk=article.pk).exists()
    time_machine.move_to(later + timedelta(seconds=1))
    assert Article.objects.published().filter(pk=article.pk).exists()


def test_body_may_show_only_photos_of_the_articles_own_gallery(
    make_article, make_photo
):
    from django.core.files.storage import default_storage

    article = make_article()
    other = make_article()
    own, foreign = make_photo(), make_photo()
    services.add_to_gallery(article, [own], by=COMMAND)
    services.add_to_gallery(other, [foreign], by=COMMAND)

    def url(photo, size="article", kind="webp"):
        return default_storage.url(photo.renditions[size]["files"][kind])

    article.body = (
        f'<figure><img src="{url(own)}" alt="Rynek"><figcaption>Rynek</figcaption>'
        f'</figure><p><img src="{url(own, "full", "jpeg")}" alt="Duże"></p>'
        f'<img src="{url(foreign)}" alt="Cudze">'
        '<img src="https://tracker.example.com/pixel.gif" alt="">'
        '<img src="/media/zdjecia/../../etc/passwd">'
    )
    services.save_article(article, by=COMMAND)
    article.refresh_from_db()
    assert f'<img src="{url(own)}" alt="Rynek">' in article.body
    assert f'<img src="{url(own, "full", "jpeg")}" alt="Duże">' in article.body
    assert url(foreign) not in article.body
    assert "Cudze" not in article.body
    assert "tracker.example.com" not in article.body
    assert "passwd" not in article.body


def test_gallery_photo_placed_in_the_text_becomes_a_responsive_picture(
    client, make_article, make_photo
):
    from django.core.files.storage import default_storage

    article = make_article()
    photo = make_photo(alt_text="Ratusz nocą")
    services.add_to_gallery(article, [photo], by=COMMAND)
    url = default_storage.url(photo.renditions["article"]["files"]["jpeg"])
    article.body = f'<p>Tekst.</p><figure><img src="{url}" alt="Ratusz"></figure>'
    services.save_article(article, by=COMMAND)
    page = client.get(article.get_absolute_url()).content.decode()
    body = page.split('class="article__body">')[1].split("</div>")[0]
    assert "<picture" in body
    assert 'type="image/webp"' in body
    assert 'alt="Ratusz nocą"' in body


def test_words_in_separate_paragraphs_are_counted_apart():
    article = Article(
        lead="Krótki lead.",
        body="<p>a b.</p><p>c d.</p><ul><li>jeden</li><li>dwa</li></ul>"
        "<h2>Śródtytuł</h2><p>linia<br>druga&nbsp;linia, pół<strong>wysep</strong></p>",
    )
    # 2 + 4 + 2 + 1 + 4: "półwysep" is one word, "linia<br>druga" two.
    assert article.word_count == 13


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 1), (120, 1), (300, 2), (400, 2), (599, 3)]
)
def test_reading_time_counts_about_200_words_a_minute(words, minutes):
    # Two words per paragraph, so joined paragraphs would halve the count.
    body = "".join("<p>słowo słowo</p>" for _ in range(words // 2))
    body += "<p>słowo</p>" * (words % 2)
    article = Article(lead="", body=body)
    assert article.word_count == words
    assert article.reading_minutes == minutes


def test_the_admin_shows_the_length_of_the_text(client, editor, make_article):
    from django.urls import reverse

    article = make_article(
        lead="Lead.", body="".join("<p>raz dwa trzy</p>" for _ in range(133))
    )
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "400 słów, ok. 2 min czytania" in page.content.decode()
