"""The demo's live coverage: a flood-day story followed update by update."""

from __future__ import annotations

import io
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

from wiesci.articles import services as articles
from wiesci.articles.models import Article
from wiesci.core.actors import DEMO
from wiesci.core.demo import DemoContext
from wiesci.live import services
from wiesci.live.models import Coverage
from wiesci.photos.demo_images import draw_scene
from wiesci.photos.services import create_photo, make_renditions_many
from wiesci.taxonomy.models import Place, Section

DATA = Path(__file__).with_name("demo.toml")


def has_content() -> bool:
    return Coverage.objects.exists()


def load(context: DemoContext) -> None:
    data: dict[str, Any] = tomllib.loads(DATA.read_text())
    entry = data["article"]
    article = articles.save_article(
        Article(
            title=entry["title"],
            lead=entry["lead"],
            body=entry["body"].strip(),
            section=Section.objects.get(slug=entry["section"]),
        ),
        by=DEMO,
    )
    article.places.set(Place.objects.filter(name__in=entry["places"]))
    articles.publish_article(
        article, by=DEMO, at=context.now - timedelta(minutes=entry["minutes_ago"])
    )
    coverage = services.start_coverage(
        article, by=DEMO, key_facts=entry["key_facts"].strip()
    )
    # Signed by the demo's newsroom, in turn.
    bylines = [
        f"{author['first_name']} {author['last_name']}"
        for author in context.shared.get("authors", [])
    ] or [""]
    photos = []
    # Oldest first, as the desk would have posted them.
    updates = sorted(data["update"], key=lambda u: -u["minutes_ago"])
    for number, item in enumerate(updates):
        photo = None
        if "photo" in item:
            shown = item["photo"]
            photo = create_photo(
                io.BytesIO(
                    draw_scene(shown["scene"], context.random, context.photo_size)
                ),
                by=DEMO,
                filename="relacja.jpg",
                caption=shown["caption"],
                credit=shown.get("credit", ""),
                alt_text=shown["alt"],
                name_hint=article.slug,
                renditions="caller",
            )
            photos.append(photo)
        services.add_update(
            coverage,
            by=DEMO,
            text=item["text"].strip(),
            photo=photo,
            at=context.now - timedelta(minutes=item["minutes_ago"]),
            byline=bylines[number % len(bylines)],
        )
    make_renditions_many(photos, by=DEMO)
    # The newest photo from the scene leads the story in lists and on its page.
    if photos:
        article.main_photo = photos[-1]
        articles.save_article(article, by=DEMO)
    context.say(f"  live coverage with {len(data['update'])} updates")
