"""Bringing a feed's stories in: `import_feed(source, by=IMPORT)`.

For a portal that has no export but a feed (RSS 2.0 or Atom, a file or an
address): each item becomes an article at its original date, published
unless asked otherwise, with its title, lead (the summary), body (the full
content where the feed carries it), author, categories as tags, and its
enclosure or `media:content` as the main photo when the file is at hand.
Items are matched by their GUID (else their link), so the import can run
again; the item's old address answers with a 301.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax import SAXException

import feedparser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from wiesci.articles import services
from wiesci.articles.models import Article, Author
from wiesci.articles.models.body import plain_words
from wiesci.moving.models import ImportedItem, Redirect
from wiesci.moving.wordpress import LEAD_CHARS, Report, slug
from wiesci.photos.models import Photo
from wiesci.photos.processing import PhotoRejected
from wiesci.photos.services import create_photo
from wiesci.taxonomy.models import Section, Tag

SOURCE = "rss"


class FeedError(Exception):
    """The feed cannot be read: nothing was imported."""


@dataclass
class FeedOptions:
    section: str = ""  # the section's slug; else the portal's first section
    draft: bool = False
    media: Path | None = None  # where the feed's photo files are


def import_feed(source: str, *, by: Any, options: FeedOptions | None = None) -> Report:
    options = options or FeedOptions()
    if not source.startswith(("http://", "https://")) and not Path(source).is_file():
        # feedparser would read the name itself as a feed
        raise FeedError(_("No such feed file: %(source)s") % {"source": source})
    feed = feedparser.parse(source)
    problem = feed.get("bozo_exception")
    # A feed that is not well-formed XML is refused, even where feedparser's
    # lenient reading would make something of it: half an archive is worse
    # than none. (Other bozo notes, a wrong declared charset, are harmless.)
    if feed.bozo and (isinstance(problem, SAXException) or not feed.entries):
        line = getattr(problem, "getLineNumber", lambda: None)()
        where = _(" at line %(line)s") % {"line": line} if line else ""
        raise FeedError(
            _("The feed cannot be read%(where)s: %(problem)s")
            % {"where": where, "problem": problem}
        )
    if not feed.get("version") and not feed.entries:
        raise FeedError(
            _("This is not an RSS or Atom feed: %(source)s") % {"source": source}
        )
    section = _section(options.section)
    report = Report()
    for entry in feed.entries:
        try:
            with transaction.atomic():
                _entry(entry, by=by, options=options, section=section, report=report)
        except ValidationError as error:
            report.skipped.append(
                f"item {entry.get('id') or entry.get('link')}: "
                + " ".join(error.messages)
            )
    return report


def _section(wanted: str) -> Section:
    if wanted:
        found = Section.objects.filter(slug=wanted).first()
        if found is None:
            raise FeedError(_("There is no section %(slug)s.") % {"slug": wanted})
        return found
    return (
        Section.objects.order_by("position", "pk").first()
        or Section.objects.get_or_create(
            slug="wiadomosci", defaults={"name": "Wiadomości"}
        )[0]
    )


def _moment(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC)


def _entry(
    entry: Any, *, by: Any, options: FeedOptions, section: Section, report: Report
) -> None:
    key = (entry.get("id") or entry.get("link") or "").strip()
    if not key:
        report.skipped.append(f"item {entry.get('title', '')!r}: no GUID and no link")
        return
    known = (
        ImportedItem.objects.filter(source=SOURCE, kind="post", key=key)
        .values_list("target_id", flat=True)
        .first()
    )
    article = Article.objects.filter(pk=known).first() if known else None
    created = article is None
    article = article or Article(section=section)
    content = (
        entry.get("content", [{}])[0].get("value", "") if entry.get("content") else ""
    )
    summary = entry.get("summary", "")
    title = " ".join((entry.get("title") or "").split())[:200] or key[:200]
    article.title = title
    article.lead = (
        Truncator(" ".join(plain_words(summary or content))).chars(LEAD_CHARS) or title
    )
    article.body = content if content and content != summary else ""
    if created:
        link_slug = urlsplit(entry.get("link", "")).path.rstrip("/").rsplit("/", 1)[-1]
        article.slug = article.free_slug(slug(link_slug) or slug(title))
    services.save_article(article, by=by)
    tags = []
    for term in entry.get("tags", []):
        name = (term.get("term") or "").strip()[:100]
        ours = slug(name)
        if ours:
            tags.append(
                Tag.objects.filter(slug=ours).first()
                or Tag.objects.create(name=name, slug=ours)
            )
    article.tags.set(tags)
    if entry.get("author"):
        name = entry.author.strip()[:120]
        author = Author.objects.filter(name=name).first() or Author.objects.create(
            name=name
        )
        article.authors.set([author])
    photo = _photo(entry, article, by=by, options=options, report=report)
    if photo is not None and not article.gallery_items.filter(photo=photo).exists():
        services.add_to_gallery(article, [photo], by=by)
    if not options.draft and not article.is_public:
        services.publish_article(article, at=_moment(entry) or timezone.now(), by=by)
    ImportedItem.objects.update_or_create(
        source=SOURCE, kind="post", key=key, defaults={"target_id": article.pk}
    )
    old = unquote(urlsplit(entry.get("link", "")).path)
    if old and old != "/" and old != article.get_absolute_url():
        Redirect.objects.update_or_create(
            path=old[:500],
            query="",
            defaults={"target": article.get_absolute_url(), "source": SOURCE},
        )
    report.counts["articles" if created else "articles updated"] += 1


def _photo(
    entry: Any, article: Article, *, by: Any, options: FeedOptions, report: Report
) -> Photo | None:
    """The item's enclosure or media:content image, if its file is at hand."""
    addresses = [
        e.get("href", "")
        for e in entry.get("enclosures", [])
        if e.get("type", "").startswith("image/")
    ] + [
        m.get("url", "")
        for m in entry.get("media_content", [])
        if m.get("medium", "image") == "image"
    ]
    addresses = [a for a in addresses if a]
    if not addresses:
        return None
    address = addresses[0]
    known = (
        ImportedItem.objects.filter(source=SOURCE, kind="photo", key=address)
        .values_list("target_id", flat=True)
        .first()
    )
    if known:
        return Photo.objects.filter(pk=known).first()
    if options.media is None:
        report.not_converted.append(
            f"photo {address} (give --media to bring photos in)"
        )
        return None
    path = unquote(urlsplit(address).path).lstrip("/")
    candidates = [options.media / path, options.media / Path(path).name]
    file = next((c for c in candidates if c.is_file()), None)
    if file is None:
        report.not_converted.append(f"photo file missing: {Path(path).name}")
        return None
    try:
        with file.open("rb") as data:
            photo = create_photo(
                data,
                by=by,
                filename=file.name,
                alt_text=article.title[:300],
                name_hint=article.slug[:80],
                renditions="now",
            )
    except PhotoRejected as error:
        report.not_converted.append(f"photo {file.name}: {' '.join(error.messages)}")
        return None
    ImportedItem.objects.create(
        source=SOURCE, kind="photo", key=address[:500], target_id=photo.pk
    )
    report.counts["photos"] += 1
    report.counts["photos described by the story's title"] += 1
    return photo
