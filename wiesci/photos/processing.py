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
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

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
            image = Image.open(upload)
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
            try:
                image.load()
            except (OSError, SyntaxError, ValueError):
                raise PhotoRejected(
                    _("The photo file is damaged or incomplete. Upload it again."),
                    code="truncated",
                ) from None
            oriented = (
                ImageOps.exif_transpose(image, in_place=False)
                if _rotated(image)
                else image
            )
            width, height = oriented.size
            fmt = str(image.format)
    upload.seek(0)
    return Inspected(
        format=fmt, width=width, height=height, content_hash=digest.hexdigest()
    )


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


def _rotated(image: Image.Image) -> bool:
    return image.getexif().get(0x0112, 1) in (5, 6, 7, 8)


@dataclass(frozen=True)
class Spec:
    name: str
    width: int
    height: int | None  # None: keep the photo's proportions

    @property
    def key(self) -> str:
        return json.dumps([self.name, self.width, self.height, conf.PHOTO_QUALITY])


def specs() -> list[Spec]:
    result = []
    for name, spec in conf.PHOTO_RENDITIONS.items():
        if "crop" in spec:
            result.append(Spec(name, int(spec["crop"][0]), int(spec["crop"][1])))
        else:
            result.append(Spec(name, int(spec["width"]), None))
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


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert to 8-bit RGB in sRGB, honouring an embedded colour profile."""
    profile = image.info.get("icc_profile")
    if image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    ):
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
    all_specs = specs()
    with Image.open(source) as image:
        width, height = image.size
        rotated = _rotated(image)
        upright = (height, width) if rotated else (width, height)
        scale = max(_scale_for(spec, *upright) for spec in all_specs)
        if image.format in ("JPEG", "MPO"):
            wanted = (math.ceil(width * scale), math.ceil(height * scale))
            image.draft("RGB", wanted)  # decode at 1/2, 1/4 or 1/8 size when enough
        image.load()  # decode now, while the file is open
        # Only a turned or mirrored photo needs a transposed copy.
        turned = image.getexif().get(0x0112, 1) != 1
        base = ImageOps.exif_transpose(image, in_place=False) if turned else image
        base = _to_srgb(base)
    base.info = {}  # no metadata travels into the renditions
    target = (max(1, round(upright[0] * scale)), max(1, round(upright[1] * scale)))
    if base.size != target:
        base = base.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
    results: dict[str, Image.Image] = {}
    # Largest first; each size is cut from the smallest whole-frame image made
    # so far that is still big enough, which keeps the resizes cheap.
    frames = [base]
    ordered = sorted(
        all_specs, key=lambda s: s.width * (s.height or s.width), reverse=True
    )
    for spec in ordered:
        large_enough = [f for f in frames if _covers(f.size, spec)] or [base]
        frame = min(large_enough, key=lambda f: f.width * f.height)
        results[spec.name] = _fit(frame, spec, focal)
        if spec.height is None:
            frames.append(results[spec.name])
    return results


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
    """Make and store every rendition; return the map kept on the Photo."""
    images = render(source, focal=focal)
    by_name = {spec.name: spec for spec in specs()}
    renditions: dict[str, Any] = {}
    for name, image in images.items():
        files = {}
        for fmt in public_formats():
            path = public_name(
                by_name[name],
                content_hash=content_hash,
                stamp=stamp,
                hint=hint,
                fmt=fmt,
                month=month,
                focal=focal,
            )
            if not default_storage.exists(path):
                path = default_storage.save(path, ContentFile(encode(image, fmt)))
            files[fmt] = path
        renditions[name] = {
            "width": image.width,
            "height": image.height,
            "files": files,
        }
    return renditions
