"""The photo library in the newsroom: edits and deletions go through the services."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import reverse

from wiesci.articles import services
from wiesci.core.actors import COMMAND
from wiesci.photos.models import Photo

pytestmark = pytest.mark.django_db


def public_files(photo: Photo) -> list[str]:
    return [path for r in photo.renditions.values() for path in r["files"].values()]


def change_data(photo: Photo, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "caption": photo.caption,
        "credit": photo.credit,
        "alt_text": photo.alt_text,
        "focal_x": photo.focal_x,
        "focal_y": photo.focal_y,
    }
    return data | changes


def test_new_focal_point_in_the_photo_library_recuts_the_crops(
    client, editor, make_photo, django_capture_on_commit_callbacks
):
    photo = make_photo()
    old_crop = photo.renditions["mini"]["files"]["jpeg"]
    old_width = photo.renditions["article"]["files"]["jpeg"]
    client.force_login(editor)
    url = reverse("admin:photos_photo_change", args=[photo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, change_data(photo, focal_x=0.9, caption="Rynek"))
    assert response.status_code == 302
    photo.refresh_from_db()
    assert (photo.caption, photo.focal_x) == ("Rynek", 0.9)
    new_crop = photo.renditions["mini"]["files"]["jpeg"]
    assert new_crop != old_crop
    assert default_storage.exists(new_crop)
    assert not default_storage.exists(old_crop)  # no stale crop left public
    # Sizes that keep the whole frame do not depend on the focal point.
    assert photo.renditions["article"]["files"]["jpeg"] == old_width


def test_deleting_a_photo_in_the_library_removes_every_file(
    client, editor, make_photo, django_capture_on_commit_callbacks
):
    photo = make_photo()
    files = public_files(photo)
    original = Path(photo.original.path)
    assert original.exists() and all(default_storage.exists(p) for p in files)
    client.force_login(editor)
    url = reverse("admin:photos_photo_delete", args=[photo.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Photo.objects.filter(pk=photo.pk).exists()
    assert not original.exists()
    assert not any(default_storage.exists(p) for p in files)
    assert str(original).startswith(str(settings.PRIVATE_ROOT))


def test_deleting_many_photos_at_once_removes_every_file(
    client, editor, make_photo, django_capture_on_commit_callbacks
):
    photos = [make_photo() for _ in range(3)]
    kept = make_photo()
    doomed = photos[:2]
    files = [p for photo in doomed for p in public_files(photo)]
    originals = [Path(photo.original.path) for photo in doomed]
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:photos_photo_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [photo.pk for photo in doomed],
                "post": "yes",
            },
        )
    assert response.status_code == 302
    assert set(Photo.objects.values_list("pk", flat=True)) == {photos[2].pk, kept.pk}
    assert not any(path.exists() for path in originals)
    assert not any(default_storage.exists(p) for p in files)
    assert all(default_storage.exists(p) for p in public_files(kept))
    assert Path(kept.original.path).exists()


def test_alt_text_of_a_published_storys_photo_cannot_be_cleared(
    client, editor, make_article, make_photo
):
    article = make_article()
    photo = make_photo(alt_text="Strażacy przy wozie")
    services.add_to_gallery(article, [photo], by=COMMAND)
    client.force_login(editor)
    url = reverse("admin:photos_photo_change", args=[photo.pk])
    response = client.post(url, change_data(photo, alt_text="  ", caption="Nowy"))
    assert response.status_code == 200
    assert "musi mieć tekst alternatywny" in response.content.decode()
    photo.refresh_from_db()
    assert (photo.alt_text, photo.caption) == ("Strażacy przy wozie", "")
    # A photo no public article shows may go without one for now.
    loose = make_photo(alt_text="Opis")
    response = client.post(
        reverse("admin:photos_photo_change", args=[loose.pk]),
        change_data(loose, alt_text=""),
    )
    assert response.status_code == 302
    loose.refresh_from_db()
    assert loose.alt_text == ""


@pytest.fixture
def newsroom_photos(make_article, make_photo, journalist):
    """A photo of a published story, of the journalist's draft, of both, of none."""
    published = make_article(title="Wydany artykuł")
    draft = make_article(title="Szkic reportera", publish=False, created_by=journalist)
    other_draft = make_article(title="Cudzy szkic", publish=False)
    photos = {
        name: make_photo(caption=name)
        for name in ("published", "own draft", "both", "other draft", "unused")
    }
    services.add_to_gallery(
        published, [photos["published"], photos["both"]], by=COMMAND
    )
    services.add_to_gallery(draft, [photos["own draft"], photos["both"]], by=COMMAND)
    services.add_to_gallery(other_draft, [photos["other draft"]], by=COMMAND)
    return photos


def test_journalist_changes_only_photos_of_their_own_drafts(
    client, journalist, newsroom_photos
):
    client.force_login(journalist)
    listed = client.get(reverse("admin:photos_photo_changelist"))
    assert listed.status_code == 200
    shown = {photo.caption for photo in listed.context["cl"].result_list}
    assert shown == {"own draft", "unused"}
    own = newsroom_photos["own draft"]
    response = client.post(
        reverse("admin:photos_photo_change", args=[own.pk]),
        change_data(own, caption="Mój podpis"),
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.caption == "Mój podpis"
    for name in ("published", "both", "other draft"):
        photo = newsroom_photos[name]
        url = reverse("admin:photos_photo_change", args=[photo.pk])
        response = client.post(url, change_data(photo, alt_text="Podmienione"))
        assert response.status_code in (302, 403)
        photo.refresh_from_db()
        assert photo.alt_text == "Widok na Odrę", name


def test_photo_admin_asks_per_photo_and_editors_change_any(
    rf, editor, journalist, newsroom_photos
):
    from django.contrib import admin

    photo_admin = admin.site._registry[Photo]
    published = newsroom_photos["published"]
    own = newsroom_photos["own draft"]
    request = rf.get("/")
    request.user = journalist
    assert photo_admin.has_change_permission(request, own)
    assert not photo_admin.has_change_permission(request, published)
    assert not photo_admin.has_delete_permission(request, published)
    request.user = editor
    assert photo_admin.has_change_permission(request, published)
    assert photo_admin.has_delete_permission(request, published)
    assert photo_admin.get_queryset(request).count() == 5
