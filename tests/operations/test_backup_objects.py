"""A backup of a portal whose media are on object storage (SeaweedFS): the
archive lists every object by its checksum, and a restore checks them."""

import pytest
from django.core.files.storage import storages
from django.core.management import CommandError

from tests.photos.test_object_storage import use_object_storage
from wiesci.core.actors import COMMAND
from wiesci.operations.backup import make_backup
from wiesci.operations.restore import check_objects, read_archive

pytestmark = pytest.mark.django_db(transaction=True)


def test_objects_are_listed_with_checksums_and_checked_on_restore(
    settings, seaweedfs, tmp_path, make_photo
):
    use_object_storage(settings, seaweedfs)
    photo = make_photo()
    public = {
        path
        for rendition in photo.renditions.values()
        for path in rendition["files"].values()
    }
    report = make_backup(tmp_path / "kopie", by=COMMAND)
    manifest = read_archive(report.path)
    listed = {
        alias: {entry["key"]: entry for entry in described.get("objects", [])}
        for alias, described in manifest["storages"].items()
    }
    # Every public size and the original, each with its size and SHA-256;
    # none of their bytes is in the archive itself.
    assert public <= set(listed["default"])
    assert photo.original.name in listed["private"]
    original = listed["private"][photo.original.name]
    assert original["size"] == photo.original.size
    assert len(original["sha256"]) == 64
    assert not any(
        name.startswith(("media/", "private/")) for name in manifest["members"]
    )
    assert report.objects == len(listed["default"]) + len(listed["private"])

    assert check_objects(manifest, verify=True)
    gone = sorted(public)[0]
    storages["default"].delete(gone)
    with pytest.raises(CommandError, match="nie istnieje w magazynie obiektowym"):
        check_objects(manifest, verify=False)
