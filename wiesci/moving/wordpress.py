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

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator

from wiesci.accounts.models import User
from wiesci.articles import services
from wiesci.articles.models import Article, Author
from wiesci.articles.models.body import plain_words, sanitise_body
from wiesci.comments import services as comments
from wiesci.core.text import polish_slugify
from wiesci.moving import wxr
from wiesci.moving.models import ImportedItem, Redirect
from wiesci.photos.models import Photo, Video, video_provider
from wiesci.photos.processing import PhotoRejected
from wiesci.photos.services import create_photo, create_video
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
IMG_SRC = re.compile(r"""<img\b[^>]*?\bsrc=["']([^"']+)["']""", re.IGNORECASE)
# A video WordPress embeds: a Gutenberg embed block's address, [embed]…[/embed],
# or an address alone on its line (WordPress's auto-embed).
EMBED_BLOCK = re.compile(
    r'<!--\s*wp:(?:core-)?embed[^>]*"url":"([^"]+)"[^>]*-->.*?<!--\s*/wp:(?:core-)?embed[^>]*-->',
    re.DOTALL,
)
EMBED_SHORTCODE = re.compile(r"\[embed[^\]]*\](.*?)\[/embed\]", re.DOTALL)
BARE_URL = re.compile(r"^\s*(?:<p>)?\s*(https?://\S+?)\s*(?:</p>)?\s*$", re.MULTILINE)
GALLERY = re.compile(r"""\[gallery[^\]]*\bids=["']?([\d,\s]+)""")
SHORTCODE = re.compile(r"\[(/?)([a-z][a-z0-9_-]*)([^\]]*)\]")


def slug(wordpress: str) -> str:
    """A WordPress slug (percent-encoded: `do%c5%bcynki`) as ours: `dozynki`."""
    return polish_slugify(unquote(wordpress), max_length=200)


IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")
CAPTION_ONLY = re.compile(
    r"<figure>\s*<figcaption>(.*?)</figcaption>\s*</figure>", re.DOTALL
)


def _digest(item: wxr.Item, *, with_media: bool) -> str:
    """What the post was in WordPress: a second run skips it if unchanged."""
    fields = [
        item.title,
        item.content,
        item.excerpt,
        item.status,
        str(item.date),
        item.slug,
        item.creator,
        repr(sorted(item.categories)),
        item.meta.get("_thumbnail_id", ""),
        str(with_media),  # run again with the photos, it brings them in
    ]
    return hashlib.sha256("\x00".join(fields).encode()).hexdigest()


def _comment_text(html: str) -> str:
    """A WordPress comment (a little HTML) as our plain comment text."""
    text = re.sub(r"<br\s*/?>|</p>", "\n", html, flags=re.IGNORECASE)
    return unescape(strip_tags(text)).strip()


def _figure(match: re.Match[str]) -> str:
    """`[caption]<img …> Text[/caption]` as `<figure><img …><figcaption>`."""
    inner = match.group(1)
    images = "".join(IMG_TAG.findall(inner))
    text = IMG_TAG.sub("", inner).strip()
    caption = f"<figcaption>{text}</figcaption>" if text else ""
    return f"<figure>{images}{caption}</figure>"


def _tidy(html: str) -> str:
    """No empty paragraphs; a caption whose image could not come stays as text."""
    html = CAPTION_ONLY.sub(r"<p>\1</p>", html)
    html = EMPTY_PARAGRAPH.sub("", html)
    return re.sub(r"\n\s*\n+", "\n", html).strip()


@dataclass
class Report:
    """What a run did, by kind, and what it could not bring over."""

    dry_run: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    not_converted: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{kind}: {n}" for kind, n in sorted(self.counts.items())]
        out += [f"skipped: {why}" for why in dict.fromkeys(self.skipped)]
        out += [f"not converted: {what}" for what in dict.fromkeys(self.not_converted)]
        return out


@dataclass
class Options:
    sections: dict[str, str] = field(default_factory=dict)  # category → section
    media: Path | None = None  # the old site's wp-content/uploads folder
    dry_run: bool = False
    progress: Callable[[int], Any] | None = None


@dataclass(frozen=True)
class Attachment:
    """What the import needs of a WordPress attachment, kept from the first
    reading so that a post finds its photos wherever they stand in the file."""

    wp_id: str
    key: str  # GUID, else the file's address
    url: str
    title: str
    caption: str
    alt: str
    link: str = ""  # the attachment's own page
    parent: str = ""  # the post it belongs to


@dataclass
class Scan:
    items: int = 0
    attachments: dict[str, Attachment] = field(default_factory=dict)
    by_file: dict[str, str] = field(default_factory=dict)  # uploads path → wp_id


SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
UPLOADS = "/wp-content/uploads/"


def uploads_path(url: str) -> str:
    """`2019/05/wal.jpg` of any address of the file or of a smaller size of
    it (`wal-300x200.jpg`); "" for an address outside the uploads."""
    path = unquote(urlsplit(url).path)
    if UPLOADS not in path:
        return ""
    return SIZE_SUFFIX.sub("", path.split(UPLOADS, 1)[1])


def scan(path: Path) -> Scan:
    """Read the whole file: it parses, or ExportError; what it holds."""
    found = Scan()
    for entry in wxr.read(path):
        if not isinstance(entry, wxr.Item):
            continue
        found.items += 1
        if entry.post_type == "attachment" and entry.attachment_url:
            attachment = Attachment(
                wp_id=entry.wp_id,
                key=entry.guid or entry.attachment_url,
                url=entry.attachment_url,
                title=entry.title,
                caption=entry.excerpt.strip(),
                alt=entry.meta.get("_wp_attachment_image_alt", "").strip(),
                link=entry.link,
                parent=entry.parent,
            )
            found.attachments[entry.wp_id] = attachment
            found.by_file[uploads_path(entry.attachment_url)] = entry.wp_id
    return found


def check(path: Path) -> int:
    """Read the whole file; its number of items, or ExportError."""
    return scan(path).items


def import_wordpress(path: Path, *, by: Any, options: Options | None = None) -> Report:
    options = options or Options()
    found = scan(path)  # a broken file stops here, before anything is written
    report = Report(dry_run=options.dry_run)
    run = _Run(by=by, options=options, report=report, scan=found)
    batch: list[wxr.Author | wxr.Term | wxr.Item] = []
    for entry in wxr.read(path):
        batch.append(entry)
        if len(batch) >= BATCH:
            run.apply(batch)
            batch = []
    if batch:
        run.apply(batch)
    if not options.dry_run:
        run.attachment_pages()
    return report


class _Run:
    def __init__(
        self, *, by: Any, options: Options, report: Report, scan: Scan
    ) -> None:
        self.by, self.options, self.report, self.scan = by, options, report, scan
        self.terms: dict[str, wxr.Term] = {}
        self.posts: dict[str, str] = {}  # WordPress id → the article's address
        self.done = 0
        if not options.dry_run:
            # The portal's own feeds in place of WordPress's.
            rss = reverse("distribution:rss")
            for old in ("/feed/", "/feed/rss2/", "/feed/atom/", "/comments/feed/"):
                self._redirect(old, rss)

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
                    self._one_item(entry)
        if self.options.progress:
            self.options.progress(len(batch))

    def _one_item(self, item: wxr.Item) -> None:
        """One item in a savepoint of its own: one the portal refuses (a
        rule of ours it breaks) is reported, and the rest comes in."""
        try:
            with transaction.atomic():
                self._item(item)
        except ValidationError as error:
            self.report.skipped.append(
                f"{item.post_type} {item.wp_id} ({item.title!r}), line {item.line}: "
                + " ".join(error.messages)
            )

    def _count_dry(self, entry: Any) -> None:
        counts = self.report.counts
        if isinstance(entry, wxr.Author):
            counts["authors"] += 1
            return
        if isinstance(entry, wxr.Term):
            self.terms[entry.slug] = entry
            counts[f"{entry.kind} terms"] += 1
            return
        if entry.post_type == "post" and entry.status != "trash":
            counts["articles"] += 1
            counts["comments"] += sum(1 for c in entry.comments if c.approved)
        elif entry.post_type == "attachment":
            counts["attachments"] += 1
        elif entry.post_type == "page" and entry.status == "publish":
            counts["pages"] += 1
        elif entry.post_type not in ("post", "page"):
            counts[f"not imported yet: {entry.post_type}"] += 1

    # --- Matching ---------------------------------------------------------------

    def _known(self, kind: str, key: str) -> int | None:
        found = (
            ImportedItem.objects.filter(source=SOURCE, kind=kind, key=key)
            .values_list("target_id", flat=True)
            .first()
        )
        return int(found) if found is not None else None

    def _remember(self, kind: str, key: str, target: int, digest: str = "") -> None:
        ImportedItem.objects.update_or_create(
            source=SOURCE,
            kind=kind,
            key=key,
            defaults={"target_id": target, "digest": digest},
        )

    def _redirect(self, path: str, target: str, query: str = "") -> None:
        if not path or (path == target and not query):
            return
        Redirect.objects.update_or_create(
            path=path[:500], query=query, defaults={"target": target, "source": SOURCE}
        )

    # --- Authors and terms ------------------------------------------------------

    def attachment_pages(self) -> None:
        """An attachment's page (`/2019/05/odra/waly/`, `/?attachment_id=`)
        leads to the story it belongs to, once every post is in."""
        with transaction.atomic():
            for attachment in self.scan.attachments.values():
                if not attachment.parent:
                    continue
                post = self.posts.get(attachment.parent)
                if post is None:
                    continue
                self._redirect("/", post, query=f"attachment_id={attachment.wp_id}")
                if attachment.link and "?" not in attachment.link:
                    self._redirect(unquote(urlsplit(attachment.link).path), post)

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
        self._redirect(f"/author/{author.login}/", found.get_absolute_url())

    def _term(self, term: wxr.Term) -> None:
        self.terms[term.slug] = term
        if term.kind == "tag":
            tag = self._tag(term.slug, term.name)
            self._redirect(f"/tag/{unquote(term.slug)}/", tag.get_absolute_url())
            rss = reverse("distribution:tag-rss", kwargs={"slug": tag.slug})
            self._redirect(f"/tag/{unquote(term.slug)}/feed/", rss)
            return
        section = self._section_for(term.slug)
        archive = f"/category/{unquote(self._category_path(term.slug))}/"
        self._redirect(archive, section.get_absolute_url())
        rss = reverse("distribution:section-rss", kwargs={"slug": section.slug})
        self._redirect(f"{archive}feed/", rss)

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
        if item.post_type == "attachment":
            return  # brought in with the posts that show them
        if item.post_type == "page":
            self._page(item)
            return
        if item.post_type != "post":
            self.report.counts[f"not imported yet: {item.post_type}"] += 1
            return
        if item.status == "trash":
            self.report.skipped.append(
                f"post {item.wp_id} ({item.title!r}): in the trash"
            )
            return
        key = item.guid or f"post:{item.wp_id}"
        digest = _digest(item, with_media=self.options.media is not None)
        known = self._known(ImportedItem.Kind.POST, key)
        article = Article.objects.filter(pk=known).first() if known else None
        if (
            article is not None
            and ImportedItem.objects.filter(
                source=SOURCE, kind=ImportedItem.Kind.POST, key=key, digest=digest
            ).exists()
        ):
            self.report.counts["articles unchanged"] += 1
            self.posts[item.wp_id] = article.get_absolute_url()
            return
        created = article is None
        article = article or Article()
        categories = [c for c in item.categories if c[0] == "category"]
        section = (
            self._section_for(categories[0][1])
            if categories
            else self._default_section()
        )
        body = self._body(item, article)
        article.title = (item.title or f"Wpis {item.wp_id}")[:200]
        article.lead = self._lead(item, body)
        article.body = body
        article.section = section
        if created and item.slug:
            article.slug = article.free_slug(slug(item.slug))
        services.save_article(article, by=self.by)
        self._photos(article, item, body)
        self._videos(article, item)
        self._relations(article, item, categories)
        self._status(article, item)
        self._comments(article, item)
        self._remember(ImportedItem.Kind.POST, key, article.pk, digest)
        self.report.counts["articles" if created else "articles updated"] += 1
        target = article.get_absolute_url()
        self.posts[item.wp_id] = target
        self._redirect("/", target, query=f"p={item.wp_id}")
        # Django compares the decoded path: `/dożynki/`, not `/do%c5%bcynki/`.
        old = unquote(urlsplit(item.link).path) if item.link else ""
        if old and old != "/":  # `/?p=104` (drafts, plain permalinks): done above
            self._redirect(old, target)
            self._redirect(old.rstrip("/") + "/feed/", target)

    def _comments(self, article: Article, item: wxr.Item) -> None:
        """Approved comments, replies under what they answer, each under its
        writer's name on an account that can never log in."""
        made: dict[str, Any] = {}
        waiting = [c for c in item.comments if c.approved and c.text.strip()]
        skipped = len(item.comments) - len(waiting)
        if skipped:
            self.report.counts["comments not approved, left out"] += skipped
        # Parents first, whatever order the export wrote them in.
        for _round in range(len(waiting) + 1):
            later = []
            for comment in waiting:
                if (
                    comment.parent
                    and comment.parent not in made
                    and any(c.wp_id == comment.parent for c in waiting)
                ):
                    later.append(comment)
                    continue
                made[comment.wp_id] = comments.add_imported_comment(
                    article,
                    by=self.by,
                    author=self._commenter(comment),
                    body=_comment_text(comment.text),
                    written_at=comment.date or item.date or timezone.now(),
                    key=f"{SOURCE}:{item.wp_id}:{comment.wp_id}",
                    parent=made.get(comment.parent),
                )
                self.report.counts["comments"] += 1
            if not later:
                break
            waiting = later
        if made:
            comments.recount(article.pk, by=self.by)

    def _commenter(self, comment: wxr.Comment) -> User:
        """One account per name and address: shown under the name the reader
        wrote, with no e-mail and no password, inactive."""
        name = (comment.author or "Czytelnik").strip()[:60]
        who = hashlib.sha256(f"{name}\x00{comment.email.lower()}".encode())
        username = f"wp-{who.hexdigest()[:20]}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=name, is_active=False)
            user.set_unusable_password()
            user.save()
            self.report.counts["commenters"] += 1
        return user

    def _page(self, item: wxr.Item) -> None:
        """A published page as a flat page at its old address."""
        if item.status != "publish":
            self.report.skipped.append(
                f"page {item.wp_id} ({item.title!r}): {item.status}, not published"
            )
            return
        url = unquote(urlsplit(item.link).path) if item.link else ""
        if not url.startswith("/") or url == "/" or "?" in item.link:
            url = f"/{slug(item.slug or item.title)}/"
        if not url.endswith("/"):
            url += "/"
        try:
            taken = resolve(url).url_name is not None
        except Resolver404:
            taken = False
        if taken:
            url = f"/strony{url}"
            self.report.skipped.append(
                f"page {item.wp_id}: its address is one of the portal's; moved to {url}"
            )
        key = item.guid or f"page:{item.wp_id}"
        known = self._known(ImportedItem.Kind.PAGE, key)
        page = FlatPage.objects.filter(pk=known).first() if known else None
        if page is None:
            page = FlatPage.objects.filter(url=url).first() or FlatPage(url=url)
            self.report.counts["pages"] += 1
        page.title = (item.title or url)[:200]
        html = self._body(item, Article())
        page.content = _tidy(sanitise_body(html))
        if len(IMG_SRC.findall(html)) or self._embeds:
            self.report.not_converted.append(
                f"page {item.wp_id}: images and videos of pages are left out"
            )
        page.save()
        page.sites.set([Site.objects.get_current()])
        self._remember(ImportedItem.Kind.PAGE, key, page.pk)
        self._redirect("/", page.url, query=f"page_id={item.wp_id}")
        self._redirect(url, page.url)

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

    def _body(self, item: wxr.Item, article: Article) -> str:
        """The post's text as our editor holds it. Images stay as they are
        for now: `_photos` puts our renditions in their place; videos are
        taken out of the text and kept for `_videos`."""
        html = item.content or ""
        self._embeds: list[str] = []

        def embed(match: re.Match[str]) -> str:
            address = match.group(1).replace("\\/", "/").strip()
            if video_provider(address) is None:
                return match.group(0)  # not a video we know: the text keeps it
            self._embeds.append(address)
            return ""

        html = EMBED_BLOCK.sub(embed, html)
        html = EMBED_SHORTCODE.sub(embed, html)
        html = BARE_URL.sub(embed, html)
        html = GUTENBERG_COMMENT.sub("", html)
        html = CAPTION.sub(_figure, html)
        for closing, name, _rest in SHORTCODE.findall(html):
            if not closing and name not in ("gallery",):
                self.report.not_converted.append(
                    f"post {item.wp_id}: shortcode [{name}] left out"
                )
        html = SHORTCODE.sub("", html)
        if "<p" not in html:
            paragraphs = [p.strip() for p in re.split(r"\n\s*\n", html) if p.strip()]
            html = "".join(f"<p>{p}</p>" for p in paragraphs)
        return html

    # --- Photos -----------------------------------------------------------------

    def _photos(self, article: Article, item: wxr.Item, body: str) -> None:
        """The featured image as the main photo, the text's images and the
        `[gallery]` photos in the gallery, the text pointing at our sizes."""
        wanted: list[Photo] = []
        featured_id = item.meta.get("_thumbnail_id", "")
        featured = self._attachment_photo(featured_id, item) if featured_id else None
        if featured is not None:
            wanted.append(featured)
        sources: dict[str, Photo] = {}
        for src in IMG_SRC.findall(item.content or ""):
            photo = self._photo_at(src, item)
            if photo is not None:
                sources[src] = photo
                wanted.append(photo)
        for ids in GALLERY.findall(item.content or ""):
            for wp_id in re.findall(r"\d+", ids):
                photo = self._attachment_photo(wp_id, item)
                if photo is not None:
                    wanted.append(photo)
        have = {g.photo_id for g in article.gallery_items.all()}
        new = list(dict.fromkeys(p for p in wanted if p.pk not in have))
        if new:
            services.add_to_gallery(article, new, by=self.by)
        main_changed = featured is not None and article.main_photo_id != featured.pk
        if main_changed:
            article.main_photo = featured
        # The converted text, images included: the save before this one
        # left them out, as the gallery did not hold their photos yet.
        for src, photo in sources.items():
            found = photo.public_file("article")
            if found is not None:
                body = body.replace(src, found.url)
        text = _tidy(sanitise_body(body, images=article.gallery_image_urls()))
        changed = bool(new) or main_changed or text != article.body
        article.body = text
        left_out = len(IMG_SRC.findall(body)) - len(IMG_SRC.findall(article.body))
        if left_out:
            self.report.not_converted.append(
                f"post {item.wp_id}: {left_out} image(s) from outside the "
                "uploads left out"
            )
        if changed:
            services.save_article(article, by=self.by)

    def _videos(self, article: Article, item: wxr.Item) -> None:
        """Embedded YouTube, Vimeo and Facebook videos as our privacy-first
        players (nothing loads from them before the reader clicks)."""
        have = {v.url for v in article.videos.all()}
        for address in dict.fromkeys(self._embeds):
            if address in have:
                continue
            video = Video.objects.filter(url=address).first() or create_video(
                by=self.by, title=article.title[:200], url=address
            )
            article.videos.add(video)
            self.report.counts["videos"] += 1

    def _attachment_photo(self, wp_id: str, item: wxr.Item) -> Photo | None:
        attachment = self.scan.attachments.get(wp_id)
        if attachment is None:
            self.report.not_converted.append(
                f"post {item.wp_id}: attachment {wp_id} is not in the export"
            )
            return None
        return self._photo(attachment, item)

    def _photo_at(self, src: str, item: wxr.Item) -> Photo | None:
        path = uploads_path(src)
        if not path:
            return None  # from elsewhere: the sanitiser leaves it out, reported
        wp_id = self.scan.by_file.get(path)
        attachment = self.scan.attachments.get(wp_id) if wp_id else None
        return self._photo(
            attachment
            or Attachment(wp_id="", key=path, url=src, title="", caption="", alt=""),
            item,
        )

    def _photo(self, attachment: Attachment, item: wxr.Item) -> Photo | None:
        known = self._known(ImportedItem.Kind.PHOTO, attachment.key)
        found = Photo.objects.filter(pk=known).first() if known else None
        if found is not None:
            return found
        if self.options.media is None:
            self.report.not_converted.append(
                f"post {item.wp_id}: photo {attachment.url} "
                "(give --media to bring photos in)"
            )
            return None
        file = self.options.media / uploads_path(attachment.url)
        if not uploads_path(attachment.url) or not file.is_file():
            self.report.not_converted.append(
                f"post {item.wp_id}: photo file missing: {file}"
            )
            return None
        alt = (
            attachment.alt
            or attachment.caption
            or attachment.title
            or item.title
            or "Zdjęcie z archiwum"
        )
        try:
            with file.open("rb") as data:
                photo = create_photo(
                    data,
                    by=self.by,
                    filename=file.name,
                    caption=attachment.caption[:400],
                    alt_text=alt[:300],
                    name_hint=slug(item.slug or item.title)[:80],
                    renditions="now",
                )
        except PhotoRejected as error:
            self.report.not_converted.append(
                f"post {item.wp_id}: photo {file.name}: {' '.join(error.messages)}"
            )
            return None
        if not attachment.alt:
            self.report.counts["photos described by their caption or title"] += 1
        self.report.counts["photos"] += 1
        self._remember(ImportedItem.Kind.PHOTO, attachment.key, photo.pk)
        return photo

    @staticmethod
    def _lead(item: wxr.Item, body: str) -> str:
        source = item.excerpt or body
        text = " ".join(plain_words(source))
        return Truncator(text).chars(LEAD_CHARS) or item.title[:LEAD_CHARS] or "—"
