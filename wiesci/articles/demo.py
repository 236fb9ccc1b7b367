"""Demo news of the Racibórz county: labels, bylines, articles, photos, videos."""

from __future__ import annotations

import io
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.contrib.sites.models import Site

from wiesci.articles import access, services
from wiesci.articles.models import Article, Author, Label
from wiesci.core.actors import DEMO
from wiesci.core.demo import DemoContext
from wiesci.photos.demo_images import draw_portrait, draw_scene
from wiesci.photos.models import Photo
from wiesci.photos.services import create_photo, create_video, make_renditions_many
from wiesci.taxonomy.models import Section, Tag

DATA = Path(__file__).with_name("demo.toml")
PORTAL_NAME = "Wieści znad Odry"


def has_content() -> bool:
    return Article.objects.exists()


def load(context: DemoContext) -> None:
    data: dict[str, Any] = tomllib.loads(DATA.read_text())
    Site.objects.update_or_create(
        pk=1, defaults={"name": PORTAL_NAME, "domain": "127.0.0.1:8000"}
    )
    photos: list[Photo] = []
    labels = {}
    for position, entry in enumerate(data["label"]):
        # A migration creates the four editorial labels; take them over.
        labels[entry["name"]], _created = Label.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "name": entry["name"],
                "description": entry["description"],
                "is_sponsored": entry.get("sponsored", False),
                "position": position,
            },
        )
    authors = {}
    for entry in context.shared.get("authors", []):
        name = f"{entry['first_name']} {entry['last_name']}"
        portrait = _photo(
            draw_portrait(name, context.random, context.photo_size[1] // 2),
            caption=name,
            alt=name,
            hint=entry["key"],
            photos=photos,
        )
        authors[entry["key"]] = Author.objects.create(
            user=context.shared.get("staff", {}).get(entry["key"]),
            name=name,
            bio=entry.get("bio", ""),
            photo=portrait,
        )
    sections = {section.slug: section for section in Section.objects.all()}
    places = context.shared.get("places", {})
    organisations = context.shared.get("organisations", {})
    articles = {}
    for entry in data["article"]:
        article = Article(
            title=entry["title"],
            lead=entry["lead"],
            body=entry["body"],
            section=sections[entry["section"]],
            part=entry.get("part"),
            is_featured=entry.get("featured", False),
        )
        published_at = context.now - timedelta(hours=entry["hours_ago"])
        if "updated_hours_ago" in entry:
            article.updated_at = context.now - timedelta(
                hours=entry["updated_hours_ago"]
            )
        services.save_article(article, by=DEMO)
        article.places.set(places[name] for name in entry.get("places", []))
        article.organisations.set(
            organisations[key] for key in entry.get("organisations", [])
        )
        article.authors.set(
            authors[key] for key in entry.get("authors", []) if key in authors
        )
        article.labels.set(labels[name] for name in entry.get("labels", []))
        article.tags.set(
            Tag.objects.get_or_create(name=name)[0] for name in entry.get("tags", [])
        )
        gallery = [
            _photo(
                draw_scene(item["scene"], context.random, context.photo_size),
                caption=item["caption"],
                credit=item.get("credit", ""),
                alt=item["alt"],
                hint=article.slug,
                photos=photos,
            )
            for item in entry.get("photos", [])
        ]
        services.add_to_gallery(article, gallery, by=DEMO)
        scene = entry["photos"][0]["scene"] if entry.get("photos") else "meeting"
        for item in entry.get("videos", []):
            poster = _photo(
                draw_scene(scene, context.random, context.photo_size),
                caption=item["title"],
                alt=item["title"],
                hint=article.slug,
                photos=photos,
            )
            article.videos.add(
                create_video(
                    by=DEMO, title=item["title"], url=item["url"], poster=poster
                )
            )
        services.publish_article(article, by=DEMO, at=published_at)
        articles[entry["key"]] = article
    for entry in data.get("breaking", []):
        article = articles[entry["article"]]
        article.breaking_text = entry["text"]
        article.breaking_until = context.now + timedelta(hours=entry["hours_left"])
        article.save(update_fields=["breaking_text", "breaking_until"])
    _desk(data.get("desk", []), sections, context)
    context.say(
        f"  {len(articles)} articles; making renditions of {len(photos)} photos…"
    )
    make_renditions_many(photos, by=DEMO)


def _desk(
    entries: list[dict[str, Any]], sections: dict[str, Section], context: DemoContext
) -> None:
    """Stories in the works, each by its journalist, through the real review:
    one waiting for an editor, one returned with a note."""
    staff = context.shared.get("staff", {})
    editor = next((user for user in staff.values() if access.can_publish(user)), None)
    for entry in entries:
        author = staff.get(entry["author"])
        if author is None or editor is None:
            continue
        article = services.save_article(
            Article(
                title=entry["title"],
                lead=entry["lead"],
                body=entry["body"],
                section=sections[entry["section"]],
            ),
            by=author,
        )
        services.submit_for_review(article, by=author)
        if entry["state"] == "returned":
            services.return_to_draft(article, by=editor, note=entry["note"])


def _photo(
    data: bytes,
    *,
    caption: str,
    alt: str,
    hint: str,
    photos: list[Photo],
    credit: str = "",
) -> Photo:
    photo = create_photo(
        io.BytesIO(data),
        by=DEMO,
        filename="demo.jpg",
        caption=caption,
        credit=credit,
        alt_text=alt,
        name_hint=hint,
        renditions="caller",
    )
    photos.append(photo)
    return photo
