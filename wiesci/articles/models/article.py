"""The article: its fields, states and the reads lists are built from."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connections, models, router
from django.db.models import Exists, OuterRef, Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wiesci.articles.models.addresses import ArticleSlug
from wiesci.articles.models.body import (
    BRACKETED,
    MEDIA_MARKER,
    new_secret,
    plain_words,
    sanitise_body,
)
from wiesci.articles.models.filing import Author, Label
from wiesci.articles.models.gallery import GalleryItem
from wiesci.core import related
from wiesci.core.models import TimeStampedModel
from wiesci.photos.models import Photo, Video
from wiesci.taxonomy.models import Organisation, Place, Section, Tag


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self, *, at: datetime | None = None) -> ArticleQuerySet:
        """Articles readers may see: published, or scheduled for a time now past.

        Filtering by time makes a scheduled article public at its time with no
        job having to run. The one definition of "public", with
        `Article.is_public_at` for a single row.

        The live statuses are named by excluding the others, which no index
        serves: a database without statistics (SQLite) would otherwise take
        every live story from the status index and sort them all for a page
        of twenty, where now it reads the index of publication times newest
        first and stops at the page (see `Article.Meta.indexes`).
        """
        return self.exclude(status__in=Article.OTHER_STATUSES).filter(
            published_at__lte=at or timezone.now()
        )

    def live(self) -> ArticleQuerySet:
        """Published or scheduled: public now, or at its time without anyone
        checking it again (so its photos must be described already)."""
        return self.filter(status__in=Article.LIVE_STATUSES)

    def due_for_publication(self, *, now: datetime) -> list[int]:
        """Ids of scheduled articles whose time has come, oldest first.

        Read without a lock: another process may finish any of them before
        `services.run_due_publications` claims it.
        """
        return list(
            self.filter(status=Article.Status.SCHEDULED, published_at__lte=now)
            .order_by("published_at", "pk")
            .values_list("pk", flat=True)
        )

    def breaking(self) -> list[Article]:
        """Public stories in the breaking-news bar now, newest first."""
        return self.marked("breaking_until")

    def marked(self, field: str) -> list[Article]:
        """Public stories whose time in the breaking-news bar (`breaking_until`)
        or on top of the latest news (`pinned_until`) is still running, newest
        first.

        Read through the field's own index alone (a handful of rows), told
        public one by one and put in order here: asked together with
        "published", or in the order of the lists, a database without
        statistics would read every published story instead.
        """
        marked = self.filter(**{f"{field}__gt": timezone.now()}).order_by()
        return sorted(
            (article for article in marked if article.is_public),
            key=lambda article: (article.published_at, article.pk),
            reverse=True,
        )

    def marks(self) -> Marks:
        """Every story whose place on the pages changes with time alone: in the
        breaking-news bar or pinned on top of the latest news until a moment
        still to come, or scheduled for one.

        One query of a few rows, each part read through its own index (the
        two partial indexes, and status with publication time), joined by
        UNION ALL; what each page needs is worked out from it (`Marks`).
        """
        now = timezone.now()
        rows = self.order_by().values_list(*Marks.COLUMNS)
        found = rows.filter(breaking_until__gt=now).union(
            rows.filter(pinned_until__gt=now),
            rows.filter(status=Article.Status.SCHEDULED, published_at__gt=now),
            all=True,
        )
        # A story both breaking and pinned comes twice.
        return Marks(tuple({row[0]: row for row in found}.values()))

    def next_publication_at(self) -> datetime | None:
        """When the next scheduled article goes out."""
        return self.filter(status=Article.Status.SCHEDULED)._soonest("published_at")

    def _soonest(self, field: str) -> datetime | None:
        """The earliest moment of `field` still to come among these articles."""
        moment: datetime | None = (
            self.filter(**{f"{field}__gt": timezone.now()})
            .order_by(field)
            .values_list(field, flat=True)
            .first()
        )
        return moment

    def overdue(self, *, grace: timedelta = timedelta(minutes=2)) -> ArticleQuerySet:
        """Scheduled articles whose time passed without the scheduler finishing them."""
        return self.filter(
            status=Article.Status.SCHEDULED, published_at__lte=timezone.now() - grace
        ).order_by("published_at")

    def newest_first(self) -> ArticleQuerySet:
        return self.order_by("-published_at", "-pk")

    def for_lists(self) -> ArticleQuerySet:
        """Everything a list item shows, in one query: its labels come along
        as a JSON list (`core.related`), read into `labels` as they are met."""
        listed = (
            self.defer("body")
            .select_related("main_photo", "section")
            .annotate(
                has_gallery=Exists(GalleryItem.objects.filter(article=OuterRef("pk"))),
                has_video=Exists(
                    Article.videos.through.objects.filter(article=OuterRef("pk"))
                ),
                label_rows=_labels().subquery(),
            )
        )
        # What `values()` sets too: how the rows become objects.
        listed._iterable_class = _WithLabels
        return listed

    def list_items(self, ids: Sequence[int]) -> list[Article]:
        """The articles of `ids` in that order, with everything a list item
        shows (`for_lists`), in a fixed number of queries; any gone since the
        ids were chosen are left out.

        Chosen first on indexed columns alone, only these rows are loaded: a
        planner that expected a whole list would join every gallery and video
        of the archive to it.
        """
        rows = self.for_lists().order_by().in_bulk(ids)
        return [rows[pk] for pk in ids if pk in rows]

    def in_section(self, section: Section) -> ArticleQuerySet:
        return self.filter(section=section)

    def newest_per_section(
        self, limit: int, *, sections: models.QuerySet[Section]
    ) -> list[int]:
        """Ids of the `limit` newest published stories of each of `sections`.

        One query that reads `limit` rows per section from the (section,
        published_at) index, however many stories each section holds: one
        limited SELECT per section joined by UNION ALL (a window function
        would number every published row).
        """
        pks = list(sections.order_by("pk").values_list("pk", flat=True))
        if not pks:
            return []
        parts: list[str] = []
        params: list[Any] = []
        for number, pk in enumerate(pks):
            query = (
                self.published()
                .filter(section_id=pk)
                .order_by("-published_at", "-pk")
                .values_list("pk", flat=True)[:limit]
            )
            sql, part_params = query.query.sql_with_params()
            parts.append(f"SELECT * FROM ({sql}) AS part{number}")  # noqa: S608
            params.extend(part_params)
        with connections[self.db].cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return [row[0] for row in cursor.fetchall()]


class Article(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        IN_REVIEW = "review", _("in review")
        SCHEDULED = "scheduled", _("scheduled")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # Public now, or at its time with nobody checking again: see `live()`.
    LIVE_STATUSES = (Status.PUBLISHED, Status.SCHEDULED)
    # Every other status, for `published()`.
    OTHER_STATUSES = (Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN)

    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("Without [FOTO] or [WIDEO]: markers are added by the system."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=220,
        unique=True,
        blank=True,
        help_text=_("Part of the address. Made from the title; fixed once published."),
    )
    lead = models.TextField(
        _("lead"), help_text=_("The opening paragraph shown in lists.")
    )
    body = models.TextField(_("body"), blank=True)
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="articles",
    )
    tags = models.ManyToManyField(
        Tag, verbose_name=_("tags"), blank=True, related_name="articles"
    )
    places = models.ManyToManyField(
        Place, verbose_name=_("places"), blank=True, related_name="articles"
    )
    organisations = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisations"),
        blank=True,
        related_name="articles",
    )
    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), blank=True, related_name="articles"
    )
    labels = models.ManyToManyField(
        Label, verbose_name=_("labels"), blank=True, related_name="articles"
    )
    part = models.PositiveSmallIntegerField(
        _("part number"),
        null=True,
        blank=True,
        help_text=_(
            "For coverage in several parts: shown in the title marker, e.g. [FOTO 2]."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(_("publication time"), null=True, blank=True)
    updated_at = models.DateTimeField(
        _("update time"),
        null=True,
        blank=True,
        help_text=_("Shown to readers when the story was updated after publication."),
    )
    main_photo = models.ForeignKey(
        Photo,
        verbose_name=_("main photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    videos = models.ManyToManyField(
        Video, verbose_name=_("videos"), blank=True, related_name="articles"
    )
    is_sponsored = models.BooleanField(
        _("sponsored content"),
        default=False,
        help_text=_(
            "Paid for by an advertiser; the ARTYKUŁ SPONSOROWANY label is added."
        ),
    )
    pinned_until = models.DateTimeField(
        _("pinned until"),
        null=True,
        blank=True,
        help_text=_("Kept at the top of the latest news until this time."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    preview_secret = models.CharField(
        max_length=32,
        default=new_secret,
        editable=False,
        help_text="Part of every share link's signature; a new one revokes them all.",
    )
    is_featured = models.BooleanField(
        _("featured"), default=False, help_text=_("The main story on the home page.")
    )
    breaking_until = models.DateTimeField(
        _("breaking news until"),
        null=True,
        blank=True,
        help_text=_("Shown in the bar at the top of every page until this time."),
    )
    breaking_text = models.CharField(
        _("breaking news text"),
        max_length=160,
        blank=True,
        help_text=_("Short text for the bar; the title when left empty."),
    )
    comments_open = models.BooleanField(_("comments open"), default=True)
    comments_premoderated = models.BooleanField(
        _("pre-moderate comments"),
        default=False,
        help_text=_("Comments under this article wait for an editor's approval."),
    )
    comment_count = models.PositiveIntegerField(
        _("approved comments"), default=0, editable=False
    )
    comments_changed_at = models.DateTimeField(
        _("comments last changed"),
        null=True,
        blank=True,
        editable=False,
        help_text="Keys the cached comment thread; any comment change moves it.",
    )
    withdrawal_note = models.TextField(
        _("withdrawal note"),
        blank=True,
        help_text=_("Shown to readers who open a withdrawn article."),
    )
    has_been_public = models.BooleanField(
        _("has been public"),
        default=False,
        editable=False,
        help_text="Set once readers could see it: only such an article, withdrawn, "
        "answers 410 with its note; one never public stays an unknown address.",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        permissions = [
            ("publish_article", _("Can publish, schedule and withdraw articles")),
            ("edit_any_article", _("Can edit articles of other authors")),
        ]
        indexes = [
            # The newsroom's queues and the scheduler: the few stories in one
            # status, by time.
            models.Index(
                fields=["status", "-published_at"], name="articles_status_published"
            ),
            # The lists readers page through, newest first (`published()`,
            # `NewestFirst`): read in their order and stopped at the page,
            # the status told from the index alone.
            models.Index(
                fields=["published_at", "id", "status"], name="articles_newest"
            ),
            models.Index(
                fields=["section", "published_at", "id", "status"],
                name="articles_section_newest",
            ),
            # The home page's featured story, however long ago it was chosen.
            models.Index(
                fields=["published_at", "id"],
                condition=Q(is_featured=True),
                name="articles_featured",
            ),
            # The few stories in the breaking-news bar or pinned on top, found
            # without reading every published one (a large archive's lists).
            models.Index(
                fields=["breaking_until"],
                condition=Q(breaking_until__isnull=False),
                name="articles_breaking",
            ),
            models.Index(
                fields=["pinned_until"],
                condition=Q(pinned_until__isnull=False),
                name="articles_pinned",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["scheduled", "published"])
                | Q(published_at__isnull=False),
                name="articles_published_has_time",
                violation_error_message=_(
                    "A published or scheduled article needs a time."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Stored sanitised, whichever way the body came in.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "body" in update_fields:
            self.body = self.sanitised_body()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        marker = self.typed_marker()
        if marker:
            raise ValidationError(
                {
                    "title": _(
                        "Do not type %(marker)s in the title: markers such as "
                        "[FOTO], [WIDEO], [FOTO i WIDEO 2] and the labels are added "
                        "automatically from the gallery, the videos, the part "
                        "number and the labels chosen below."
                    )
                    % {"marker": marker}
                },
                code="marker_in_title",
            )

    def get_absolute_url(self) -> str:
        return self.address(self.slug)

    @staticmethod
    def address(slug: str) -> str:
        """The path of the article page at `slug` (current or former)."""
        return reverse("articles:detail", kwargs={"slug": slug})

    def typed_marker(self) -> str:
        """The first marker typed by hand into the title, such as "[FOTO]", or ""."""
        labels = None
        for found in BRACKETED.finditer(self.title):
            inside = " ".join(found.group(1).split())
            if MEDIA_MARKER.fullmatch(inside):
                return found.group(0)
            if labels is None:
                labels = {
                    name.casefold()
                    for name in Label.objects.values_list("name", flat=True)
                }
            if inside.casefold() in labels:
                return found.group(0)
        return ""

    def sanitised_body(self) -> str:
        """The body as it may be stored: see `sanitise_body`."""
        images = self.gallery_image_urls() if "<img" in self.body else set()
        return sanitise_body(self.body, images=images)

    def gallery_image_urls(self) -> set[str]:
        """Addresses of every size and format of the article's gallery photos."""
        if self.pk is None:
            return set()
        renditions: Any = (
            [photo.renditions for photo in self.gallery_photos]
            if "gallery_photos" in self.__dict__
            else Photo.objects.filter(gallery_items__article=self).values_list(
                "renditions", flat=True
            )
        )
        return {
            default_storage.url(path)
            for sizes in renditions
            for rendition in (sizes or {}).values()
            for path in rendition["files"].values()
        }

    @staticmethod
    def is_public_at(status: str, published_at: datetime | None) -> bool:
        """Whether an article in `status` published at `published_at` is public
        now: `ArticleQuerySet.published` for one row."""
        return (
            status in Article.LIVE_STATUSES
            and published_at is not None
            and published_at <= timezone.now()
        )

    @property
    def is_public(self) -> bool:
        return self.is_public_at(self.status, self.published_at)

    @property
    def needs_alt_texts(self) -> bool:
        """Published or scheduled: every photo it shows must be described."""
        return self.status in self.LIVE_STATUSES

    def photos_missing_alt_text(self) -> list[Photo]:
        """The gallery's photos and the main photo that have no alternative text."""
        photos = [item.photo for item in self.gallery_items.select_related("photo")]
        if self.main_photo is not None and self.main_photo not in photos:
            photos.append(self.main_photo)
        return [photo for photo in photos if not photo.alt_text.strip()]

    def free_slug(self, base: str) -> str:
        """`base`, or `base-2`, `base-3`…, free among other articles' current
        and former slugs."""
        base = base[:200].rstrip("-") or "artykul"
        current = Article.objects.exclude(pk=self.pk) if self.pk else Article.objects
        former = (
            ArticleSlug.objects.exclude(article_id=self.pk)
            if self.pk
            else ArticleSlug.objects
        )
        candidate, n = base, 1
        while (
            current.filter(slug=candidate).exists()
            or former.filter(slug=candidate).exists()
        ):
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def snapshot(self) -> dict[str, Any]:
        """What a revision keeps: the text and what the article is filed under."""
        return {
            "title": self.title,
            "slug": self.slug,
            "lead": self.lead,
            # An autosave keeps what the editor typed, so sanitise it here too.
            "body": self.sanitised_body(),
            "section": self.section_id,
            "part": self.part,
            "main_photo": self.main_photo_id,
            "tags": sorted(self.tags.values_list("pk", flat=True)),
            "places": sorted(self.places.values_list("pk", flat=True)),
            "organisations": sorted(self.organisations.values_list("pk", flat=True)),
            "authors": sorted(self.authors.values_list("pk", flat=True)),
            "labels": sorted(self.labels.values_list("pk", flat=True)),
        }

    @property
    def media_marker(self) -> str:
        """ "FOTO", "WIDEO", "FOTO i WIDEO", with the part number: derived, never typed.

        Lists annotate `has_gallery` and `has_video` (see `for_lists`); a single
        article reads its gallery and videos once, which its page shows anyway.
        """
        has_gallery = self.__dict__.get("has_gallery")
        if has_gallery is None:
            has_gallery = self.__dict__["has_gallery"] = bool(self.gallery_photos)
        has_video = self.__dict__.get("has_video")
        if has_video is None:
            has_video = self.__dict__["has_video"] = bool(self.video_list)
        media = " i ".join(
            word
            for word, present in (("FOTO", has_gallery), ("WIDEO", has_video))
            if present
        )
        if self.part and not media:
            return f"CZ. {self.part}"
        return f"{media} {self.part}" if media and self.part else media

    @property
    def label_markers(self) -> list[str]:
        """The labels' names; read once per article (the page's title, head
        and body all ask), and again after the labels change through it."""
        if self.pk is not None and "labels" not in getattr(
            self, "_prefetched_objects_cache", {}
        ):
            prefetch_related_objects([self], "labels")
        return [label.name for label in self.labels.all()]

    @property
    def title_with_markers(self) -> str:
        """ "[ZAPOWIEDŹ] Dni Raciborza [FOTO i WIDEO 2]", as page titles show it."""
        parts = [f"[{name}]" for name in self.label_markers]
        parts.append(self.title)
        if self.media_marker:
            parts.append(f"[{self.media_marker}]")
        return " ".join(parts)

    def read_page_relations(self) -> None:
        """Read everything the article's page shows of its filing, gallery,
        videos and corrections in one query (`core.related`), where the
        page's templates look for it. The page's fragments ask for it when
        they render: a page whose fragments are warm asks nothing."""
        if self.pk is None or self.__dict__.get("_page_relations_read"):
            return
        related.read_together(
            self, _page_relations(), using=self._state.db or router.db_for_read(Article)
        )
        self.__dict__["_page_relations_read"] = True

    @cached_property
    def gallery_photos(self) -> list[Photo]:
        return [item.photo for item in self.gallery_items.select_related("photo")]

    @cached_property
    def video_list(self) -> list[Video]:
        return list(self.videos.select_related("poster"))

    @property
    def word_count(self) -> int:
        return len(plain_words(self.lead)) + len(plain_words(self.body))

    @property
    def reading_minutes(self) -> int:
        """At about 200 words a minute, rounded half up, never less than one."""
        return max(1, int(self.word_count / 200 + 0.5))


class NewestFirst:
    """Public stories newest first, as numbered pages read them: the object
    list of a `Paginator`, counted and sliced, reaching `reach` stories back
    at most however many the archive holds.

    The ids within reach are read from the index of publication times in one
    query that counts them too; only a page's rows are then loaded
    (`list_items`).

    Stories filed under a place, tag, organisation or author (`filed`: the
    relation's name and the item) have no index in that order. A short list
    (its filings within reach) is read from the item's filings and sorted; a
    long one page by page from the newest stories, each asked whether it is
    filed there, which stops at the page (the further, the rarer the item:
    the last pages of an item on a few per cent of the archive read the most).
    A database without statistics takes the first way for any join and the
    second for a subquery, and each alone reads the whole archive for one
    kind of item.
    """

    def __init__(
        self,
        stories: ArticleQuerySet,
        *,
        reach: int,
        filed: tuple[str, models.Model] | None = None,
    ) -> None:
        self.stories = stories
        self.reach = reach
        self.filed = filed

    @cached_property
    def _ids(self) -> list[int] | None:
        """Ids of the stories within reach, newest first, and of one more if
        there are more; None for a long filed list, read page by page."""
        if self.filed is None:
            ids = self.stories.newest_first().values_list("pk", flat=True)
            return list(ids[: self.reach + 1])
        relation, item = self.filed
        through, _, column = _filings(relation)
        filings = through._default_manager.filter(**{column: item}).values("pk")
        if filings[: self.reach + 1].count() > self.reach:
            return None
        filed = self.stories.filter(**{relation: item}).newest_first()
        return list(filed.values_list("pk", flat=True)[: self.reach + 1])

    @property
    def truncated(self) -> bool:
        """Whether older stories lie beyond reach."""
        return self._ids is None or len(self._ids) > self.reach

    def count(self) -> int:
        return self.reach if self._ids is None else min(len(self._ids), self.reach)

    def __getitem__(self, window: slice) -> list[Article]:
        if self._ids is None:
            chosen = self._page_of_long_list(window)
        else:
            chosen = self._ids[: self.reach][window]
        return Article.objects.list_items(chosen)

    def _page_of_long_list(self, window: slice) -> list[int]:
        assert self.filed is not None  # noqa: S101 (only filed lists are long)
        relation, item = self.filed
        through, article, column = _filings(relation)
        filed_there = through._default_manager.filter(
            **{article: OuterRef("pk"), column: item}
        )
        ids = self.stories.filter(Exists(filed_there)).newest_first()
        return list(ids.values_list("pk", flat=True)[window])


def _filings(relation: str) -> tuple[type[models.Model], str, str]:
    """The through model of the article's many-to-many `relation`, and its
    columns naming the article and the related item."""
    descriptor = getattr(Article, relation)
    return (
        descriptor.through,
        descriptor.field.m2m_field_name(),
        descriptor.field.m2m_reverse_field_name(),
    )


@dataclass(frozen=True)
class Marks:
    """The stories `ArticleQuerySet.marks` found, as plain rows (cheap to keep
    in the shared cache), and what the pages need of them, told at the moment
    of asking."""

    COLUMNS = (
        "id",
        "title",
        "slug",
        "status",
        "published_at",
        "breaking_text",
        "breaking_until",
        "pinned_until",
    )
    rows: tuple[tuple[Any, ...], ...]

    def _running(self, field: str) -> list[tuple[Any, ...]]:
        """Rows public now whose `field` moment is still to come, newest first."""
        at, now = self.COLUMNS.index(field), timezone.now()
        return sorted(
            (
                row
                for row in self.rows
                if row[at] is not None
                and row[at] > now
                and Article.is_public_at(row[3], row[4])
            ),
            key=lambda row: (row[4], row[0]),
            reverse=True,
        )

    def breaking(self) -> list[Article]:
        """The breaking-news bar's stories, with the fields it shows."""
        # `from_db` takes the values in the order of the model's fields.
        names = [
            f.attname
            for f in Article._meta.concrete_fields
            if f.attname in self.COLUMNS
        ]
        at = [self.COLUMNS.index(name) for name in names]
        return [
            Article.from_db(None, names, [row[i] for i in at])
            for row in self._running("breaking_until")
        ]

    def pinned(self) -> list[int]:
        """Ids of the stories pinned on top of the latest news, newest first."""
        return [row[0] for row in self._running("pinned_until")]

    def next_change(self) -> datetime | None:
        """The soonest moment any of these stories changes place by itself: a
        scheduled one comes due, a public one leaves the bar or its pin."""
        now = timezone.now()
        moments = [
            row[4]
            for row in self.rows
            if row[3] == Article.Status.SCHEDULED and row[4] > now
        ]
        for field in ("breaking_until", "pinned_until"):
            at = self.COLUMNS.index(field)
            moments += [row[at] for row in self._running(field)]
        return min(moments, default=None)


@functools.cache
def _labels() -> related.Relation:
    return related.Relation(Label, "articles", related.prefetched("labels"))


class _WithLabels(models.query.ModelIterable["Article"]):
    """Articles read by `for_lists`, each with its labels in `labels` (as
    `prefetch_related("labels")` would leave them, without its query)."""

    def __iter__(self) -> Iterator[Any]:
        labels, using = _labels(), self.queryset.db
        for article in super().__iter__():
            found = article.__dict__.pop("label_rows", None)
            labels.keep(article, labels.instances(found, using))
            yield article


@functools.cache
def _page_relations() -> dict[str, related.Relation]:
    """What `Article.read_page_relations` reads: every relation the page shows."""
    from wiesci.articles.models.history import Correction

    def gallery(article: Article, items: list[GalleryItem]) -> None:
        related.prefetched("gallery_items")(article, items)
        article.__dict__["gallery_photos"] = [item.photo for item in items]

    def videos(article: Article, found: list[Video]) -> None:
        related.prefetched("videos")(article, found)
        article.__dict__["video_list"] = found

    filed = {
        name: related.Relation(model, "articles", related.prefetched(name))
        for name, model in (
            ("authors", Author),
            ("places", Place),
            ("organisations", Organisation),
            ("tags", Tag),
        )
    }
    return {
        "labels": _labels(),
        **filed,
        "corrections": related.Relation(
            Correction, "article", related.prefetched("corrections")
        ),
        "gallery": related.Relation(GalleryItem, "article", gallery, along=("photo",)),
        "videos": related.Relation(Video, "articles", videos, along=("poster",)),
    }
