"""Photographs for the demo portal, drawn with Pillow at demo time.

Simple scenes (a river, a football pitch, a library's shelves…) so that the
demo shows real image files through the real upload pipeline without any
binary in the repository.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFilter

SCENES = {
    # sky top, sky bottom, ground colour, accent colours
    "library": (
        (92, 64, 51),
        (140, 100, 70),
        (120, 84, 60),
        [(180, 40, 40), (40, 90, 160), (220, 180, 60), (60, 130, 80)],
    ),
    "museum": (
        (200, 190, 170),
        (230, 220, 200),
        (150, 120, 90),
        [(120, 80, 50), (200, 170, 90), (90, 60, 40)],
    ),
    "park": (
        (120, 180, 230),
        (200, 225, 245),
        (70, 130, 60),
        [(40, 100, 40), (90, 150, 60), (200, 160, 60)],
    ),
    "football": (
        (100, 160, 220),
        (190, 215, 240),
        (50, 140, 60),
        [(250, 250, 250), (200, 30, 40), (30, 60, 160)],
    ),
    "fire": (
        (30, 30, 45),
        (90, 60, 60),
        (60, 55, 50),
        [(240, 120, 20), (250, 200, 40), (200, 30, 30)],
    ),
    "river": (
        (140, 180, 220),
        (210, 225, 235),
        (80, 120, 160),
        [(60, 100, 60), (230, 230, 230), (110, 90, 70)],
    ),
    "street": (
        (150, 185, 215),
        (215, 225, 235),
        (110, 110, 115),
        [(190, 120, 90), (220, 200, 160), (160, 60, 50)],
    ),
    "school": (
        (130, 180, 225),
        (210, 230, 245),
        (160, 150, 130),
        [(220, 170, 80), (180, 80, 60), (60, 120, 180)],
    ),
    "concert": (
        (15, 10, 40),
        (60, 20, 80),
        (30, 25, 35),
        [(250, 60, 160), (60, 200, 250), (250, 220, 60)],
    ),
    "meeting": (
        (210, 205, 195),
        (235, 230, 220),
        (150, 110, 80),
        [(60, 80, 120), (170, 60, 60), (90, 90, 90)],
    ),
    "winter": (
        (170, 190, 215),
        (230, 235, 245),
        (245, 248, 252),
        [(40, 70, 50), (200, 40, 40), (120, 90, 60)],
    ),
    "market": (
        (140, 185, 225),
        (215, 230, 240),
        (150, 140, 125),
        [(220, 60, 50), (250, 200, 60), (70, 150, 70), (240, 240, 240)],
    ),
    "church": (
        (120, 165, 215),
        (205, 222, 240),
        (110, 140, 90),
        [(170, 70, 50), (230, 220, 200), (60, 60, 60)],
    ),
    "field": (
        (110, 170, 230),
        (220, 235, 245),
        (190, 170, 70),
        [(80, 140, 50), (230, 200, 80), (120, 90, 50)],
    ),
}


def _gradient(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        column.putpixel(
            (0, y),
            tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return column.resize(size, Image.Resampling.BILINEAR)


def draw_scene(
    scene: str, rng: random.Random, size: tuple[int, int] = (1600, 1067)
) -> bytes:
    """Return a JPEG of `scene`, different for every call of `rng`."""
    sky_top, sky_bottom, ground, accents = SCENES.get(scene, SCENES["street"])
    wanted = size
    # The shapes are drawn in pixels; small photos are drawn larger, then shrunk.
    size = (max(size[0], 800), max(size[1], 533))
    width, height = size
    image = _gradient(size, sky_top, sky_bottom)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.5, 0.68))
    draw.rectangle((0, horizon, width, height), fill=ground)
    if scene in {"library", "museum", "meeting"}:
        for shelf in range(4):
            y = int(height * 0.12) + shelf * int(height * 0.2)
            x = 0
            while x < width:
                w = rng.randint(18, 60)
                draw.rectangle(
                    (x, y, x + w - 3, y + int(height * 0.17)), fill=rng.choice(accents)
                )
                x += w
    elif scene == "football":
        draw.line(
            (width // 2, horizon, width // 2, height), fill=(245, 245, 245), width=8
        )
        draw.ellipse(
            (width // 2 - 160, horizon + 60, width // 2 + 160, height + 120),
            outline=(245, 245, 245),
            width=8,
        )
        for _ in range(10):
            x, y = rng.randint(50, width - 50), rng.randint(horizon + 20, height - 80)
            draw.rectangle((x - 14, y - 60, x + 14, y), fill=rng.choice(accents[1:]))
            draw.ellipse((x - 12, y - 84, x + 12, y - 60), fill=(230, 190, 160))
    elif scene == "fire":
        draw.rectangle(
            (int(width * 0.55), horizon - 120, int(width * 0.95), horizon + 40),
            fill=(200, 30, 30),
        )
        for _ in range(40):
            x = rng.randint(int(width * 0.05), int(width * 0.45))
            h = rng.randint(80, 420)
            draw.polygon(
                [(x - 40, horizon), (x, horizon - h), (x + 40, horizon)],
                fill=rng.choice(accents[:2]),
            )
    elif scene == "river":
        for i in range(14):
            y = horizon + i * (height - horizon) // 14
            draw.arc(
                (-200, y - 30, width + 200, y + 30),
                0,
                180,
                fill=(200, 220, 240),
                width=3,
            )
        draw.rectangle((0, horizon - 90, width, horizon), fill=accents[0])
    elif scene in {"street", "school", "church", "market"}:
        x = 0
        while x < width:
            w = rng.randint(160, 320)
            top = horizon - rng.randint(160, 420)
            draw.rectangle((x, top, x + w - 10, horizon), fill=rng.choice(accents))
            for wy in range(top + 30, horizon - 40, 70):
                for wx in range(x + 20, x + w - 40, 60):
                    draw.rectangle((wx, wy, wx + 28, wy + 38), fill=(235, 240, 250))
            if scene == "church" and rng.random() < 0.4:
                draw.polygon(
                    [(x, top), (x + (w - 10) // 2, top - 220), (x + w - 10, top)],
                    fill=(90, 60, 50),
                )
            x += w
        if scene == "market":
            for i in range(8):
                sx = 60 + i * (width - 120) // 8
                draw.rectangle(
                    (sx, horizon + 40, sx + 150, horizon + 140),
                    fill=rng.choice(accents),
                )
    elif scene == "concert":
        for _ in range(6):
            x = rng.randint(0, width)
            draw.polygon(
                [(x, 0), (x - 220, horizon), (x + 220, horizon)],
                fill=rng.choice(accents),
            )
        for x in range(0, width, 34):
            draw.ellipse(
                (x, height - rng.randint(120, 200), x + 30, height), fill=(10, 10, 20)
            )
    else:  # park, winter, field
        for _ in range(18):
            x = rng.randint(0, width)
            r = rng.randint(40, 130)
            draw.rectangle((x - 8, horizon - r, x + 8, horizon + 10), fill=(90, 70, 50))
            draw.ellipse(
                (x - r, horizon - 2 * r, x + r, horizon - r // 2),
                fill=rng.choice(accents),
            )
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    if image.size != wanted:
        image = image.resize(wanted, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def draw_portrait(name: str, rng: random.Random, size: int = 800) -> bytes:
    """A placeholder byline photo: a silhouette on a coloured background."""
    background = tuple(rng.randint(90, 200) for _ in range(3))
    image = Image.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    skin = rng.choice([(232, 196, 170), (210, 170, 140), (190, 150, 120)])
    draw.ellipse((size * 0.3, size * 0.16, size * 0.7, size * 0.62), fill=skin)
    draw.ellipse(
        (size * 0.12, size * 0.62, size * 0.88, size * 1.3),
        fill=tuple(rng.randint(30, 120) for _ in range(3)),
    )
    out = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(1)).save(out, "JPEG", quality=88)
    return out.getvalue()
