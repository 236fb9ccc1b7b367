"""The newsroom's gallery screen: many photos at once, then captions and crops."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import image_bytes
from wiesci.accounts.models import User
from wiesci.articles import services
from wiesci.articles.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(User.objects.create_superuser("redaktor", "r@example.pl", "x"))
    return client


def test_many_photos_upload_at_once_and_a_bad_one_is_reported(
    editor_client, make_article, django_capture_on_commit_callbacks
):
    article = make_article(title="Dni Raciborza", publish=False)
    url = reverse("admin:articles_article_gallery", args=[article.pk])
    files = [
        SimpleUploadedFile("scena.jpg", image_bytes((800, 600)), "image/jpeg"),
        SimpleUploadedFile(
            "publicznosc.png", image_bytes((640, 480), fmt="PNG"), "image/png"
        ),
        SimpleUploadedFile(
            "plakat.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/jpeg"
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url, {"upload": "1", "photos": files}, follow=True
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 zdjęcia dodano" in page
    assert "Plik „plakat.svg” nie został dodany: Ten plik nie jest zdjęciem" in page
    article.refresh_from_db()
    items = list(article.gallery_items.select_related("photo"))
    assert len(items) == 2
    assert article.main_photo == items[0].photo
    assert all(item.photo.renditions for item in items)
    assert "dni-raciborza" in items[0].photo.renditions["mini"]["files"]["webp"]


def test_gallery_form_saves_captions_order_focal_point_and_main_photo(
    editor_client, make_article, make_photo, django_capture_on_commit_callbacks
):
    article = make_article(publish=False)
    first, second = make_photo(alt_text=""), make_photo(alt_text="")
    services.add_to_gallery(article, [first, second])
    old_crop = first.renditions["mini"]["files"]["jpeg"]
    items = list(article.gallery_items.all())
    url = reverse("admin:articles_article_gallery", args=[article.pk])
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "main": str(second.pk),
    }
    for i, (item, position) in enumerate(zip(items, (2, 1), strict=True)):
        data |= {
            f"form-{i}-item": str(item.pk),
            f"form-{i}-caption": f"Podpis {i}",
            f"form-{i}-credit": "Fot. Redakcja",
            f"form-{i}-alt_text": f"Opis zdjęcia {i}",
            f"form-{i}-position": str(position),
            f"form-{i}-focal_x": "0.9" if i == 0 else "0.5",
            f"form-{i}-focal_y": "0.5",
        }
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(url, data, follow=True)
    assert "Galeria została zapisana." in response.content.decode()
    first.refresh_from_db()
    assert (first.caption, first.alt_text, first.focal_x) == (
        "Podpis 0",
        "Opis zdjęcia 0",
        0.9,
    )
    assert first.renditions["mini"]["files"]["jpeg"] != old_crop
    assert [i.photo for i in article.gallery_items.all()] == [second, first]
    article.refresh_from_db()
    assert article.main_photo == second


def test_photos_need_alt_text_before_the_article_is_published(make_article, make_photo):
    article = make_article(publish=False)
    services.add_to_gallery(article, [make_photo(alt_text=""), make_photo()])
    with pytest.raises(ValidationError, match="1 zdjęcie nie ma tekstu alternatywnego"):
        services.publish_article(article)
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
