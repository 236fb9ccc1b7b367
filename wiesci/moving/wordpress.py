"""Bringing a WordPress portal in: `import_wordpress(path, by=IMPORT)`.

The export is read twice, both times as a stream: once to check that the
whole file parses (a broken file imports nothing), once to import, in
batches committed as they go. Every item is matched by its GUID (terms and
authors by their slug), so a second run updates what the first made and an
interrupted run picks up where it stopped.

Posts become articles with their status and dates (published stays
published at its original time, a future post is scheduled, drafts,
pending and private posts stay unpublished), categories become sections
(or the sections the operator maps them to; a subcategory also becomes a
tag), tags tags, authors bylines. Every old address of a post answers with
a 301: its permalink, `/?p=ID`, and category and tag archives and feeds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from wiesci.articles import services
from wiesci.articles.models import Article, Author
from wiesci.articles.models.body import plain_words, sanitise_body
from wiesci.core.text import polish_slugify
from wiesci.moving import wxr
from wiesci.moving.models import ImportedItem, Redirect
from wiesci.taxonomy.models import Section, Tag

SOURCE = "wordpress"
BATCH = 100
LEAD_CHARS = 300
DEFAULT_SECTION = ("wiadomosci", "Wiadomości")
STATUSES = {"publish": "publish", "future": "future", "draft": "draft"}
# Unpublished here, whatever WordPress called it.
UNPUBLISHED = {"draft", "pending", "private", "auto-draft", "inherit"}
GUTENBERG_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*-->")
CAPTION = re.compile(r"\[caption[^\]]*\](.*?)\[/caption\]", re.DOTALL)
SHORTCODE = re.compile(r"\[(/?)([a-z][a-z0-9_-]*)([^\]]*)\]")


def slug(wordpress: str) -> str:
    """A WordPress slug (percent-encoded: `do%c5%bcynki`) as ours: `dozynki`."""
    return polish_slugify(unquote(wordpress), max_length=200)


@dataclass
class Report:
    """What a run did, by kind, and what it could not bring over."""

    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    not_converted: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{kind}: {n}" for kind, n in sorted(self.counts.items())]
        out += [f"skipped: {why}" for why in self.skipped]
        out += [f"not converted: {what}" for what in self.not_converted]
        return out


@dataclass
class Options:
    sections: dict[str, str] = field(default_factory=dict)  # category → section
    dry_run: bool = False
    progress: Callable[[int], Any] | None = None


def check(path: Path) -> int:
    """Read the whole file; its number of items, or ExportError."""
    return sum(1 for entry in wxr.read(path) if isinstance(entry, wxr.Item))


def import_wordpress(path: Path, *, by: Any, options: Options | None = None) -> Report:
    options = options or Options()
    check(path)  # a broken file stops here, before anything is written
    report = Report(dry_run=options.dry_run)
    run = _Run(by=by, options=options, report=report)
    batch: list[wxr.Author | wxr.Term | wxr.Item] = []
    for entry in wxr.read(path):
        batch.append(entry)
        if len(batch) >= BATCH:
            run.apply(batch)
            batch = []
    if batch:
        run.apply(batch)
    return report


class _Run:
    def __init__(self, *, by: Any, options: Options, report: Report) -> None:
        self.by, self.options, self.report = by, options, report
        self.terms: dict[str, wxr.Term] = {}
        self.done = 0

    def apply(self, batch: list[wxr.Author | wxr.Term | wxr.Item]) -> None:
        if self.options.dry_run:
            for entry in batch:
                self._count_dry(entry)
            return
        with transaction.atomic():
            for entry in batch:
                if isinstance(entry, wxr.Author):
                    self._author(entry)
                elif isinstance(entry, wxr.Term):
                    self._term(entry)
                else:
                    self._item(entry)
        if self.options.progress:
            self.options.progress(len(batch))

    def _count_dry(self, entry: Any) -> None:
        if isinstance(entry, wxr.Author):
            self.report.counts["authors"] += 1
        elif isinstance(entry, wxr.Term):
            self.terms[entry.slug] = entry
            self.report.counts[f"{entry.kind} terms"] += 1
        elif entry.post_type == "post" and entry.status != "trash":
            self.report.counts["articles"] += 1
        else:
            self.report.counts[f"not imported yet: {entry.post_type}"] += 1

    # --- Matching ---------------------------------------------------------------

    def _known(self, kind: str, key: str) -> int | None:
        found = (
            ImportedItem.objects.filter(source=SOURCE, kind=kind, key=key)
            .values_list("target_id", flat=True)
            .first()
        )
        return int(found) if found is not None else None

    def _remember(self, kind: str, key: str, target: int) -> None:
        ImportedItem.objects.update_or_create(
            source=SOURCE, kind=kind, key=key, defaults={"target_id": target}
        )

    def _redirect(self, path: str, target: str, query: str = "") -> None:
        if not path or (path == target and not query):
            return
        Redirect.objects.update_or_create(
            path=path[:500], query=query, defaults={"target": target, "source": SOURCE}
        )

    # --- Authors and terms ------------------------------------------------------

    def _author(self, author: wxr.Author) -> None:
        known = self._known(ImportedItem.Kind.AUTHOR, author.login)
        found = Author.objects.filter(pk=known).first() if known else None
        if found is None:
            found = Author.objects.create(name=author.name or author.login)
            self.report.counts["authors"] += 1
        elif found.name != author.name and author.name:
            found.name = author.name
            found.save()
        self._remember(ImportedItem.Kind.AUTHOR, author.login, found.pk)

    def _term(self, term: wxr.Term) -> None:
        self.terms[term.slug] = term
        if term.kind == "tag":
            tag = self._tag(term.slug, term.name)
            self._redirect(f"/tag/{term.slug}/", tag.get_absolute_url())
            return
        section = self._section_for(term.slug)
        self._redirect(
            f"/category/{self._category_path(term.slug)}/", section.get_absolute_url()
        )
        rss = reverse("distribution:section-rss", kwargs={"slug": section.slug})
        self._redirect(f"/category/{self._category_path(term.slug)}/feed/", rss)

    def _category_path(self, slug: str) -> str:
        """`parent/child`, as WordPress writes a subcategory's archive."""
        parts, seen = [], set()
        while slug and slug not in seen:
            seen.add(slug)
            parts.append(slug)
            slug = self.terms[slug].parent if slug in self.terms else ""
        return "/".join(reversed(parts))

    def _root(self, slug: str) -> str:
        return self._category_path(slug).split("/")[0]

    def _section_for(self, category: str) -> Section:
        """The section a category's posts go to: the operator's mapping, else
        the section of its top category, made when first needed."""
        root = self._root(category)
        wanted = self.options.sections.get(category) or self.options.sections.get(root)
        if wanted:
            found = Section.objects.filter(slug=wanted).first()
            if found is not None:
                return found
            self.report.skipped.append(
                f"section {wanted!r} of the mapping does not exist; "
                f"category {category!r} gets its own"
            )
        known = self._known(ImportedItem.Kind.CATEGORY, root)
        found = Section.objects.filter(pk=known).first() if known else None
        if found is None:
            term = self.terms.get(root)
            name = term.name if term else root
            ours = slug(root) or slug(name) or "dzial"
            found = Section.objects.filter(slug=ours).first()
            if found is None:
                found = Section.objects.create(name=name, slug=ours)
                self.report.counts["sections"] += 1
            self._remember(ImportedItem.Kind.CATEGORY, root, found.pk)
        return found

    @staticmethod
    def _default_section() -> Section:
        """Where a post with no category goes: the first section, or a new
        "Wiadomości" on an empty portal."""
        return (
            Section.objects.order_by("position", "pk").first()
            or Section.objects.get_or_create(
                slug=DEFAULT_SECTION[0], defaults={"name": DEFAULT_SECTION[1]}
            )[0]
        )

    def _tag(self, wp_slug: str, name: str) -> Tag:
        known = self._known(ImportedItem.Kind.TAG, wp_slug)
        found = Tag.objects.filter(pk=known).first() if known else None
        if found is None:
            ours = slug(wp_slug) or slug(name) or "tag"
            found = Tag.objects.filter(slug=ours).first()
            if found is None:
                found = Tag.objects.create(name=name or wp_slug, slug=ours)
                self.report.counts["tags"] += 1
            self._remember(ImportedItem.Kind.TAG, wp_slug, found.pk)
        return found

    # --- Posts ------------------------------------------------------------------

    def _item(self, item: wxr.Item) -> None:
        if item.post_type != "post":
            self.report.counts[f"not imported yet: {item.post_type}"] += 1
            return
        if item.status == "trash":
            self.report.skipped.append(
                f"post {item.wp_id} ({item.title!r}): in the trash"
            )
            return
        key = item.guid or f"post:{item.wp_id}"
        known = self._known(ImportedItem.Kind.POST, key)
        article = Article.objects.filter(pk=known).first() if known else None
        created = article is None
        article = article or Article()
        categories = [c for c in item.categories if c[0] == "category"]
        section = (
            self._section_for(categories[0][1])
            if categories
            else self._default_section()
        )
        body = self._body(item)
        article.title = (item.title or f"Wpis {item.wp_id}")[:200]
        article.lead = self._lead(item, body)
        article.body = body
        article.section = section
        if created and item.slug:
            article.slug = article.free_slug(slug(item.slug))
        services.save_article(article, by=self.by)
        self._relations(article, item, categories)
        self._status(article, item)
        self._remember(ImportedItem.Kind.POST, key, article.pk)
        self.report.counts["articles" if created else "articles updated"] += 1
        target = article.get_absolute_url()
        self._redirect("/", target, query=f"p={item.wp_id}")
        # Django compares the decoded path: `/dożynki/`, not `/do%c5%bcynki/`.
        old = unquote(urlsplit(item.link).path) if item.link else ""
        self._redirect(old, target)
        if old:
            self._redirect(old.rstrip("/") + "/feed/", target)

    def _status(self, article: Article, item: wxr.Item) -> None:
        when = item.date or timezone.now()
        if item.status in ("publish", "future"):
            if not (
                article.status in Article.LIVE_STATUSES and article.published_at == when
            ):
                services.publish_article(article, at=when, by=self.by)
        elif item.status in UNPUBLISHED and article.status in Article.LIVE_STATUSES:
            self.report.skipped.append(
                f"post {item.wp_id}: unpublished in WordPress, left as it is here"
            )

    def _relations(
        self, article: Article, item: wxr.Item, categories: list[tuple[str, str, str]]
    ) -> None:
        tags = [
            self._tag(nicename, name)
            for domain, nicename, name in item.categories
            if domain == "post_tag"
        ]
        # A subcategory keeps its meaning as a tag of the story.
        for _domain, nicename, name in categories:
            if self._root(nicename) != nicename:
                tags.append(self._tag(nicename, name))
        article.tags.set(tags)
        author = (
            self._known(ImportedItem.Kind.AUTHOR, item.creator)
            if item.creator
            else None
        )
        if author:
            article.authors.set([author])

    def _body(self, item: wxr.Item) -> str:
        html = GUTENBERG_COMMENT.sub("", item.content or "")
        html = CAPTION.sub(lambda m: f"<figure>{m.group(1)}</figure>", html)
        for closing, name, _rest in SHORTCODE.findall(html):
            if not closing:
                self.report.not_converted.append(
                    f"post {item.wp_id}: shortcode [{name}] left out"
                )
        html = SHORTCODE.sub("", html)
        if "<p" not in html:
            paragraphs = [p.strip() for p in re.split(r"\n\s*\n", html) if p.strip()]
            html = "".join(f"<p>{p}</p>" for p in paragraphs)
        images = len(re.findall(r"<img\b", html))
        if images:
            self.report.not_converted.append(
                f"post {item.wp_id}: {images} image(s) in the text (photos come "
                "in with attachments, not yet imported)"
            )
        return sanitise_body(html)

    @staticmethod
    def _lead(item: wxr.Item, body: str) -> str:
        source = item.excerpt or body
        text = " ".join(plain_words(source))
        return Truncator(text).chars(LEAD_CHARS) or item.title[:LEAD_CHARS] or "—"
