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
from wiesci import conf
from wiesci.core.actors import COMMAND
from wiesci.photos.models import Photo
from wiesci.photos.processing import PhotoRejected, public_formats
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
    photo = create_photo(
        io.BytesIO(camera_jpeg()), alt_text="Rynek", renditions="now", by=COMMAND
    )
    assert set(photo.renditions) == set(conf.PHOTO_RENDITIONS)
    assert {"mini", "article", "full", "social", "wide", "classic", "square"} <= set(
        photo.renditions
    )
    # The three ratios of structured data come as JPEG alone.
    assert set(photo.renditions["square"]["files"]) == {"jpeg"}
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
        by=COMMAND,
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
        create_photo(io.BytesIO(data), filename=name, alt_text="x", by=COMMAND)
    assert not Photo.objects.exists()
    assert stored_files() == before


def test_files_over_the_size_limit_are_rejected(settings):
    settings.WIESCI_PHOTO_MAX_BYTES = 10_000
    before = stored_files()
    with pytest.raises(PhotoRejected, match="Plik jest za duży"):
        create_photo(io.BytesIO(image_bytes((1600, 1200))), alt_text="x", by=COMMAND)
    assert not Photo.objects.exists()
    assert stored_files() == before


def test_phone_heic_photos_are_accepted():
    image = Image.open(io.BytesIO(image_bytes((900, 600))))
    out = io.BytesIO()
    pillow_heif.from_pillow(image).save(out, quality=80)
    photo = create_photo(
        io.BytesIO(out.getvalue()),
        filename="IMG_0001.HEIC",
        alt_text="x",
        renditions="now",
        by=COMMAND,
    )
    assert photo.renditions["article"]["width"] == 900
    with Image.open(
        default_storage.open(photo.renditions["mini"]["files"]["jpeg"])
    ) as mini:
        assert mini.format == "JPEG"


def test_cmyk_photos_become_rgb():
    out = io.BytesIO()
    Image.new("CMYK", (600, 400), (0, 255, 255, 0)).save(out, "JPEG")
    photo = create_photo(
        io.BytesIO(out.getvalue()), alt_text="x", renditions="now", by=COMMAND
    )
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
        io.BytesIO(out.getvalue()),
        alt_text="x",
        focal=(0.95, 0.5),
        renditions="now",
        by=COMMAND,
    )
    mini = photo.renditions["mini"]
    assert (mini["width"], mini["height"]) == (480, 270)
    with Image.open(default_storage.open(mini["files"]["jpeg"])) as crop:
        assert rgb(crop, (400, 135))[0] > 200
    small = create_photo(
        io.BytesIO(image_bytes((300, 200))), alt_text="x", renditions="now", by=COMMAND
    )
    assert small.renditions["full"]["width"] == 300


def test_public_names_tell_what_they_show_and_change_with_the_content():
    first = create_photo(
        io.BytesIO(image_bytes()),
        alt_text="x",
        name_hint="gwiazdka-serc",
        renditions="now",
        by=COMMAND,
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
        by=COMMAND,
    )
    assert second.renditions["mini"]["files"]["webp"] != name


def test_rebuilding_renditions_removes_files_no_longer_used(settings):
    photo = create_photo(
        io.BytesIO(image_bytes()), alt_text="x", renditions="now", by=COMMAND
    )
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


def test_sixteen_bit_greyscale_png_keeps_its_tones():
    # A scanner's 16-bit greyscale PNG: dark left half, light right half.
    row = struct.pack("<300H", *[0x2000] * 300) + struct.pack("<300H", *[0xC000] * 300)
    grey = Image.frombytes("I;16", (600, 400), row * 400)
    out = io.BytesIO()
    grey.save(out, "PNG")
    with Image.open(io.BytesIO(out.getvalue())) as check:
        assert check.mode == "I;16"  # the file really is 16-bit
    photo = create_photo(
        io.BytesIO(out.getvalue()), alt_text="Skan", renditions="now", by=COMMAND
    )
    with Image.open(
        default_storage.open(photo.renditions["full"]["files"]["jpeg"])
    ) as public:
        dark, light = rgb(public, (100, 200)), rgb(public, (500, 200))
    assert all(abs(value - 0x20) <= 3 for value in dark), dark
    assert all(abs(value - 0xC0) <= 3 for value in light), light


XMP_MARK = "Kowalczyk-znacznik-XMP"
IPTC_MARK = "Brzezie-znacznik-IPTC"


def iptc_segment(*fields: tuple[int, bytes]) -> bytes:
    """An APP13 segment as Photoshop writes it: one 8BIM resource of IPTC records."""
    records = b"".join(
        b"\x1c\x02" + bytes([number]) + struct.pack(">H", len(value)) + value
        for number, value in fields
    )
    if len(records) % 2:
        records += b"\x00"
    resource = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(records)) + records
    body = b"Photoshop 3.0\x00" + resource
    return b"\xff\xed" + struct.pack(">H", len(body) + 2) + body


def jpeg_with_xmp_and_iptc() -> bytes:
    xmp = (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        f'exif:GPSLatitude="50,5.5N" dc:creator="{XMP_MARK}"/>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()
    data = camera_jpeg()
    with_xmp = io.BytesIO()
    Image.open(io.BytesIO(data)).save(
        with_xmp,
        "JPEG",
        quality=90,
        xmp=xmp,
        exif=Image.open(io.BytesIO(data)).info["exif"],
    )
    raw = with_xmp.getvalue()
    iptc = iptc_segment(
        (0, b"\x00\x04"), (80, b"Jan Fotograf"), (90, IPTC_MARK.encode())
    )
    return raw[:2] + iptc + raw[2:]  # right after the start-of-image marker


def test_xmp_and_iptc_never_reach_a_public_file():
    from PIL import IptcImagePlugin

    data = jpeg_with_xmp_and_iptc()
    with Image.open(io.BytesIO(data)) as original:
        # The upload really carries both, as Pillow reads them.
        assert XMP_MARK.encode() in original.info["xmp"]
        iptc = IptcImagePlugin.getiptcinfo(original)
        assert iptc is not None and iptc[(2, 90)] == IPTC_MARK.encode()
    photo = create_photo(
        io.BytesIO(data), alt_text="Rynek", renditions="now", by=COMMAND
    )
    paths = public_files(photo)
    # Every size in every format, or in the formats a size names.
    wanted = sum(
        len(spec.get("formats", public_formats()))
        for spec in conf.PHOTO_RENDITIONS.values()
    )
    assert len(paths) == wanted
    for path in paths:
        public = default_storage.open(path).read()
        for mark in (XMP_MARK, IPTC_MARK, "Jan Fotograf", "Photoshop 3.0", "50,5.5N"):
            assert mark.encode() not in public, (mark, path)
        assert b"http://ns.adobe.com/xap/1.0/" not in public
        assert b"8BIM" not in public
        with Image.open(io.BytesIO(public)) as image:
            assert "xmp" not in image.info
            assert IptcImagePlugin.getiptcinfo(image) is None


def test_photos_over_the_portals_pixel_limit_are_refused(settings):
    settings.WIESCI_PHOTO_MAX_PIXELS = 2_000_000
    data = image_bytes((2000, 1200))  # 2.4 MP, far below Pillow's own limit
    before = stored_files()
    with pytest.raises(
        PhotoRejected, match="Zdjęcie ma zbyt wiele pikseli; limit to 2 megapiksele"
    ):
        create_photo(io.BytesIO(data), filename="duze.jpg", alt_text="x", by=COMMAND)
    assert not Photo.objects.exists()
    assert stored_files() == before
    # Within the limit, the same kind of file is fine.
    create_photo(io.BytesIO(image_bytes((1600, 1200))), alt_text="x", by=COMMAND)


def test_a_huge_png_is_refused_by_the_memory_it_needs_before_decoding():
    """10900 × 10900 pixels fit the pixel limit, in a 0.5 MB file; decoding
    them would take over a gigabyte, so the upload is refused unread."""
    out = io.BytesIO()
    Image.new("RGBA", (10900, 10900), (20, 90, 160, 255)).save(out, "PNG")
    assert out.tell() < 1024 * 1024 and conf.PHOTO_MAX_PIXELS > 10900**2
    before = stored_files()
    with pytest.raises(
        PhotoRejected,
        match=(
            r"Zdjęcie w formacie PNG ma zbyt wiele pikseli, by je przetworzyć "
            r"\(119 Mpx\); w tym formacie limit to 41 Mpx\. Zapisz je jako "
            r"JPEG albo zmniejsz\."
        ),
    ):
        create_photo(
            io.BytesIO(out.getvalue()), filename="plan.png", alt_text="x", by=COMMAND
        )
    assert not Photo.objects.exists() and stored_files() == before


def test_the_decode_limit_scales_with_the_setting_and_spares_jpeg(settings):
    settings.WIESCI_PHOTO_MAX_DECODE_BYTES = 5 * 1000 * 1000  # 1 MP of RGB PNG
    png = io.BytesIO()
    Image.new("RGB", (1200, 1000), "teal").save(png, "PNG")
    with pytest.raises(PhotoRejected, match="PNG"):
        create_photo(io.BytesIO(png.getvalue()), alt_text="x", by=COMMAND)
    # A JPEG is decoded at a fraction of its size: the limit is not its.
    create_photo(io.BytesIO(image_bytes((3000, 2000))), alt_text="x", by=COMMAND)
    small = io.BytesIO()
    Image.new("RGB", (1000, 900), "teal").save(small, "PNG")
    create_photo(io.BytesIO(small.getvalue()), alt_text="x", by=COMMAND)


def test_renditions_command_reports_progress(make_photo):
    from django.core.management import call_command

    for _ in range(3):
        make_photo(data=image_bytes((96, 64)))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    call_command("renditions", stdout=terminal)
    shown = terminal.getvalue()
    # On a terminal one bar redraws itself after each photo.
    assert f"\r[{'#' * 10}{'.' * 20}] 1/3" in shown
    assert f"\r[{'#' * 20}{'.' * 10}] 2/3" in shown
    assert f"\r[{'#' * 30}] 3/3\n" in shown
    assert shown.endswith("Made the sizes of 3 photo(s).\n")
    # In a log, one line at the end (and every 50 photos).
    log = io.StringIO()
    call_command("renditions", "--missing", stdout=log)
    assert log.getvalue() == "Made the sizes of 0 photo(s).\n"
    call_command("renditions", stdout=log)
    assert log.getvalue().splitlines()[1:] == [
        f"[{'#' * 30}] 3/3",
        "Made the sizes of 3 photo(s).",
    ]
