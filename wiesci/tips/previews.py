"""The newsroom's look at a tip's photos: a small JPEG made from the pixels
alone, never the reader's original with its EXIF and GPS position."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from wiesci.photos.processing import open_image
from wiesci.tips.models import TipAttachment

# The longest side of a preview: on the tip's page, and in the inbox's list.
LARGE = 960
SMALL = 320


def preview_jpeg(attachment: TipAttachment, *, side: int = LARGE) -> bytes:
    """The photo upright, at most `side` pixels wide and high, as a JPEG with
    no metadata."""
    size = (side, side)
    with attachment.file.open("rb") as source, open_image(source) as image:
        if image.format in ("JPEG", "MPO"):
            # Decoded at a fraction of its size: a preview needs no more.
            image.draft("RGB", size)
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail(size, Image.Resampling.LANCZOS)
        clean = upright.convert("RGB")
    clean.info = {}
    out = io.BytesIO()
    # No exif= and no icc_profile=: the file carries pixels and nothing else.
    clean.save(out, "JPEG", quality=80, optimize=True)
    return out.getvalue()
