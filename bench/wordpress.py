"""Importing a WordPress export: 10,000 posts, 50,000 comments, 2,000 photos.

A generated export (Polish sentences of the demo articles, five comments to
a post, a photo on every fifth post, its JPEG in an uploads folder) is
imported as `wiesci import wordpress --media` does, in a fresh process, into an empty
SQLite database, which reports its time and its peak resident memory. The
reference, in the same run: the same export ten times smaller. The import
reads the file as a stream, so the peak must not grow with the file.

Goals: the peak under 300 MB for the large file, and the large file's peak
no more than 1.2× the small one's.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from bench import common
from bench.search import _corpus

MODULE = "bench.wordpress"
LARGE = (10_000, 50_000, 2_000)  # posts, comments, photos
SMALL = tuple(n // 10 for n in LARGE)
PEAK_GOAL_MB = 300.0
GROWTH_GOAL = 1.2
TIMEOUT_S = 3600.0
SEED = 20261202
PHOTO_SIZE = (640, 427)


def generate(folder: Path, posts: int, comments: int, photos: int) -> Path:
    """The export and its uploads folder under `folder`."""
    from PIL import Image, ImageDraw

    rng = random.Random(SEED)  # noqa: S311 - generated text, not secrets
    sentences, _titles = _corpus()
    uploads = folder / "uploads"
    every = max(1, posts // photos) if photos else 0
    export = folder / "eksport.xml"
    per_post = comments // posts if posts else 0
    with export.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Archiwum</title><link>https://archiwum.example.pl</link>\n"
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
            "<wp:author><wp:author_login>redakcja</wp:author_login>"
            "<wp:author_display_name>Redakcja</wp:author_display_name></wp:author>\n"
        )
        for name in ("wiadomosci", "sport", "kultura"):
            out.write(
                f"<wp:category><wp:category_nicename>{name}</wp:category_nicename>"
                f"<wp:cat_name>{name.title()}</wp:cat_name></wp:category>\n"
            )
        made = 0
        for number in range(1, posts + 1):
            paragraphs = "".join(
                f"<p>{escape(' '.join(rng.choices(sentences, k=3)))}</p>\n"
                for _ in range(6)
            )
            meta = ""
            if every and number % every == 0 and made < photos:
                made += 1
                attachment = 100_000 + number
                path = f"2019/{1 + number % 12:02d}/zdjecie-{number}.jpg"
                (uploads / path).parent.mkdir(parents=True, exist_ok=True)
                image = Image.new("RGB", PHOTO_SIZE, (rng.randrange(256), 90, 140))
                ImageDraw.Draw(image).rectangle((20, 20, 200, 120), fill="orange")
                image.save(uploads / path, "JPEG", quality=80)
                address = f"https://archiwum.example.pl/wp-content/uploads/{path}"
                out.write(
                    f"<item><title>Zdjęcie {number}</title><guid>{address}</guid>"
                    f"<wp:post_id>{attachment}</wp:post_id>"
                    f"<wp:post_parent>{number}</wp:post_parent>"
                    "<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>"
                    f"<wp:attachment_url>{address}</wp:attachment_url></item>\n"
                )
                meta = (
                    "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
                    f"<wp:meta_value>{attachment}</wp:meta_value></wp:postmeta>"
                )
            thread = "".join(
                f"<wp:comment><wp:comment_id>{number * 10 + c}</wp:comment_id>"
                f"<wp:comment_author>Czytelnik {rng.randrange(500)}</wp:comment_author>"
                f"<wp:comment_date_gmt>2019-06-01 10:{c:02d}:00</wp:comment_date_gmt>"
                f"<wp:comment_content>{escape(rng.choice(sentences))}</wp:comment_content>"
                "<wp:comment_approved>1</wp:comment_approved></wp:comment>"
                for c in range(per_post)
            )
            day = 1 + number % 28
            title = escape(rng.choice(sentences)[:60])
            section = ("wiadomosci", "sport", "kultura")[number % 3]
            out.write(
                f"<item><title>Wiadomość {number}: {title}</title>"
                f"<link>https://archiwum.example.pl/2019/06/wiadomosc-{number}/</link>"
                f"<dc:creator>redakcja</dc:creator>"
                f"<guid>https://archiwum.example.pl/?p={number}</guid>"
                f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>"
                f"<wp:post_id>{number}</wp:post_id>"
                f"<wp:post_date_gmt>2019-06-{day:02d} 08:00:00</wp:post_date_gmt>"
                f"<wp:post_name>wiadomosc-{number}</wp:post_name>"
                "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
                f'<category domain="category" nicename="{section}">x</category>'
                f"{meta}{thread}</item>\n"
            )
        out.write("</channel>\n</rss>\n")
    return export


def worker(folder: str, posts: int, comments: int, photos: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from wiesci.core.actors import IMPORT
    from wiesci.moving import wordpress

    call_command("migrate", interactive=False, verbosity=0)
    export = Path(folder) / "eksport.xml"
    size = export.stat().st_size
    began = time.perf_counter()
    report = wordpress.import_wordpress(
        export,
        by=IMPORT,
        options=wordpress.Options(media=Path(folder) / "uploads"),
    )
    seconds = time.perf_counter() - began
    return {
        "posts": posts,
        "file_mb": size / 1e6,
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "articles": report.counts["articles"],
        "comments": report.counts["comments"],
        "photos": report.counts["photos"],
    }


def worker_main(argv: list[str]) -> int:
    folder, *numbers = argv
    posts, comments, photos = (int(n) for n in numbers)
    sys.stdout.write(json.dumps(worker(folder, posts, comments, photos)) + "\n")
    return 0


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    measured = []
    for sizes in (SMALL, LARGE):
        with tempfile.TemporaryDirectory(prefix="wiesci-bench-wp-") as folder:
            common.say(f"  {sizes[0]:,} posts: generating, importing…")
            generate(Path(folder), *sizes)  # here: the import's peak is its own
            env = {"WIESCI_DATA_DIR": str(Path(folder) / "var")}
            measured.append(
                common.run_worker(
                    MODULE,
                    [folder, *map(str, sizes)],
                    env=common.product_env(env),
                    timeout=TIMEOUT_S,
                )
            )
    machine.finish()
    small, large = measured
    growth = large["peak_mb"] / small["peak_mb"]
    rows = [
        [
            f"{m['posts']:,}",
            f"{m['file_mb']:.0f} MB",
            f"{m['articles']:,}",
            f"{m['comments']:,}",
            f"{m['photos']:,}",
            f"{m['seconds']:.0f} s",
            f"{m['posts'] / m['seconds']:.0f}/s",
            f"{m['peak_mb']:.0f} MB",
        ]
        for m in measured
    ]
    rows.append(["10× ÷ 1×", "", "", "", "", "", "", f"{growth:.2f}×"])
    headers = [
        "posts",
        "export",
        "articles",
        "comments",
        "photos",
        "import",
        "posts/s",
        "peak memory",
    ]
    problems = []
    if large["peak_mb"] >= PEAK_GOAL_MB:
        problems.append(f"peak {large['peak_mb']:.0f} MB")
    if growth > GROWTH_GOAL:
        problems.append(f"peak grew {growth:.2f}× with a file ten times larger")
    ok = not problems
    verdict = (
        "Goals met: the peak under 300 MB, and no larger for a file ten times "
        "larger (within 1.2×)."
        if ok
        else "Goals NOT met: " + "; ".join(problems) + "."
    )
    elapsed = time.monotonic() - started
    markdown = "\n".join(
        [
            "## Importing a WordPress export",
            "",
            f"Measured by `bench/wordpress.py` ({elapsed:.0f} s). A generated "
            "export (five comments to a post, a photo on every fifth post, its "
            f"{PHOTO_SIZE[0]}×{PHOTO_SIZE[1]} JPEG in the uploads folder) imported "
            "with `--media` into an empty SQLite database by a fresh process: "
            "time of the import (renditions of every photo included) and the "
            "process's peak resident memory. The reference: the same export "
            "ten times smaller, in the same run.",
            "",
            common.markdown_table(headers, rows),
            "",
            verdict,
            "",
            common.markdown_table(["Machine", ""], machine.rows()),
        ]
    )
    console = common.text_table(headers, rows) + "\n" + verdict
    return common.SectionResult("wordpress", console, markdown, ok=ok)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
