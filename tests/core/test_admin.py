"""The newsroom's desk: every admin screen opens, in Polish."""

import pytest
from django.contrib import admin
from django.urls import reverse

from wiesci.accounts.models import User
from wiesci.core.actors import COMMAND

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    user = User.objects.create_superuser(
        "naczelna", "naczelna@example.pl", "haslo-redakcji"
    )
    client.force_login(user)
    return client


def test_every_admin_list_and_add_form_opens(editor_client, make_article, make_photo):
    from wiesci.articles import services

    services.add_to_gallery(make_article(), [make_photo()], by=COMMAND)
    for model in admin.site._registry:
        meta = model._meta
        for view in ("changelist", "add"):
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}")
            response = editor_client.get(url, follow=True)
            # 403: screens with no add form (comments come from readers).
            assert response.status_code in (200, 403), url


def test_admin_speaks_polish(editor_client):
    page = editor_client.get(reverse("admin:index")).content.decode()
    assert "Artykuły" in page
    assert "Miejscowości" in page


def test_admin_upload_rejects_a_non_image_with_a_polish_message(editor_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wiesci.photos.models import Photo

    response = editor_client.post(
        reverse("admin:photos_photo_add"),
        {
            "upload": SimpleUploadedFile(
                "zdjecie.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"
            ),
            "alt_text": "Opis",
            "focal_x": "0.5",
            "focal_y": "0.5",
        },
    )
    assert response.status_code == 200
    assert "Ten plik nie jest zdjęciem" in response.content.decode()
    assert not Photo.objects.exists()
