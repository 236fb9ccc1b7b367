"""Demo official notices of the Racibórz county offices, with PDF attachments
drawn at load time and their proof of publication."""

from __future__ import annotations

import io
import random
import re
import tomllib
import unicodedata
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from wiesci.core.actors import DEMO
from wiesci.core.demo import DemoContext
from wiesci.events.demo import WEEKDAYS
from wiesci.notices import services
from wiesci.notices.models import Notice
from wiesci.taxonomy.models import Organisation, Place

DATA = Path(__file__).with_name("demo.toml")
# The issuer a notice falls back on when the taxonomy demo has no such office.
FALLBACK_ISSUER = "Urząd Miasta Racibórz"
MONTHS = (
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
)
SATURDAY = 5
# When in the morning an office put its notice up.
PUBLISHED_AT = time(9, 30)

# An A4 page at 150 dpi, its margin and the sizes of its type, in pixels.
PAGE = (1240, 1754)
MARGIN = 120
BODY_SIZE, TITLE_SIZE, SMALL_SIZE = 24, 32, 19
INK, GREY, RED = (20, 20, 20), (110, 110, 110), (190, 30, 30)
# Fonts with Polish letters, tried in turn; Pillow's own has none.
FONTS = {
    False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf"),
    True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf"),
}
Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
# What the fallback font lacks and NFKD does not decompose.
PLAIN = str.maketrans("łŁ„”", 'lL""')


def has_content() -> bool:
    return Notice.objects.exists()


def load(context: DemoContext) -> None:
    data: dict[str, Any] = tomllib.loads(DATA.read_text())
    places: dict[str, Place] = context.shared.get("places", {})
    organisations: dict[str, Organisation] = context.shared.get("organisations", {})
    today = timezone.localdate(context.now)
    notices = {}
    attachments = 0
    for entry in data["notice"]:
        fields = {"year": str(today.year)}
        for name, when in entry.get("dates", {}).items():
            fields[name] = polish_date(day_of(when, today))
        notice = Notice(
            title=entry["title"],
            issuer=_issuer(entry["issuer"], organisations, places),
            reference=entry["reference"].format_map(fields),
            body=entry["body"].strip().format_map(fields),
            stays_until=day_of(entry["stays_until"], today),
        )
        notice.save()
        notice.places.set(places[name] for name in entry.get("places", []))
        services.record_notice_saved(notice, by=DEMO, created=True)
        published_at = timezone.make_aware(
            datetime.combine(
                today - timedelta(days=entry["published_days_ago"]), PUBLISHED_AT
            )
        )
        for item in entry.get("attachments", []):
            pdf = draw_pdf(notice, item, published_at, context.random)
            services.add_attachment(
                notice,
                file=ContentFile(pdf, name=f"{item['file']}-{_slug(notice)}.pdf"),
                title=item["title"],
                by=DEMO,
            )
            attachments += 1
        # The period may have ended since: publish as of the day it went up.
        services.publish_notice(notice, by=DEMO, at=published_at)
        if "withdrawn" in entry:
            services.withdraw_notice(notice, by=DEMO, note=entry["withdrawn"])
        notices[entry["key"]] = notice
    ended = services.record_ended_periods(by=DEMO)
    context.shared["notices"] = notices
    context.say(
        f"  {len(notices)} official notices with {attachments} PDF attachments "
        f"({ended} with the period ended)"
    )


def day_of(when: int | str, today: date) -> date:
    """A day given as days from today (a future one moved off the weekend, as
    an office would) or as the next such weekday after today."""
    if isinstance(when, str):
        return today + timedelta(
            days=(WEEKDAYS.index(when) - today.weekday() - 1) % 7 + 1
        )
    day = today + timedelta(days=when)
    if day > today and day.weekday() >= SATURDAY:
        day += timedelta(days=7 - day.weekday())
    return day


def polish_date(day: date) -> str:
    """ "12 stycznia 2027 r.", as an office writes a date."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year} r."


def _issuer(
    key: str, organisations: dict[str, Organisation], places: dict[str, Place]
) -> Organisation:
    if key in organisations:
        return organisations[key]
    issuer, _created = Organisation.objects.get_or_create(
        name=FALLBACK_ISSUER,
        defaults={"kind": Organisation.Kind.OFFICE, "place": places.get("Racibórz")},
    )
    return issuer


def _slug(notice: Notice) -> str:
    """The reference as a file name's part: "GN.6840.3.2026" → "gn-6840-3-2026"."""
    return re.sub(r"[^a-z0-9]+", "-", notice.reference.lower()).strip("-")


# ---------------------------------------------------------------- the PDFs


def draw_pdf(
    notice: Notice, item: dict[str, Any], dated: datetime, rng: random.Random
) -> bytes:
    """An issuer's letter (`kind = "text"`) or a sketch map with its legend
    (`"map"`) as a PDF of A4 pages."""
    page = _Page.letterhead(notice, dated)
    if item.get("kind") == "map":
        page.write(item["title"], bold=True, size=TITLE_SIZE, centred=True)
        page.sketch(rng)
        for line in item.get("legend", []):
            page.write(f"— {line}", size=BODY_SIZE)
    else:
        page.write(notice.title, bold=True, size=TITLE_SIZE, centred=True)
        for paragraph in notice.body.split("\n\n"):
            for line in paragraph.splitlines():
                page.write(line, size=BODY_SIZE)
            page.skip(BODY_SIZE // 2)
    page.write(
        "Dokument przygotowany na potrzeby demonstracji portalu „Wieści”.",
        size=SMALL_SIZE,
        colour=GREY,
    )
    out = io.BytesIO()
    first, *more = page.images
    first.save(out, "PDF", resolution=150, save_all=True, append_images=more)
    return out.getvalue()


class _Page:
    """Text and drawings laid out down A4 pages, a new page when one is full."""

    def __init__(self) -> None:
        self.images: list[Image.Image] = []
        self.y = 0
        self._new_page()

    @classmethod
    def letterhead(cls, notice: Notice, dated: datetime) -> _Page:
        page = cls()
        issuer = notice.issuer
        place = issuer.place.name if issuer.place else "Racibórz"
        page.write(
            f"{place}, dnia {polish_date(timezone.localdate(dated))}",
            size=BODY_SIZE,
            right=True,
        )
        page.write(issuer.name, bold=True, size=BODY_SIZE)
        if notice.reference:
            page.write(f"Znak sprawy: {notice.reference}", size=BODY_SIZE)
        page.skip(BODY_SIZE * 2)
        return page

    def _new_page(self) -> None:
        self.images.append(Image.new("RGB", PAGE, "white"))
        self.draw = ImageDraw.Draw(self.images[-1])
        self.y = MARGIN

    def skip(self, pixels: int) -> None:
        self.y += pixels

    def write(
        self,
        text: str,
        *,
        size: int,
        bold: bool = False,
        centred: bool = False,
        right: bool = False,
        colour: tuple[int, int, int] = INK,
    ) -> None:
        font, polish = _font(size, bold=bold)
        if not polish:
            text = _without_diacritics(text)
        width = PAGE[0] - 2 * MARGIN
        for line in _wrap(text, font, width, self.draw):
            if self.y + size > PAGE[1] - MARGIN:
                self._new_page()
            left = MARGIN
            if centred or right:
                spare = width - self.draw.textlength(line, font=font)
                left += int(spare // 2 if centred else spare)
            self.draw.text((left, self.y), line, font=font, fill=colour)
            self.y += int(size * 1.45)
        self.y += size // 2

    def sketch(self, rng: random.Random) -> None:
        """A plan: a street and a side street in grey, the plots along them,
        one of them (the notice's subject) hatched and outlined in red."""
        height, road, gap = 700, 28, 12
        if self.y + height > PAGE[1] - MARGIN:
            self._new_page()
        top, left, right = self.y, MARGIN, PAGE[0] - MARGIN
        draw = self.draw
        draw.rectangle((left, top, right, top + height), outline=GREY, width=2)
        street = top + int(height * 0.6)
        side = rng.randint(left + 200, right - 200)
        blocked = (side - road // 2 - gap, side + road // 2 + gap)
        rows = (
            (top + 70, street - road // 2 - gap),
            (street + road // 2 + gap, top + height - 60),
        )
        plots: list[list[tuple[int, int, int, int]]] = [[], []]
        for row, (y0, y1) in enumerate(rows):
            x = left + 20
            while x < right - 80:
                x1 = x + rng.randint(110, 190)
                if x1 > right - 100:
                    x1 = right - 20
                if x1 > blocked[0] and x < blocked[1]:
                    if blocked[0] - x < 80:
                        x = blocked[1]
                        continue
                    x1 = blocked[0]
                plots[row].append((x, y0, x1, y1))
                draw.rectangle((x, y0, x1, y1), outline=(175, 175, 175), width=2)
                x = x1 + gap
        draw.rectangle((left, street - road // 2, right, street + road // 2), fill=GREY)
        draw.rectangle(
            (side - road // 2, top, side + road // 2, top + height), fill=GREY
        )
        x0, y0, x1, y1 = rng.choice([p for p in plots[0] if p[2] - p[0] >= 100])
        width, tall = x1 - x0, y1 - y0
        for offset in range(0, width + tall, 24):
            draw.line(
                (
                    x0 + max(0, offset - tall),
                    y0 + min(offset, tall),
                    x0 + min(offset, width),
                    y0 + max(0, offset - width),
                ),
                fill=(230, 150, 150),
                width=3,
            )
        draw.rectangle((x0, y0, x1, y1), outline=RED, width=6)
        arrow = (right - 30, top + 12)
        draw.polygon(
            [arrow, (arrow[0] - 11, arrow[1] + 36), (arrow[0] + 11, arrow[1] + 36)],
            fill=INK,
        )
        font, _polish = _font(SMALL_SIZE, bold=True)
        draw.text((arrow[0] - 38, arrow[1] + 10), "N", font=font, fill=INK)
        self.y = top + height + BODY_SIZE


@cache
def _font(size: int, *, bold: bool) -> tuple[Font, bool]:
    """A font of `size` pixels, and whether it has the Polish letters."""
    for name in FONTS[bold]:
        try:
            return ImageFont.truetype(name, size), True
        except OSError:
            continue
    return ImageFont.load_default(size=size), False


def _without_diacritics(text: str) -> str:
    text = text.translate(PLAIN)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _wrap(text: str, font: Font, width: int, draw: ImageDraw.ImageDraw) -> list[str]:
    """`text` in lines no wider than `width` pixels."""
    if not text:
        return [""]
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines
