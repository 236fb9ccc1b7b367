"""The newsroom's gallery screen: many photos at once, then captions and crops."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import image_bytes
from wiesci.accounts.models import User
from wiesci.articles import services
from wiesci.articles.models import Article
from wiesci.core.actors import COMMAND
from wiesci.photos.models import Photo

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
    services.add_to_gallery(article, [first, second], by=COMMAND)
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
            # Typed in per cent, as the screen's number fields take it.
            f"form-{i}-focal_x": "90" if i == 0 else "50",
            f"form-{i}-focal_y": "50",
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
    services.add_to_gallery(
        article, [make_photo(alt_text=""), make_photo()], by=COMMAND
    )
    with pytest.raises(ValidationError, match="1 zdjęcie nie ma tekstu alternatywnego"):
        services.publish_article(article, by=COMMAND)
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT


def stored_files() -> set[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_ROOT)]
    return {
        p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()
    }


def gallery_url(article: Article) -> str:
    return reverse("admin:articles_article_gallery", args=[article.pk])


def described_upload(rows: list[tuple[str, str]]) -> dict[str, object]:
    data: dict[str, object] = {
        "upload": "1",
        "nowe-TOTAL_FORMS": str(len(rows)),
        "nowe-INITIAL_FORMS": "0",
    }
    for i, (name, alt_text) in enumerate(rows):
        data |= {
            f"nowe-{i}-photo": SimpleUploadedFile(
                name, image_bytes((800, 600)), "image/jpeg"
            ),
            f"nowe-{i}-alt_text": alt_text,
            f"nowe-{i}-caption": f"Podpis {name}",
            f"nowe-{i}-credit": "",
        }
    return data


@pytest.mark.parametrize("scheduled", [False, True])
def test_public_article_takes_only_described_photos_from_the_upload_screen(
    editor_client, make_article, django_capture_on_commit_callbacks, scheduled
):
    from datetime import timedelta

    from django.utils import timezone

    at = timezone.now() + timedelta(days=1) if scheduled else None
    article = make_article(title="Pożar w Brzeziu", at=at)
    url = gallery_url(article)
    page = editor_client.get(url).content.decode()
    # The screen asks for a description next to each file.
    assert 'name="nowe-0-photo"' in page and 'name="nowe-0-alt_text"' in page
    before = stored_files()
    response = editor_client.post(
        url, described_upload([("woz.jpg", "Wóz strażacki"), ("dym.jpg", " ")])
    )
    assert response.status_code == 200
    assert "Artykuł jest publiczny: opisz zdjęcie" in response.content.decode()
    assert not article.gallery_items.exists()
    assert stored_files() == before  # not even the described one went up
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            url,
            described_upload([("woz.jpg", "Wóz strażacki"), ("dym.jpg", "Dym nad")]),
            follow=True,
        )
    assert "2 zdjęcia dodano" in response.content.decode()
    photos = [item.photo for item in article.gallery_items.select_related("photo")]
    assert [p.alt_text for p in photos] == ["Wóz strażacki", "Dym nad"]
    assert [p.caption for p in photos] == ["Podpis woz.jpg", "Podpis dym.jpg"]
    article.refresh_from_db()
    assert article.main_photo == photos[0]


def test_files_without_alt_text_never_join_a_public_gallery(make_article, make_photo):
    article = make_article()
    before = stored_files()
    added, rejected = services.upload_to_gallery(
        article,
        [
            services.NewPhoto(
                SimpleUploadedFile("scena.jpg", image_bytes(), "image/jpeg"),
                caption="Scena bez opisu",
            )
        ],
        by=COMMAND,
    )
    assert added == []
    assert rejected[0].filename == "scena.jpg"
    assert "opisz zdjęcie (tekst alternatywny)" in rejected[0].reason
    assert stored_files() == before
    assert not Photo.objects.exists()
    undescribed = make_photo(alt_text="")
    with pytest.raises(ValidationError, match="potrzebuje tekstu alternatywnego"):
        services.add_to_gallery(article, [make_photo(), undescribed], by=COMMAND)
    assert not article.gallery_items.exists()
    article.refresh_from_db()
    assert article.main_photo is None


def test_public_galleries_keep_their_alt_texts(
    editor_client, make_article, make_photo, django_capture_on_commit_callbacks
):
    article = make_article()
    first, second = make_photo(alt_text="Rynek"), make_photo(alt_text="Ratusz")
    services.add_to_gallery(article, [first, second], by=COMMAND)
    items = list(article.gallery_items.all())
    data = {"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "2"}
    for i, (item, alt_text) in enumerate(zip(items, ("", "Ratusz nocą"), strict=True)):
        data |= {
            f"form-{i}-item": str(item.pk),
            f"form-{i}-caption": "Nowy podpis",
            f"form-{i}-credit": "",
            f"form-{i}-alt_text": alt_text,
            f"form-{i}-position": str(item.position),
            f"form-{i}-focal_x": "50",
            f"form-{i}-focal_y": "50",
        }
    response = editor_client.post(gallery_url(article), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "Artykuł jest publiczny: zdjęcie w jego galerii potrzebuje tego tekstu" in page
    )
    assert 'value="Ratusz nocą"' in page  # what was typed is still there
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.alt_text, first.caption) == ("Rynek", "")
    assert (second.alt_text, second.caption) == ("Ratusz", "")
    # The service refuses too, whoever calls it, and saves nothing.
    rows = [
        services.GalleryRow(item, "Podpis", "", alt, item.position, (0.5, 0.5))
        for item, alt in zip(items, ("Rynek", ""), strict=True)
    ]
    with pytest.raises(ValidationError, match="1 zdjęcie nie ma tekstu"):
        services.update_gallery(article, rows, main=None, by=COMMAND)
    first.refresh_from_db()
    assert first.caption == ""
    # Removing the photo instead is fine.
    rows[1] = services.GalleryRow(items[1], "", "", "", 1, (0.5, 0.5), remove=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_gallery(article, rows, main=None, by=COMMAND)
    assert [i.photo for i in article.gallery_items.all()] == [first]


def test_focal_point_has_labelled_number_fields_in_per_cent(
    editor_client, make_article, make_photo
):
    article = make_article(publish=False)
    services.add_to_gallery(article, [make_photo(focal=(0.25, 0.5))], by=COMMAND)
    page = editor_client.get(gallery_url(article)).content.decode()
    field = re.search(r'<input type="number" name="form-0-focal_x"[^>]*>', page)
    assert field is not None
    assert 'value="25.0"' in field.group(0)
    assert 'min="0"' in field.group(0) and 'max="100"' in field.group(0)
    assert re.search(
        r'<label for="id_form-0-focal_x">Punkt centralny od lewej \(%\)', page
    )
    assert (
        'name="form-0-focal_y"' in page
        and 'type="hidden" name="form-0-focal' not in page
    )
