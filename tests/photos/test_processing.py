"""Uploads are checked by content; public files carry pixels and nothing else."""

import io
import struct
import zlib
from pathlib import Path
from typing import cast

import pillow_heif
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image, ImageCms, ImageOps

from tests.conftest import image_bytes
from wiesci.photos.models import Photo
from wiesci.photos.processing import PhotoRejected
from wiesci.photos.services import create_photo

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


def camera_jpeg(size=(1200, 800), orientation: int | None = None, image=None) -> bytes:
    """A JPEG with the EXIF block a phone writes: maker, model, GPS position."""
    image = image or Image.open(io.BytesIO(image_bytes(size)))
    exif = Image.Exif()
    exif[0x010F] = "Telefon"
    exif[0x0110] = "Model X"
    if orientation:
        exif[0x0112] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (50.0, 5.0, 30.0), 3: "E", 4: (18.0, 13.0, 10.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return out.getvalue()


def rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, int, int]:
    red, green, blue = cast(tuple[int, int, int], image.convert("RGB").getpixel(xy))
    return red, green, blue


def public_files(photo: Photo) -> list[str]:
    return [path for r in photo.renditions.values() for path in r["files"].values()]


def stored_files() -> set[Path]:
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_ROOT)]
    return {
        p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()
    }


def test_gps_and_exif_never_reach_a_public_file():
    photo = create_photo(io.BytesIO(camera_jpeg()), alt_text="Rynek", renditions="now")
    assert set(photo.renditions) == {"mini", "article", "full", "social"}
    for path in public_files(photo):
        data = default_storage.open(path).read()
        with Image.open(io.BytesIO(data)) as public:
            assert len(public.getexif()) == 0, path
            assert not public.getexif().get_ifd(GPS_IFD)
            assert "exif" not in public.info and "xmp" not in public.info
            # Colours stay right: an sRGB profile is the one thing kept.
            profile = ImageCms.ImageCmsProfile(io.BytesIO(public.info["icc_profile"]))
            assert "sRGB" in ImageCms.getProfileDescription(profile)
        assert b"Model X" not in data and b"Telefon" not in data
    # The original keeps everything, privately: no URL leads to it.
    with photo.original.open("rb") as original:
        assert Image.open(original).getexif()[0x0110] == "Model X"
    with pytest.raises(ValueError, match="no public address"):
        photo.original.url  # noqa: B018
    assert not str(Path(photo.original.path)).startswith(str(settings.MEDIA_ROOT))


# Orientation n stores the picture transformed by the inverse of what a viewer
# applies; Pillow's exif_transpose applies the forward transform.
INVERSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(orientation):
    upright = Image.new("RGB", (1200, 800), "blue")
    upright.paste((255, 0, 0), (0, 0, 600, 400))  # red top-left quarter
    stored = (
        upright.transpose(INVERSE[orientation]) if orientation in INVERSE else upright
    )
    photo = create_photo(
        io.BytesIO(camera_jpeg(orientation=orientation, image=stored)),
        alt_text="Test",
        renditions="now",
    )
    assert (photo.width, photo.height) == (1200, 800)
    full = photo.renditions["full"]
    assert (full["width"], full["height"]) == (1200, 800)
    with Image.open(default_storage.open(full["files"]["jpeg"])) as public:
        red, _, blue = rgb(public, (150, 100))
        assert red > 200 and blue < 60
        red, _, blue = rgb(public, (1050, 700))
        assert blue > 200 and red < 60


def bomb_png(side: int = 40000) -> bytes:
    """A real PNG of side×side one-bit pixels that compresses to a few hundred KB."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomba.png", bomb_png(), "Zdjęcie ma zbyt wiele pikseli"),
        (
            "logo.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>',
            "Ten plik nie jest zdjęciem",
        ),
        ("faktura.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "Ten plik nie jest zdjęciem"),
        ("urwane.jpg", image_bytes((800, 600))[:5000], "uszkodzony"),
        ("animacja.gif", image_bytes(fmt="GIF"), "GIF"),
    ],
)
def test_bad_uploads_are_rejected_and_leave_nothing_behind(name, data, message):
    before = stored_files()
    with pytest.raises(PhotoRejected, match=message):
        create_photo(io.BytesIO(data), filename=name, alt_text="x")
    assert not Photo.objects.exists()
    assert stored_files() == before


def test_files_over_the_size_limit_are_rejected(settings):
    settings.WIESCI_PHOTO_MAX_BYTES = 10_000
    with pytest.raises(PhotoRejected, match="Plik jest za duży"):
        create_photo(io.BytesIO(image_bytes((1600, 1200))), alt_text="x")
    assert not Photo.objects.exists()


def test_phone_heic_photos_are_accepted():
    image = Image.open(io.BytesIO(image_bytes((900, 600))))
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=80)
    photo = create_photo(
        io.BytesIO(out.getvalue()),
        filename="IMG_0001.HEIC",
        alt_text="x",
        renditions="now",
    )
    assert photo.renditions["article"]["width"] == 900
    with Image.open(
        default_storage.open(photo.renditions["mini"]["files"]["jpeg"])
    ) as mini:
        assert mini.format == "JPEG"


def test_cmyk_photos_become_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (600, 400), (0, 255, 255, 0)).save(out, "JPEG")
    photo = create_photo(io.BytesIO(out.getvalue()), alt_text="x", renditions="now")
    with Image.open(
        default_storage.open(photo.renditions["full"]["files"]["jpeg"])
    ) as public:
        assert public.mode == "RGB"
        red, green, _ = rgb(public, (10, 10))
        assert red > 180 and green < 90


def test_crops_follow_the_focal_point_and_small_photos_are_not_upscaled():
    upright = Image.new("RGB", (1600, 400), "blue")
    upright.paste((255, 0, 0), (1200, 0, 1600, 400))  # red right end
    out = io.BytesIO()
    upright.save(out, "JPEG")
    photo = create_photo(
        io.BytesIO(out.getvalue()), alt_text="x", focal=(0.95, 0.5), renditions="now"
    )
    mini = photo.renditions["mini"]
    assert (mini["width"], mini["height"]) == (480, 270)
    with Image.open(default_storage.open(mini["files"]["jpeg"])) as crop:
        assert rgb(crop, (400, 135))[0] > 200
    small = create_photo(
        io.BytesIO(image_bytes((300, 200))), alt_text="x", renditions="now"
    )
    assert small.renditions["full"]["width"] == 300


def test_public_names_tell_what_they_show_and_change_with_the_content():
    first = create_photo(
        io.BytesIO(image_bytes()),
        alt_text="x",
        name_hint="gwiazdka-serc",
        renditions="now",
    )
    name = first.renditions["mini"]["files"]["webp"]
    assert name.startswith("zdjecia/")
    stem = Path(name).name
    assert (
        stem.startswith("mini_")
        and "-gwiazdka-serc-" in stem
        and stem.endswith(".webp")
    )
    second = create_photo(
        io.BytesIO(image_bytes(color="red")),
        alt_text="x",
        name_hint="gwiazdka-serc",
        renditions="now",
    )
    assert second.renditions["mini"]["files"]["webp"] != name


def test_rebuilding_renditions_removes_files_no_longer_used(settings):
    photo = create_photo(io.BytesIO(image_bytes()), alt_text="x", renditions="now")
    old = set(public_files(photo))
    settings.WIESCI_PHOTO_RENDITIONS = {
        "mini": {"crop": [320, 180]},
        "full": {"width": 600},
    }
    from django.core.management import call_command

    out = io.StringIO()
    call_command("renditions", stdout=out)
    assert "Made the sizes of 1 photo(s)." in out.getvalue()
    photo.refresh_from_db()
    assert set(photo.renditions) == {"mini", "full"}
    assert photo.renditions["mini"]["width"] == 320
    for path in old - set(public_files(photo)):
        assert not default_storage.exists(path)
    for path in public_files(photo):
        assert default_storage.exists(path)


def test_every_orientation_helper_matches_pillow():
    # Guards the INVERSE table above: stored → exif_transpose → upright.
    upright = Image.new("RGB", (30, 20), "blue")
    upright.paste((255, 0, 0), (0, 0, 15, 10))
    for orientation, inverse in INVERSE.items():
        stored = upright.transpose(inverse)
        exif = stored.getexif()
        exif[0x0112] = orientation
        out = io.BytesIO()
        stored.save(out, "PNG", exif=exif.tobytes())
        restored = ImageOps.exif_transpose(Image.open(io.BytesIO(out.getvalue())))
        assert restored.size == (30, 20)
        assert restored.getpixel((2, 2)) == (255, 0, 0)
