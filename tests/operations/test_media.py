"""`wiesci media migrate`: a disk store copied to object storage (SeaweedFS)."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage, storages
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.photos.test_object_storage import fetch, keys, use_object_storage
from wiesci.core.objectstorage import PUBLIC_CACHE_CONTROL

pytestmark = pytest.mark.django_db

FILM = bytes(range(256)) * 64  # 16 KiB standing in for an MP4
# Past boto3's 8 MiB threshold a file is sent in parts, and its ETag differs.
LONG_FILM = bytes(range(256)) * (36 * 1024 + 7)
FILM_NAME = "filmy/2026/05/1765700078-dozynki-0123456789.mp4"


@pytest.fixture
def disk_store(settings: Any, tmp_path: Path, make_photo: Any) -> dict[str, Any]:
    """A portal's media on disk: a photo with its renditions, a video file,
    and a half-written file that must stay behind."""
    media, private = tmp_path / "media", tmp_path / "private"
    settings.MEDIA_ROOT, settings.MEDIA_URL = media, "/media/"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media},
        },
        "private": {
            "BACKEND": "wiesci.core.storage.PrivateFileStorage",
            "OPTIONS": {"location": private},
        },
    }
    photo = make_photo()
    (media / FILM_NAME).parent.mkdir(parents=True)
    (media / FILM_NAME).write_bytes(FILM)
    (media / "zdjecia" / ".szkic.tmp").write_bytes(b"w trakcie zapisu")
    return {"media": media, "private": private, "photo": photo}


def migrate(store: dict[str, Any], *options: str) -> str:
    """Run `wiesci media migrate` on the store's folders; what it printed."""
    out = io.StringIO()
    with translation.override("en"):
        call_command(
            "media",
            "migrate",
            *options,
            "--media",
            str(store["media"]),
            "--private",
            str(store["private"]),
            stdout=out,
        )
    return out.getvalue()


def names(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    }


def test_migrate_copies_the_disk_store_and_a_second_run_copies_nothing(
    settings, seaweedfs, disk_store
):
    photo = disk_store["photo"]
    (disk_store["media"] / "filmy" / "dlugi.mp4").write_bytes(LONG_FILM)
    public, private = names(disk_store["media"]), names(disk_store["private"])
    original = (disk_store["private"] / photo.original.name).read_bytes()
    use_object_storage(settings, seaweedfs)

    output = migrate(disk_store)

    total = len(public) + len(private)
    assert f"Copied {total} files" in output
    assert f"] {total}/{total} files" in output  # the progress bar's last step
    assert keys("default") == public
    assert keys("private") == private
    assert "zdjecia/.szkic.tmp" not in keys("default")
    for name in [p for r in photo.renditions.values() for p in r["files"].values()]:
        status, headers, _ = fetch(default_storage.url(name))
        assert status == 200
        assert headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
    for name, data in ((FILM_NAME, FILM), ("filmy/dlugi.mp4", LONG_FILM)):
        status, headers, body = fetch(default_storage.url(name))
        assert (status, headers["Content-Type"], body) == (200, "video/mp4", data)
    photo.refresh_from_db()
    with photo.original.open("rb") as stored:
        assert stored.read() == original

    again = migrate(disk_store)

    assert "Copied 0 files" in again
    assert f"{total} were there already" in again


def test_migrate_copies_a_file_changed_since_the_last_run(
    settings, seaweedfs, disk_store
):
    use_object_storage(settings, seaweedfs)
    migrate(disk_store)
    film = disk_store["media"] / "filmy" / "2026" / "05"
    changed = next(film.iterdir())
    changed.write_bytes(FILM[::-1])  # the same size, other bytes

    output = migrate(disk_store)

    assert "Copied 1 file " in output
    with storages["default"].open(
        changed.relative_to(disk_store["media"]).as_posix()
    ) as f:
        assert f.read() == FILM[::-1]


def test_migrate_dry_run_writes_nothing(settings, seaweedfs, disk_store):
    use_object_storage(settings, seaweedfs)
    assert "would be copied" in migrate(disk_store, "--dry-run")
    assert keys("default") == keys("private") == set()


def test_migrate_says_when_media_are_not_on_object_storage(disk_store):
    with pytest.raises(CommandError, match=r"^Media are stored on disk\. Set WIESCI_"):
        migrate(disk_store)


def test_migrate_refuses_a_folder_that_does_not_exist(settings, seaweedfs, tmp_path):
    use_object_storage(settings, seaweedfs)
    missing = {"media": tmp_path / "nie-ma", "private": tmp_path}
    with pytest.raises(CommandError, match=r"No such folder: .*nie-ma"):
        migrate(missing)
