"""Search on a large archive: 10,000 and 100,000 generated Polish articles.

For each database (SQLite, and PostgreSQL on a throwaway cluster), one fresh
process migrates an empty database, generates 10,000 articles from the demo
articles' sentences and the county's place names (inflected as the demo
writes them), indexes them through `search.indexing` (timed: articles per
second), then answers a fixed set of 60 queries through the results page,
rendered by Django without the page cache in front (each query three times;
its median counts), the page's shared fragments (menu, breaking news) cached
as on a live portal. It then grows the archive to 100,000 and measures again.

The reference, on the same data in the same process: a `LIKE` search, each
word of the query in the title, lead or body (`icontains`), newest first,
its first page rendered with the same template.

Goals: the p95 at 100,000 under 50 ms on each database, no more than 2× the
p95 at 10,000, and indexing at 300 articles/s or faster.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from bench import common

MODULE = "bench.search"
SIZES = (10_000, 100_000)
ROUNDS = 3
TIMEOUT_S = 3600.0
SEED = 20261201
P95_GOAL_MS = 50.0
GROWTH_GOAL = 2.0
INDEX_GOAL = 300.0
QUERIES = [
    "pożar",
    "pożar w Raciborzu",
    "Raciborza",
    "Nedza",
    "Nędzy",
    "bibliotekarzy",
    "dożynki Krzanowice",
    "Krzanowicach",
    "Kuźnia Raciborska",
    "Pietrowice Wielkie",
    "strażacy",
    "powódź",
    "wały Odra",
    "szkoła",
    "przedszkole w Krzanowicach",
    "koncert",
    "muzeum",
    "arboretum",
    "biblioteka",
    "remont drogi",
    "ul. Opawska",
    "objazdy",
    "autobusy",
    "piekarnia",
    "siatkarki",
    "awans",
    "olimpiada",
    "rower",
    "ścieżka rowerowa",
    "Chałupki",
    "Brzezie",
    "Ocice",
    "radni",
    "budżet gminy",
    "kanalizacja",
    "Babice",
    "rolnik",
    "targ",
    "seniorzy",
    "internet",
    "bezpieczeństwo",
    "policja",
    "wypadek",
    "kierowca",
    "samochód",
    "las",
    "ogień",
    "OSP",
    "998",
    "2026",
    "festyn",
    "zabawa",
    "Racibórz Brzezie",
    "biblotekarze",
    "pozar",
    "straz",
    "wieś",
    "kościół",
    "mieszkańcy",
    "zima",
]


# --- The worker ----------------------------------------------------------------


def _corpus() -> tuple[list[str], list[str]]:
    """Sentences of the demo's articles, and titles to vary."""
    root = Path(__file__).resolve().parent.parent / "wiesci"
    data = tomllib.loads((root / "articles" / "demo.toml").read_text())
    sentences, titles = [], []
    for entry in data.get("article", []):
        titles.append(entry["title"])
        text = re.sub(r"<[^>]+>", " ", entry["lead"] + " " + entry["body"])
        sentences += [
            s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 20
        ]
    return sentences, titles


def _generate(start: int, count: int, rng: random.Random) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from wiesci.articles.models import Article
    from wiesci.taxonomy.models import Section

    sentences, titles = _corpus()
    sections = list(Section.objects.all()) or [
        Section.objects.create(name="Wiadomości", slug="wiadomosci")
    ]
    now = timezone.now()
    batch = []
    for number in range(start, start + count):
        title = f"{rng.choice(titles)[:150]} ({number})"
        lead = " ".join(rng.sample(sentences, 2))
        body = "".join(f"<p>{s}</p>" for s in rng.sample(sentences, 8))
        batch.append(
            Article(
                title=title,
                slug=f"artykul-{number}",
                lead=lead,
                body=body,
                section=rng.choice(sections),
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(minutes=number * 50 + rng.randint(0, 40)),
                has_been_public=True,
            )
        )
        if len(batch) == 2000:
            Article.objects.bulk_create(batch)
            batch = []
    if batch:
        Article.objects.bulk_create(batch)


def _index(start_pk: int) -> tuple[int, float]:
    from wiesci.articles.models import Article
    from wiesci.search.indexing import BATCH, index_articles

    articles = Article.objects.filter(pk__gt=start_pk).order_by("pk")
    done, last = 0, start_pk
    began = time.perf_counter()
    while True:
        batch = list(articles.filter(pk__gt=last)[:BATCH])
        if not batch:
            break
        done += index_articles(batch, count_words=True)
        last = batch[-1].pk
    # As `wiesci reindex` ends: the index tidied, the planner's figures fresh.
    from wiesci.search.backends import backend

    backend().optimize()
    return done, time.perf_counter() - began


def _like_page(client: Any, request: Any, text: str) -> None:
    """The reference: LIKE over title, lead and body, newest first, a page."""
    from django.db.models import Q
    from django.shortcuts import render

    from wiesci.articles.models import Article

    condition = Q()
    for word in text.split():
        condition &= (
            Q(title__icontains=word) | Q(lead__icontains=word) | Q(body__icontains=word)
        )
    found = list(
        Article.objects.published().for_lists().filter(condition).newest_first()[:20]
    )
    hits = [{"article": a, "title": a.title, "snippet": a.lead} for a in found]
    render(request, "search/results.html", {"query": text, "hits": hits})


def _latencies(measure: Any) -> dict[str, Any]:
    per_query = []
    for query in QUERIES:
        times = []
        for _ in range(ROUNDS):
            began = time.perf_counter()
            measure(query)
            times.append(time.perf_counter() - began)
        per_query.append(statistics.median(times) * 1000)
    ordered = sorted(per_query)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)],
        "max_ms": ordered[-1],
    }


def worker(database: str, sizes: tuple[int, ...] = SIZES) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client, RequestFactory

    from wiesci.articles.models import Article

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    rng = random.Random(SEED)  # noqa: S311 - generated text, not secrets
    client = Client(headers={"host": "127.0.0.1"})
    factory = RequestFactory(headers={"host": "127.0.0.1"})
    results: dict[str, Any] = {"database": database, "sizes": {}}
    made = 0
    for size in sizes:
        last_pk = (
            Article.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        )
        _generate(made, size - made, rng)
        made = size
        indexed, seconds = _index(last_pk)

        def ours(query: str) -> None:
            response = client.get("/szukaj/", {"q": query})
            if response.status_code != 200:
                raise RuntimeError(f"{query}: answered {response.status_code}")

        def like(query: str) -> None:
            _like_page(client, factory.get("/szukaj/", {"q": query}), query)

        for query in QUERIES[:5]:  # warm the dictionary and the database's caches
            ours(query)
            like(query)
        found = {q: len(_ranked(q)) for q in QUERIES}
        results["sizes"][str(size)] = {
            "articles": Article.objects.count(),
            "indexed": indexed,
            "index_per_s": indexed / seconds if seconds else 0.0,
            "ours": _latencies(ours),
            "like": _latencies(like),
            "queries_with_results": sum(1 for n in found.values() if n),
        }
        common.say(f"    {database} {size}: {results['sizes'][str(size)]}")
    return results


def _ranked(query: str) -> list[int]:
    from wiesci.search.query import search_articles

    return search_articles(query).ranked


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
    result = worker(options.database, sizes)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# --- The section -------------------------------------------------------------------


def _postgres_url() -> str:
    return common.throwaway_database("wyszukiwanie")


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    measured = {}
    with tempfile.TemporaryDirectory(prefix="wiesci-bench-search-") as folder:
        for database in ("sqlite", "postgresql"):
            env = {"WIESCI_DATA_DIR": str(Path(folder) / database)}
            if database == "postgresql":
                env["WIESCI_DATABASE_URL"] = _postgres_url()
            common.say(f"  {database}: generating, indexing, searching…")
            measured[database] = common.run_worker(
                MODULE, [database], env=common.product_env(env), timeout=TIMEOUT_S
            )
    machine.finish()
    rows, problems = [], []
    for database, result in measured.items():
        small, large = (result["sizes"][str(n)] for n in SIZES)
        growth = large["ours"]["p95_ms"] / small["ours"]["p95_ms"]
        for size, data in zip(SIZES, (small, large), strict=True):
            rows.append(
                [
                    database,
                    f"{size:,}",
                    f"{data['index_per_s']:.0f}/s",
                    f"{data['ours']['median_ms']:.1f} ms",
                    f"{data['ours']['p95_ms']:.1f} ms",
                    f"{data['like']['median_ms']:.1f} ms",
                    f"{data['like']['p95_ms']:.1f} ms",
                    f"{data['ours']['p95_ms'] / data['like']['p95_ms']:.2f}×",
                    f"{data['queries_with_results']}/{len(QUERIES)}",
                ]
            )
        if large["ours"]["p95_ms"] >= P95_GOAL_MS:
            problems.append(f"{database}: p95 {large['ours']['p95_ms']:.1f} ms")
        if growth > GROWTH_GOAL:
            problems.append(f"{database}: p95 grew {growth:.2f}×")
        slowest = min(small["index_per_s"], large["index_per_s"])
        if slowest < INDEX_GOAL:
            problems.append(f"{database}: indexing {slowest:.0f}/s")
        rows.append([database, "100k ÷ 10k", "", "", f"{growth:.2f}×", "", "", "", ""])
    headers = [
        "database",
        "articles",
        "indexing",
        "ours median",
        "ours p95",
        "LIKE median",
        "LIKE p95",
        "ours ÷ LIKE (p95)",
        "queries found",
    ]
    ok = not problems
    verdict = (
        "Goals met: p95 under 50 ms at 100,000 articles on both databases, at "
        "most 2× the p95 at 10,000, indexing at 300 articles/s or more."
        if ok
        else "Goals NOT met: " + "; ".join(problems) + "."
    )
    elapsed = time.monotonic() - started
    markdown = "\n".join(
        [
            "## Search on a large archive",
            "",
            f"Measured by `bench/search.py` ({elapsed:.0f} s). Generated Polish "
            "articles (sentences of the demo articles, ten to a story); the "
            f"{len(QUERIES)} queries of the file, each three times, its median "
            "counted, the results page rendered by Django without the page cache "
            "(its shared fragments cached, as on a live portal). The reference: "
            "`LIKE` over title, lead and body for every word, newest first, its "
            "page rendered with the same template.",
            "",
            common.markdown_table(headers, rows),
            "",
            verdict,
            "",
            common.markdown_table(["Machine", ""], machine.rows()),
        ]
    )
    console = common.text_table(headers, rows) + "\n" + verdict
    return common.SectionResult("search", console, markdown, ok=ok)


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
