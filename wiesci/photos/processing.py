"""Checking uploads and making public renditions with Pillow.

Every public file is re-encoded from the pixels alone: orientation applied,
colours converted to sRGB, and no EXIF, GPS, XMP or IPTC data carried over.
The original is decoded once, at reduced size where the format allows
(JPEG's DCT scaling), and each smaller size is made from the larger one.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageCms, UnidentifiedImageError, features

from wiesci import conf

ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}
SRGB = ImageCms.createProfile("sRGB")
SRGB_BYTES = ImageCms.ImageCmsProfile(SRGB).tobytes()


class PhotoRejected(ValidationError):
    """An upload that is not a photo Wieści accepts; the message says why."""


@dataclass(frozen=True)
class Inspected:
    format: str
    width: int
    height: int
    content_hash: str


def public_formats() -> list[str]:
    """Formats of public files, best first; the last one every browser shows."""
    formats = ["webp", "jpeg"]
    if features.check("avif"):
        formats.insert(0, "avif")
    return formats


def inspect_upload(upload: IO[bytes], *, size: int | None = None) -> Inspected:
    """Check that `upload` is a whole photo within the limits, by its content.

    Raises PhotoRejected with a message for the person uploading. Reads and
    decodes the whole file once, so a truncated file is caught here and not
    when the renditions are made.
    """
    max_bytes = conf.PHOTO_MAX_BYTES
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    upload.seek(0)
    if size > max_bytes:
        raise PhotoRejected(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    with warnings.catch_warnings():
        # Our own pixel limit below replaces Pillow's bomb warning.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = open_image(upload)
        except Image.DecompressionBombError:
            raise _too_many_pixels() from None
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            raise PhotoRejected(
                _(
                    "This file is not a photo. "
                    "Accepted formats: JPEG, PNG, WebP and HEIC."
                ),
                code="not_an_image",
            ) from None
        with image:
            if image.format not in ACCEPTED_FORMATS:
                raise PhotoRejected(
                    _(
                        "Photos in the %(format)s format are not accepted. "
                        "Accepted formats: JPEG, PNG, WebP and HEIC."
                    )
                    % {"format": image.format},
                    code="format",
                )
            width, height = image.size
            if width * height > conf.PHOTO_MAX_PIXELS:
                raise _too_many_pixels()
            check_decode_memory(image)
            # A turned photo's upright size, without turning any pixels.
            if _orientation(image) in TURNED:
                width, height = height, width
            fmt = str(image.format)
            if fmt in ("JPEG", "MPO"):
                # Every byte is still decoded (so a truncated file fails), but
                # at an eighth of the size: 1.5 MB of pixels, not 96 MB, for a
                # 24-megapixel photo.
                image.draft(image.mode, (image.width // 8, image.height // 8))
            try:
                image.load()
            except (OSError, SyntaxError, ValueError):
                raise PhotoRejected(
                    _("The photo file is damaged or incomplete. Upload it again."),
                    code="truncated",
                ) from None
    upload.seek(0)
    return Inspected(
        format=fmt, width=width, height=height, content_hash=digest.hexdigest()
    )


_heif_lock = threading.Lock()
_heif_ready = False


def open_image(source: Any) -> Image.Image:
    """Image.open(), able to read HEIC/HEIF phone photos too.

    pillow-heif (and libheif with it) is loaded the first time a file in an
    ISO media container arrives, not at start-up: most processes never see one.
    """
    global _heif_ready
    if not _heif_ready:
        start = source.tell()
        head = source.read(12)
        source.seek(start)
        if head[4:8] == b"ftyp":
            with _heif_lock:
                if not _heif_ready:
                    from pillow_heif import register_heif_opener

                    register_heif_opener()
                    _heif_ready = True
    return Image.open(source)


# Bytes of memory per pixel that decoding a photo and scaling it down for the
# renditions take at their peak, measured with Pillow 13 and pillow-heif
# (`make bench` records the largest accepted photo of each kind). JPEG is
# left out: it is decoded at an eighth, a quarter or half of its size.
FORMAT_DECODE_COST = {"WEBP": 17.0, "HEIF": 8.0}
MODE_DECODE_COST = {
    "1": 2.0,
    "L": 2.0,
    # A palette is turned into RGB at full size before it can be scaled.
    "P": 6.5,
    "RGB": 5.5,
    "CMYK": 5.5,
    # Alpha: resizing premultiplies into a copy of the whole photo.
    "RGBA": 10.0,
    "LA": 10.0,
    "PA": 10.0,
    # 16-bit greyscale is widened to 32 bits before it is scaled to 8.
    "I;16": 11.0,
    "I;16L": 11.0,
    "I;16B": 11.0,
    "I;16N": 11.0,
    "I": 6.5,
    "F": 6.5,
}


def decode_cost(fmt: str, mode: str) -> float:
    """Peak bytes of memory per pixel to decode and scale a photo down; 0 for
    JPEG, decoded at a reduced size."""
    if fmt in ("JPEG", "MPO"):
        return 0.0
    return FORMAT_DECODE_COST.get(fmt) or MODE_DECODE_COST.get(mode, 11.0)


def largest_pixels(fmt: str, mode: str) -> int:
    """The most pixels a photo of this format and mode may have."""
    limit = int(conf.PHOTO_MAX_PIXELS)
    per_pixel = decode_cost(fmt, mode)
    if not per_pixel:
        return limit
    return min(limit, int(conf.PHOTO_MAX_DECODE_BYTES / per_pixel))


def check_decode_memory(image: Image.Image) -> None:
    """Refuse a photo whose decoding would take more than PHOTO_MAX_DECODE_BYTES.

    Called before any pixel is decoded, so neither the web server checking
    an upload nor the task worker making its sizes ever needs more.
    """
    fmt, mode = str(image.format), image.mode
    width, height = image.size
    if width * height * decode_cost(fmt, mode) <= conf.PHOTO_MAX_DECODE_BYTES:
        return
    raise PhotoRejected(
        _(
            "This %(format)s photo has too many pixels to be processed "
            "(%(pixels)s megapixels); the limit for this format is %(limit)s "
            "megapixels. Save it as a JPEG or make it smaller."
        )
        % {
            "format": FORMAT_NAMES.get(fmt, fmt),
            "pixels": round(width * height / 1_000_000),
            "limit": largest_pixels(fmt, mode) // 1_000_000,
        },
        code="too_large_to_decode",
    )


FORMAT_NAMES = {"HEIF": "HEIC", "WEBP": "WebP"}


def _too_many_pixels() -> PhotoRejected:
    megapixels = conf.PHOTO_MAX_PIXELS // 1_000_000
    return PhotoRejected(
        ngettext(
            "The photo has too many pixels; the limit is %(limit)s megapixel.",
            "The photo has too many pixels; the limit is %(limit)s megapixels.",
            megapixels,
        )
        % {"limit": megapixels},
        code="too_many_pixels",
    )


ORIENTATION = 0x0112
# What a viewer does to a photo stored with EXIF orientation n (as
# ImageOps.exif_transpose); 5 to 8 swap width and height.
TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
TURNED = (5, 6, 7, 8)


def _orientation(image: Image.Image) -> int:
    value = image.getexif().get(ORIENTATION, 1)
    return value if value in TRANSPOSE else 1


@dataclass(frozen=True)
class Spec:
    name: str
    width: int
    height: int | None  # None: keep the photo's proportions
    formats: tuple[str, ...] = ()  # none named: every public format

    @property
    def key(self) -> str:
        return json.dumps([self.name, self.width, self.height, conf.PHOTO_QUALITY])


def specs() -> list[Spec]:
    result = []
    for name, spec in conf.PHOTO_RENDITIONS.items():
        formats = tuple(spec.get("formats", ()))
        if "crop" in spec:
            width, height = int(spec["crop"][0]), int(spec["crop"][1])
            result.append(Spec(name, width, height, formats))
        else:
            result.append(Spec(name, int(spec["width"]), None, formats))
    return result


def _scale_for(spec: Spec, width: int, height: int) -> float:
    if spec.height is None:
        return min(1.0, spec.width / width)
    return min(1.0, max(spec.width / width, spec.height / height))


def _covers(size: tuple[int, int], spec: Spec) -> bool:
    """Whether a whole-frame image of `size` can give `spec` without upscaling."""
    width, height = size
    if spec.height is None:
        return width >= spec.width
    return spec.width / width <= 1 and spec.height / height <= 1


# 16-bit greyscale (a PNG from a scanner or a drawing program) in Pillow's modes.
SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def _resizable(image: Image.Image) -> Image.Image:
    """`image` in a mode that resizes smoothly and converts to 8-bit RGB.

    Palette and 1-bit images would only be resized by dropping pixels, and
    16-bit greyscale would turn white where a plain conversion clips every
    value above 255, so it is scaled down to 8 bits.
    """
    mode = image.mode
    if mode in SIXTEEN_BIT:
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    if mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if mode == "PA":
        return image.convert("RGBA")
    if mode in ("1", "F"):
        return image.convert("L")
    return image


def _to_srgb(image: Image.Image, profile: bytes | None) -> Image.Image:
    """Convert to 8-bit RGB in sRGB, honouring the colour profile `profile`."""
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba).convert("RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            return (
                ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB")
                or image
            )
        except (ImageCms.PyCMSError, OSError):
            pass
    return image.convert("RGB") if image.mode != "RGB" else image


def _crop_box(
    size: tuple[int, int], spec: Spec, focal: tuple[float, float]
) -> tuple[int, int, int, int]:
    """The largest box of the spec's proportions, centred on the focal point."""
    width, height = size
    target = spec.width / (spec.height or 1)
    if width / height > target:
        box_w, box_h = round(height * target), height
    else:
        box_w, box_h = width, round(width / target)
    left = min(max(round(focal[0] * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal[1] * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def render(source: IO[bytes], *, focal: tuple[float, float]) -> dict[str, Image.Image]:
    """Decode `source` once and return one upright sRGB image per spec."""
    return dict(iter_renditions(source, focal=focal))


def _decode(
    source: IO[bytes], all_specs: list[Spec]
) -> tuple[Image.Image, int, bytes | None]:
    """The photo as stored (not yet turned), scaled to the size the largest
    spec needs, with its EXIF orientation and its colour profile.

    A JPEG is decoded at 1/2, 1/4 or 1/8 of its size when that is still
    enough (DCT scaling), and the decoded pixels are released as soon as the
    scaled copy exists.
    """
    with open_image(source) as image:
        # Checked at upload too; a photo stored before the limit held (or
        # under a larger one) is refused here rather than decoded.
        check_decode_memory(image)
        width, height = image.size
        orientation = _orientation(image)
        upright = (height, width) if orientation in TURNED else (width, height)
        scale = max(_scale_for(spec, *upright) for spec in all_specs)
        profile = image.info.get("icc_profile")
        target = (max(1, round(width * scale)), max(1, round(height * scale)))
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", (math.ceil(width * scale), math.ceil(height * scale)))
        image.load()  # decode now, while the file is open
        frame = _resizable(image)
        if frame.size != target:
            frame = frame.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        if frame is not image:
            image.close()  # the decoded pixels, often the largest buffer of all
    return frame, orientation, profile


def iter_renditions(
    source: IO[bytes], *, focal: tuple[float, float]
) -> Iterator[tuple[str, Image.Image]]:
    """Decode `source` once; yield (size name, upright sRGB image), largest first.

    Each size is cut from the smallest whole-frame image made so far that is
    still big enough, which keeps the resizes cheap; an image is let go as
    soon as no size still to come is cut from it, so a caller that encodes
    each size before asking for the next holds little at any moment.
    Resizing comes before turning and colour conversion, which then work on
    the scaled image rather than the decoded one.
    """
    all_specs = specs()
    base, orientation, profile = _decode(source, all_specs)
    if orientation != 1:
        base = base.transpose(TRANSPOSE[orientation])
    base = _to_srgb(base, profile)
    base.info = {}  # no metadata travels into the renditions
    ordered = sorted(
        all_specs, key=lambda s: s.width * (s.height or s.width), reverse=True
    )
    frames = [base]
    del base
    for index, spec in enumerate(ordered):
        image = _fit(_source_for(spec, frames), spec, focal)
        if spec.height is None:
            frames.append(image)
        later = ordered[index + 1 :]
        frames = [f for f in frames if any(_source_for(s, frames) is f for s in later)]
        yield spec.name, image
        del image


def _source_for(spec: Spec, frames: list[Image.Image]) -> Image.Image:
    def area(frame: Image.Image) -> int:
        return frame.width * frame.height

    # A photo smaller than the spec gives what it has, never upscaled.
    large_enough = [f for f in frames if _covers(f.size, spec)] or [
        max(frames, key=area)
    ]
    return min(large_enough, key=area)


def _fit(base: Image.Image, spec: Spec, focal: tuple[float, float]) -> Image.Image:
    if spec.height is None:
        if base.width <= spec.width:
            return base
        height = max(1, round(base.height * spec.width / base.width))
        return base.resize(
            (spec.width, height), Image.Resampling.LANCZOS, reducing_gap=3.0
        )
    box = _crop_box(base.size, spec, focal)
    cropped_w, cropped_h = box[2] - box[0], box[3] - box[1]
    size = (
        (spec.width, spec.height) if cropped_w >= spec.width else (cropped_w, cropped_h)
    )
    return base.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)


def encode(image: Image.Image, fmt: str) -> bytes:
    """Encode with no metadata but the sRGB profile."""
    clean = image
    if image.info:
        clean = image.copy()
        clean.info = {}
    out = io.BytesIO()
    quality = conf.PHOTO_QUALITY
    if fmt == "jpeg":
        clean.save(
            out,
            "JPEG",
            quality=quality,
            optimize=True,
            progressive=True,
            icc_profile=SRGB_BYTES,
        )
    elif fmt == "webp":
        clean.save(out, "WEBP", quality=quality, method=4, icc_profile=SRGB_BYTES)
    elif fmt == "avif":
        clean.save(
            out, "AVIF", quality=max(quality - 25, 30), speed=8, icc_profile=SRGB_BYTES
        )
    else:
        raise ValueError(fmt)
    return out.getvalue()


EXTENSIONS = {"jpeg": "jpg", "webp": "webp", "avif": "avif"}


def public_name(
    spec: Spec,
    *,
    content_hash: str,
    stamp: int,
    hint: str,
    fmt: str,
    month: str,
    focal: tuple[float, float] = (0.5, 0.5),
) -> str:
    """`zdjecia/2026/11/mini_1765700078-gwiazdka-serc-1a2b3c4d5e.webp`.

    The hash covers the original's content, the size's definition and, for
    crops, the focal point, so a re-upload, a new size or a new crop never
    reuses a name a browser or a proxy may have cached.
    """
    crop = f"{focal[0]:.3f},{focal[1]:.3f}" if spec.height else ""
    key = f"{content_hash}:{spec.key}:{crop}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    stem = (
        f"{spec.name}_{stamp}-{hint}-{digest}"
        if hint
        else f"{spec.name}_{stamp}-{digest}"
    )
    return f"zdjecia/{month}/{stem}.{EXTENSIONS[fmt]}"


def write_renditions(
    source: IO[bytes],
    *,
    focal: tuple[float, float],
    content_hash: str,
    stamp: int,
    hint: str,
    month: str,
) -> dict[str, Any]:
    """Make and store every rendition; return the map kept on the Photo.

    Each size is encoded and stored before the next is made, so only the
    images still needed are held while an encoder runs.
    """
    by_name = {spec.name: spec for spec in specs()}
    renditions: dict[str, Any] = {}
    for name, image in iter_renditions(source, focal=focal):
        files, sizes = {}, {}
        spec = by_name[name]
        for fmt in spec.formats or public_formats():
            path = public_name(
                spec,
                content_hash=content_hash,
                stamp=stamp,
                hint=hint,
                fmt=fmt,
                month=month,
                focal=focal,
            )
            if default_storage.exists(path):
                sizes[fmt] = default_storage.size(path)
            else:
                data = encode(image, fmt)
                path = default_storage.save(path, ContentFile(data))
                sizes[fmt] = len(data)
            files[fmt] = path
        renditions[name] = {
            "width": image.width,
            "height": image.height,
            "files": files,
            "bytes": sizes,  # what a feed's enclosure states
        }
    return renditions
