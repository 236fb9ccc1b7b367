"""Photos and videos on S3-compatible object storage, against a real SeaweedFS.

Public renditions go to a bucket anyone may read (not list), with a year's
cache lifetime; originals to one nobody may read without the portal's key.
"""

import io
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from servers.seaweedfs import S3Server
from tests.conftest import image_bytes, run_wiesci
from tests.photos.test_video import phone_mp4
from wiesci.core.actors import COMMAND
from wiesci.core.environ import ConfigError, Env, media_storages
from wiesci.core.mediafiles import MediaFiles
from wiesci.core.objectstorage import PUBLIC_CACHE_CONTROL
from wiesci.core.preflight import check_storage
from wiesci.photos.models import Photo
from wiesci.photos.services import create_video, delete_photo, delete_video
from wiesci.photos.video import clean_video

pytestmark = pytest.mark.django_db


def use_object_storage(settings: Any, server: S3Server, **urls: str) -> str:
    """Point STORAGES at `server` as the environment would; return MEDIA_URL.

    Each test gets prefixes of its own in both buckets, so no test sees
    another's objects.
    """
    prefix = f"t{secrets.token_hex(4)}"
    env = {
        "WIESCI_MEDIA_URL": server.url(server.public_bucket, prefix),
        "WIESCI_PRIVATE_MEDIA_URL": server.url(server.private_bucket, prefix),
        **urls,
    }
    found = media_storages(Env(env))
    settings.STORAGES = {**settings.STORAGES, **found}
    settings.MEDIA_URL = found["default"]["OPTIONS"]["public_url"] + "/"
    return str(settings.MEDIA_URL)


@pytest.fixture
def on_s3(settings: Any, seaweedfs: S3Server) -> Iterator[str]:
    yield use_object_storage(settings, seaweedfs)


def fetch(url: str) -> tuple[int, Message, bytes]:
    """GET `url` as a reader's browser would: no credentials of any kind."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def rendition_files(photo: Photo) -> list[str]:
    return [path for r in photo.renditions.values() for path in r["files"].values()]


def keys(alias: str) -> set[str]:
    """The names of every object in this test's prefix of the storage."""
    storage: Any = storages[alias]  # a core.objectstorage.ObjectStorage
    return set(storage.inventory())


def test_renditions_are_public_with_a_years_cache_lifetime(on_s3, make_photo):
    photo = make_photo()
    files = rendition_files(photo)
    assert files
    for name in files:
        url = default_storage.url(name)
        assert url.startswith(on_s3)
        status, headers, body = fetch(url)
        assert status == 200, url
        assert headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
        assert headers["Content-Type"] in {"image/jpeg", "image/webp", "image/avif"}
        assert name.rsplit(".", 1)[-1] in {"jpg", "webp", "avif"}
        assert body.startswith((b"\xff\xd8", b"RIFF")) or b"ftypavif" in body[:32]


def test_originals_are_unreadable_without_credentials(on_s3, seaweedfs, make_photo):
    data = image_bytes()
    photo = make_photo(data=data)
    name = photo.original.name
    assert name in keys("private")
    with photo.original.open("rb") as stored:  # the portal's key reads it
        assert stored.read() == data
    with pytest.raises(ValueError, match="no public address"):
        photo.original.url  # noqa: B018
    prefix = getattr(storages["private"], "location", "")
    address = f"{seaweedfs.endpoint}/{seaweedfs.private_bucket}/{prefix}/{name}"
    status, _, body = fetch(address)
    assert status == 403
    assert data not in body


def test_buckets_cannot_be_listed_anonymously(on_s3, seaweedfs, make_photo):
    make_photo()
    for bucket in (seaweedfs.public_bucket, seaweedfs.private_bucket):
        for query in ("", "/", "?list-type=2", f"?prefix={secrets.token_hex(2)}"):
            status, _, body = fetch(f"{seaweedfs.endpoint}/{bucket}{query}")
            assert status == 403, (bucket, query)
            assert b"<Contents>" not in body
    assert fetch(seaweedfs.endpoint + "/")[0] == 403


def test_two_uploads_of_one_photo_keep_their_own_originals(
    on_s3, make_photo, django_capture_on_commit_callbacks
):
    """As on disk: a taken name is never overwritten, so deleting one photo
    leaves the other's original (of the same content hash) in place."""
    data = image_bytes(color="olive")
    first, second = make_photo(data=data), make_photo(data=data)
    assert first.original.name != second.original.name
    with django_capture_on_commit_callbacks(execute=True):
        delete_photo(first, by=COMMAND)
    assert keys("private") == {second.original.name}


def test_deleting_a_photo_removes_its_objects(
    on_s3, make_photo, django_capture_on_commit_callbacks
):
    photo = make_photo()
    public, private = rendition_files(photo), photo.original.name
    assert set(public) <= keys("default")
    with django_capture_on_commit_callbacks(execute=True):
        delete_photo(photo, by=COMMAND)
    assert keys("default") == set()
    assert keys("private") == set()
    assert fetch(on_s3 + public[0])[0] in (403, 404)
    assert private not in keys("private")


def test_photo_library_uploads_and_deletes_on_object_storage(
    on_s3, client, editor, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    upload = SimpleUploadedFile("rynek.jpg", image_bytes(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:photos_photo_add"),
            {
                "upload": upload,
                "caption": "Rynek",
                "credit": "",
                "alt_text": "Rynek w Raciborzu",
                "name_hint": "rynek",
                "focal_x": 0.5,
                "focal_y": 0.5,
            },
        )
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.renditions  # made by the task, reading the original back
    assert photo.original.name in keys("private")
    change = client.get(reverse("admin:photos_photo_change", args=[photo.pk]))
    assert on_s3 in change.content.decode()  # the thumbnail comes from the bucket
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:photos_photo_delete", args=[photo.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert keys("default") == keys("private") == set()


def test_uploaded_video_is_public_and_plays_from_the_bucket(
    on_s3, django_capture_on_commit_callbacks
):
    data = phone_mp4(seconds=1.2)
    clean = clean_video(io.BytesIO(data), size=len(data))
    with django_capture_on_commit_callbacks(execute=True):
        video = create_video(
            title="Przejazd strażaków", clean=clean, name_hint="przejazd", by=COMMAND
        )
    url = video.file.url
    assert url.startswith(on_s3 + "filmy/")
    status, headers, body = fetch(url)
    assert status == 200
    assert headers["Content-Type"] == "video/mp4"
    assert headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
    assert b"+50.0919+018.2195" not in body
    request = urllib.request.Request(url, headers={"Range": "bytes=0-99"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 206  # a phone's player seeks
        assert len(response.read()) == 100
    name = video.file.name
    with django_capture_on_commit_callbacks(execute=True):
        delete_video(video, by=COMMAND)
    assert name not in keys("default")


def test_article_page_shows_photos_from_the_public_address(
    settings, seaweedfs, client, make_article, make_photo
):
    cdn = "https://cdn.wiesci.example.pl/media"
    use_object_storage(settings, seaweedfs, WIESCI_MEDIA_PUBLIC_URL=cdn)
    photo = make_photo()
    article = make_article(main_photo=photo)
    page = client.get(article.get_absolute_url()).content.decode()
    image = re.search(r'<img [^>]*src="([^"]+)"', page)
    assert image is not None
    assert image.group(1).startswith(f"{cdn}/zdjecia/")
    assert image.group(1).removeprefix(f"{cdn}/") in rendition_files(photo)
    assert f'<meta property="og:image" content="{cdn}/' in page
    assert 'src="/media/' not in page


def test_media_answers_leave_object_storage_alone(on_s3):
    calls = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        calls.append(environ["PATH_INFO"])
        start_response("404 Not Found", [])
        return []

    answers = MediaFiles(app)
    list(answers({"PATH_INFO": "/media/zdjecia/x.jpg"}, lambda *a: None))
    assert calls == ["/media/zdjecia/x.jpg"]


def test_check_names_the_variable_of_a_missing_bucket(settings, seaweedfs):
    use_object_storage(
        settings,
        seaweedfs,
        WIESCI_PRIVATE_MEDIA_URL=seaweedfs.url("niema-takiego", "x"),
    )
    with pytest.raises(
        ConfigError,
        match=r"^WIESCI_PRIVATE_MEDIA_URL: cannot use the object storage "
        r"\(the bucket 'niema-takiego' does not exist",
    ):
        check_storage()


def test_check_names_the_variable_of_a_refused_key(settings, seaweedfs):
    wrong = seaweedfs.url(seaweedfs.public_bucket).replace(
        seaweedfs.secret_key, "zle-haslo"
    )
    use_object_storage(settings, seaweedfs, WIESCI_MEDIA_URL=wrong)
    with pytest.raises(
        ConfigError, match=r"^WIESCI_MEDIA_URL: .*refuses this access key"
    ):
        check_storage()


def test_check_of_an_unreachable_storage_ends_within_seconds(settings, seaweedfs):
    from servers.waiting import free_port

    host = seaweedfs.endpoint.removeprefix("http://")
    nowhere = seaweedfs.url(seaweedfs.public_bucket).replace(
        host, f"127.0.0.1:{free_port()}"
    )
    use_object_storage(settings, seaweedfs, WIESCI_MEDIA_URL=nowhere)
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"^WIESCI_MEDIA_URL: .*cannot reach"):
        check_storage()
    assert time.monotonic() - started < 15


def test_check_passes_on_working_buckets(on_s3):
    check_storage()


def test_article_page_on_disk_gives_an_absolute_social_image(
    settings, client, make_article, make_photo
):
    article = make_article(main_photo=make_photo())
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'<meta property="og:image" content="{settings.SITE_URL}/media/' in page


def test_wiesci_check_says_in_one_line_that_a_bucket_is_missing(product_env, seaweedfs):
    env = product_env | {
        "WIESCI_MEDIA_URL": seaweedfs.url(seaweedfs.public_bucket, "portal"),
        "WIESCI_PRIVATE_MEDIA_URL": seaweedfs.url("brak-kubla"),
    }
    result = run_wiesci("check", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "wiesci: WIESCI_PRIVATE_MEDIA_URL: cannot use the object storage (the "
        f"bucket 'brak-kubla' does not exist at {seaweedfs.endpoint})"
    )
    env["WIESCI_PRIVATE_MEDIA_URL"] = seaweedfs.url(seaweedfs.private_bucket)
    assert run_wiesci("check", env=env).returncode == 0
