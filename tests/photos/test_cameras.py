"""Photos straight from real cameras: their EXIF, maker notes and GPS blocks
stay in the private original and never reach a public file.

The files are fetched by `make test` (tests/camera-fixtures.sh) into
.cache/camera-photos, outside the repository.
"""

import io
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from PIL import Image, ImageStat

from wiesci.core.actors import COMMAND
from wiesci.photos.services import create_photo

pytestmark = pytest.mark.django_db

CAMERA_PHOTOS = Path(__file__).resolve().parents[2] / ".cache" / "camera-photos"
EXIF_IFD, GPS_IFD, MAKER_NOTE = 0x8769, 0x8825, 0x927C
MAKE, MODEL = 0x010F, 0x0110


def camera_files() -> list[Path]:
    files = sorted(CAMERA_PHOTOS.glob("*.jpg"))
    assert files, f"no camera photos in {CAMERA_PHOTOS}: `make test` fetches them"
    return files


@pytest.mark.parametrize("name", [path.name for path in camera_files()])
def test_a_real_cameras_metadata_stays_private(name):
    data = (CAMERA_PHOTOS / name).read_bytes()
    with Image.open(io.BytesIO(data)) as taken:
        exif = taken.getexif()
        model = str(exif[MODEL]).strip()
        assert exif.get_ifd(EXIF_IFD).get(MAKER_NOTE), "a camera file has maker notes"
        had_gps = bool(exif.get_ifd(GPS_IFD))
        colour = ImageStat.Stat(taken.convert("RGB")).mean
    photo = create_photo(
        io.BytesIO(data), alt_text="Zdjęcie z aparatu", renditions="now", by=COMMAND
    )
    files = [path for r in photo.renditions.values() for path in r["files"].values()]
    assert files
    for path in files:
        public = default_storage.open(path).read()
        assert model.encode() not in public, path
        with Image.open(io.BytesIO(public)) as shown:
            assert len(shown.getexif()) == 0, path
            assert "exif" not in shown.info and "xmp" not in shown.info
            # The picture itself survives the re-encoding.
            mean = ImageStat.Stat(shown.convert("RGB")).mean
            assert max(abs(a - b) for a, b in zip(mean, colour, strict=True)) < 12
    with photo.original.open("rb") as original, Image.open(original) as kept:
        assert str(kept.getexif()[MODEL]).strip() == model
        assert bool(kept.getexif().get_ifd(GPS_IFD)) == had_gps


def test_some_camera_photos_carry_a_gps_block():
    """The set covers what matters most: a position that must not leak."""
    with_gps = []
    for path in camera_files():
        with Image.open(path) as taken:
            if taken.getexif().get_ifd(GPS_IFD):
                with_gps.append(path.name)
    assert with_gps
