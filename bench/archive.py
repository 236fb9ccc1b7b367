"""Page costs on a large archive: 5,000 and 100,000 published stories.

For each database (SQLite, and PostgreSQL on a throwaway cluster), one fresh
process migrates an empty database, loads the demo (`wiesci demo`'s content,
small photos) and hourly reads of its newest stories over the last week (so
that the most-read boxes have something to count), then grows the archive to
5,000 published stories: copies of the demo's stories with their filing
(section, places, tags, organisations, authors, labels, videos) and
galleries, each two hours older than the one before, all older than the
demo's own. It renders six pages with Django's test client, the full-page
cache in front left out: the home page, the demo's article page, its section
and its first place, the latest news and the deepest page of the latest news
readers can reach (`views.MAX_PAGES`). "Cold": the template-fragment cache
cleared and a new page-cache generation started before each render, as after
any edit; "warm": rendered again with the fragments stored. It then grows the
archive to 100,000 and measures again. On PostgreSQL the tables are analysed
after each growth, as autovacuum would have done on a live server; SQLite
has no statistics, as a portal that never ran `wiesci reindex` has none.

The reference is the same page at 5,000 stories, in the same process. Goal:
at 100,000 stories no page costs more than 1.5× its figure at 5,000, cold or
warm, on either database.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench import common

MODULE = "bench.archive"
SIZES = (5_000, 100_000)
ROUNDS = 9  # cold renders per page and size
WARM_PER_ROUND = 3  # warm renders after each cold one
GOAL = 1.5
TIMEOUT_S = 900.0
PHOTO_SIZE = (480, 320)  # small demo photos, quick to make
KEY_STORY = "biblioteka-stawia-na-partnerow"  # the demo's article page, by slug
STEP = timedelta(hours=2)  # between one copied story and the next older one
BATCH = 5_000
READ_STORIES = 60  # the newest stories, read every third hour of the week
PAGES = ("home", "article", "section", "place", "latest", "deep")


# --- The worker ----------------------------------------------------------------


def _load_demo() -> None:
    from django.core.management import call_command
    from django.db import transaction

    from wiesci.core import demo

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    context = demo.DemoContext(say=lambda _text: None, photo_size=PHOTO_SIZE)
    with transaction.atomic():
        demo.load(context)


def _add_reads() -> None:
    from django.utils import timezone

    from wiesci.articles.models import Article, ArticleView

    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    newest = Article.objects.published().newest_first()
    ArticleView.objects.bulk_create(
        ArticleView(article_id=pk, hour=hour - timedelta(hours=h), views=rank + h)
        for rank, pk in enumerate(newest.values_list("pk", flat=True)[:READ_STORIES])
        for h in range(0, 24 * 7, 3)
    )


class Archive:
    """Grows the demo's archive with older copies of its stories."""

    RELATIONS = ("tags", "places", "organisations", "authors", "labels", "videos")

    def __init__(self) -> None:
        from django.utils import timezone

        from wiesci.articles.models import Article, GalleryItem

        self.demo = list(
            Article.objects.published(at=timezone.now())
            .newest_first()
            .prefetch_related(*self.RELATIONS)
        )
        if not self.demo:
            raise RuntimeError("the demo holds no published story")
        self.oldest = min(a.published_at for a in self.demo if a.published_at)
        self.gallery: dict[int, list[tuple[int, int]]] = {}
        for item in GalleryItem.objects.order_by("article_id", "position", "pk"):
            self.gallery.setdefault(item.article_id, []).append(
                (item.photo_id, item.position)
            )
        self.copies = 0

    def grow(self, total: int) -> float:
        """Copy stories until `total` are published; the seconds it took."""
        from wiesci.articles.models import Article

        started = time.perf_counter()
        needed = total - Article.objects.published().count()
        for start in range(0, needed, BATCH):
            self._copy(
                range(self.copies + start, self.copies + min(needed, start + BATCH))
            )
        self.copies += max(0, needed)
        return time.perf_counter() - started

    def _copy(self, numbers: range) -> None:
        from django.db import transaction

        from wiesci.articles.models import Article, GalleryItem

        pairs = []
        for n in numbers:
            source = self.demo[n % len(self.demo)]
            pairs.append(
                (
                    source,
                    Article(
                        title=f"{source.title[:180]} ({n // len(self.demo) + 2})",
                        slug=f"{source.slug[:200]}-a{n}",
                        lead=source.lead,
                        body=source.body,  # stored sanitised already
                        section_id=source.section_id,
                        part=source.part,
                        status=Article.Status.PUBLISHED,
                        published_at=self.oldest - STEP * (n + 1),
                        main_photo_id=source.main_photo_id,
                        is_sponsored=source.is_sponsored,
                        has_been_public=True,
                    ),
                )
            )
        with transaction.atomic():
            made = Article.objects.bulk_create([copy for _, copy in pairs])
            for name in self.RELATIONS:
                field = getattr(Article, name).field
                through = field.remote_field.through
                column = field.m2m_reverse_field_name() + "_id"
                through.objects.bulk_create(
                    [
                        through(article_id=copy.pk, **{column: related.pk})
                        for (source, _), copy in zip(pairs, made, strict=True)
                        for related in getattr(source, name).all()
                    ],
                    batch_size=2000,
                )
            GalleryItem.objects.bulk_create(
                [
                    GalleryItem(article_id=copy.pk, photo_id=photo, position=position)
                    for (source, _), copy in zip(pairs, made, strict=True)
                    for photo, position in self.gallery.get(source.pk, [])
                ],
                batch_size=2000,
            )


def _paths() -> dict[str, str]:
    from wiesci.articles.models import Article
    from wiesci.articles.views import MAX_PAGES

    story = (
        Article.objects.filter(slug__startswith=KEY_STORY)
        .order_by("pk")
        .select_related("section")
        .first()
    )
    place = story.places.order_by("pk").first() if story else None
    if story is None or place is None:
        raise RuntimeError(f"no demo story at {KEY_STORY!r} filed under a place")
    return {
        "home": "/",
        "article": story.get_absolute_url(),
        "section": story.section.get_absolute_url(),
        "place": place.get_absolute_url(),
        "latest": "/najnowsze/",
        "deep": f"/najnowsze/?strona={MAX_PAGES}",
    }


def _measure(paths: dict[str, str]) -> dict[str, Any]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wiesci.core import pagecache

    client = Client(headers={"host": "127.0.0.1"})

    def render(path: str) -> float:
        began = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - began
        if response.status_code != 200:
            raise RuntimeError(f"{path}: answered {response.status_code}")
        return elapsed

    def forget() -> None:
        cache.clear()
        pagecache.purge_all()

    for path in paths.values():  # templates, the site and content types
        render(path)
    # Round by round over the pages, so that a burst of load on this shared
    # machine falls on every page alike rather than on one page's runs.
    cold: dict[str, list[float]] = {name: [] for name in paths}
    warm: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(ROUNDS):
        for name, path in paths.items():
            forget()
            cold[name].append(render(path))
            warm[name] += [render(path) for _ in range(WARM_PER_ROUND)]
    results: dict[str, Any] = {}
    for name, path in paths.items():
        forget()
        with CaptureQueriesContext(connection) as cold_queries:
            render(path)
        with CaptureQueriesContext(connection) as warm_queries:
            render(path)
        results[name] = {
            "path": path,
            "cold_ms": statistics.median(cold[name]) * 1000,
            "warm_ms": statistics.median(warm[name]) * 1000,
            "cold_queries": len(cold_queries),
            "warm_queries": len(warm_queries),
        }
    return results


def worker(database: str, sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")
    import django

    django.setup()
    from django.db import connection

    from wiesci.articles.models import Article

    began = time.perf_counter()
    _load_demo()
    _add_reads()
    archive = Archive()
    common.say(f"    {database}: demo loaded in {time.perf_counter() - began:.0f} s")
    paths = _paths()
    results: dict[str, Any] = {
        "database": common.database_version(),
        "paths": paths,
        "sizes": {},
    }
    for size in sizes:
        grown = archive.grow(size)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        results["sizes"][str(size)] = {
            "published": Article.objects.published().count(),
            "grow_s": grown,
            "pages": _measure(paths),
        }
        common.say(f"    {database} {size}: grown in {grown:.0f} s, measured")
    connection.close()
    return results


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("database", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, SIZES)),
        help="archive sizes to measure, comma-separated (for a quick look)",
    )
    options = parser.parse_args(argv)
    sizes = tuple(int(n) for n in options.sizes.split(","))
    sys.stdout.write(json.dumps(worker(options.database, sizes)) + "\n")
    return 0


# --- The section -------------------------------------------------------------------


def _postgres_url() -> str:
    return common.throwaway_database("archiwum")


def _short(path: str, length: int = 36) -> str:
    return path if len(path) <= length else path[: length - 2] + "…/"


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    measured: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="wiesci-bench-archive-") as folder:
        for database in ("sqlite", "postgresql"):
            env = {"WIESCI_DATA_DIR": str(Path(folder) / database)}
            if database == "postgresql":
                env["WIESCI_DATABASE_URL"] = _postgres_url()
            common.say(f"  {database}: demo, 5,000 stories, 100,000 stories…")
            measured[database] = common.run_worker(
                MODULE, [database], env=common.product_env(env), timeout=TIMEOUT_S
            )
    machine.finish()
    small, large = (str(n) for n in SIZES)
    rows, problems = [], []
    for database, result in measured.items():
        for name in PAGES:
            before = result["sizes"][small]["pages"][name]
            after = result["sizes"][large]["pages"][name]
            growth = {
                kind: after[f"{kind}_ms"] / before[f"{kind}_ms"]
                for kind in ("cold", "warm")
            }
            for kind, value in growth.items():
                if value > GOAL:
                    problems.append(f"{database} {name} {kind} {value:.2f}×")
            rows.append(
                [
                    database,
                    name,
                    f"`{_short(after['path'])}`",
                    f"{before['cold_ms']:.1f} ms",
                    f"{after['cold_ms']:.1f} ms",
                    common.ratio(growth["cold"]),
                    f"{before['warm_ms']:.1f} ms",
                    f"{after['warm_ms']:.1f} ms",
                    common.ratio(growth["warm"]),
                    f"{before['cold_queries']}/{before['warm_queries']}"
                    f" → {after['cold_queries']}/{after['warm_queries']}",
                    "yes" if max(growth.values()) <= GOAL else "NO",
                ]
            )
    headers = [
        "database",
        "page",
        "path",
        "cold 5k",
        "cold 100k",
        "cold ÷",
        "warm 5k",
        "warm 100k",
        "warm ÷",
        "queries cold/warm",
        f"≤ {GOAL}×",
    ]
    ok = not problems
    verdict = (
        f"Goal met: at 100,000 stories every page, cold and warm, costs at most "
        f"{GOAL}× its figure at 5,000 on both databases."
        if ok
        else "Goal NOT met: " + "; ".join(problems) + "."
    )
    grown = "; ".join(
        f"{database} ({result['database']}): "
        + ", ".join(
            f"{int(size):,} published in {data['grow_s']:.0f} s"
            for size, data in result["sizes"].items()
        )
        for database, result in measured.items()
    )
    elapsed = time.monotonic() - started
    markdown = "\n".join(
        [
            "## Page costs on a large archive",
            "",
            f"Measured by `bench/archive.py` ({elapsed:.0f} s). The demo plus "
            "older copies of its stories (with their filing and galleries) up to "
            "5,000 and then 100,000 published stories; each page rendered by "
            "Django's test client without the full-page cache in front: cold "
            "(fragment cache cleared and a new page-cache generation, median of "
            f"{ROUNDS}) and warm (fragments stored, median of "
            f"{ROUNDS * WARM_PER_ROUND}), the pages taken in turn round by round. "
            "`deep` is the deepest page of the latest news readers can reach. "
            "PostgreSQL analysed after each growth; SQLite without statistics. "
            "Queries: cold/warm at 5,000 → at 100,000.",
            "",
            common.markdown_table(headers, rows, left=3),
            "",
            verdict,
            "",
            f"Data: {grown}.",
            "",
            common.markdown_table(["Machine", ""], machine.rows()),
        ]
    )
    console = common.text_table(headers, rows, left=3) + "\n" + verdict
    return common.SectionResult("archive", console, markdown, ok=ok)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
