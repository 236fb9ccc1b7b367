"""Every write to articles that matters goes through these functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from wiesci.articles.models import Article, ArticleSlug, GalleryItem
from wiesci.core.text import polish_slugify
from wiesci.photos.models import Photo
from wiesci.photos.services import create_photo, update_photo


def unique_slug(base: str, *, article: Article) -> str:
    """`base`, or `base-2`, `base-3`…, free among current and former slugs."""
    base = base[:200].rstrip("-") or "artykul"
    current = (
        Article.objects.exclude(pk=article.pk) if article.pk else Article.objects.all()
    )
    former = (
        ArticleSlug.objects.exclude(article_id=article.pk)
        if article.pk
        else ArticleSlug.objects.all()
    )
    candidate, n = base, 1
    while (
        current.filter(slug=candidate).exists()
        or former.filter(slug=candidate).exists()
    ):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def save_article(article: Article) -> Article:
    """Save `article`, keeping its slug unique and its former addresses working.

    A blank slug is made from the title. Once the article has been public,
    its slug changes only when an editor types a new one; the former slug then
    answers with a redirect.
    """
    previous = None
    if article.pk:
        previous = (
            Article.objects.filter(pk=article.pk).values("slug", "published_at").first()
        )
    if not article.slug:
        article.slug = previous["slug"] if previous and previous["published_at"] else ""
    if not article.slug:
        article.slug = unique_slug(
            polish_slugify(article.title, max_length=200), article=article
        )
    else:
        article.slug = unique_slug(
            polish_slugify(article.slug, max_length=200), article=article
        )
    article.save()
    if previous and previous["slug"] != article.slug and previous["published_at"]:
        ArticleSlug.objects.get_or_create(
            slug=previous["slug"], defaults={"article": article}
        )
    # Coming back to a former slug makes it current again.
    ArticleSlug.objects.filter(article=article, slug=article.slug).delete()
    return article


@transaction.atomic
def publish_article(article: Article, *, at: datetime | None = None) -> Article:
    """Publish now, or schedule for `at` (public from that time on, no job needed).

    Raises ValidationError when a photo has no alternative text: readers who
    cannot see the photos must not get an article without them described.
    """
    if article.pk:
        missing = photos_missing_alt_text(article)
        if missing:
            raise ValidationError(
                ngettext(
                    "%(count)d photo has no alternative text. Describe it before "
                    "publishing.",
                    "%(count)d photos have no alternative text. Describe them before "
                    "publishing.",
                    len(missing),
                )
                % {"count": len(missing)},
                code="alt_text",
            )
    now = timezone.now()
    article.published_at = at or article.published_at or now
    if article.published_at > now:
        article.status = Article.Status.SCHEDULED
    else:
        article.status = Article.Status.PUBLISHED
    if article.main_photo_id is None:
        first = (
            article.gallery_items.select_related("photo").first()
            if article.pk
            else None
        )
        article.main_photo = first.photo if first else None
    return save_article(article)


@transaction.atomic
def withdraw_article(article: Article, *, note: str = "") -> Article:
    """Take a published article down; its address then answers 410 with `note`."""
    article.status = Article.Status.WITHDRAWN
    article.withdrawal_note = note
    article.save(update_fields=["status", "withdrawal_note", "modified_at"])
    return article


@transaction.atomic
def add_to_gallery(article: Article, photos: list[Photo]) -> list[GalleryItem]:
    """Append `photos` to the article's gallery; the first becomes the main photo."""
    last = (
        article.gallery_items.order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    start = (last or 0) + 1
    items = [
        GalleryItem.objects.create(article=article, photo=photo, position=start + i)
        for i, photo in enumerate(photos)
    ]
    if article.main_photo_id is None and photos:
        article.main_photo = photos[0]
        article.save(update_fields=["main_photo", "modified_at"])
    return items


@dataclass(frozen=True)
class Rejected:
    filename: str
    reason: str


def upload_to_gallery(
    article: Article, files: list[UploadedFile]
) -> tuple[list[GalleryItem], list[Rejected]]:
    """Add each photo file to the gallery; a bad file is reported, not fatal.

    Every file is checked and stored on its own, so one broken file among
    thirty loses neither the others nor their order.
    """
    added: list[GalleryItem] = []
    rejected: list[Rejected] = []
    for upload in files:
        try:
            with transaction.atomic():
                photo = create_photo(
                    upload,
                    filename=upload.name or "zdjecie.jpg",
                    name_hint=article.slug,
                )
                added.extend(add_to_gallery(article, [photo]))
        except ValidationError as error:
            rejected.append(Rejected(upload.name or "", " ".join(error.messages)))
    return added, rejected


@dataclass(frozen=True)
class GalleryRow:
    item: GalleryItem
    caption: str
    credit: str
    alt_text: str
    position: int
    focal: tuple[float, float]
    remove: bool = False


@transaction.atomic
def update_gallery(
    article: Article, rows: list[GalleryRow], *, main: Photo | None
) -> None:
    """Save captions, credits, alt texts, order and focal points; drop removals."""
    for row in rows:
        if row.remove:
            row.item.delete()
            continue
        update_photo(
            row.item.photo,
            caption=row.caption,
            credit=row.credit,
            alt_text=row.alt_text,
            focal=row.focal,
        )
        if row.item.position != row.position:
            row.item.position = row.position
            row.item.save(update_fields=["position"])
    remaining = article.gallery_items.select_related("photo").first()
    if main is None or not article.gallery_items.filter(photo=main).exists():
        main = remaining.photo if remaining else None
    if article.main_photo_id != (main.pk if main else None):
        article.main_photo = main
        article.save(update_fields=["main_photo", "modified_at"])


def photos_missing_alt_text(article: Article) -> list[Photo]:
    photos = [item.photo for item in article.gallery_items.select_related("photo")]
    if article.main_photo is not None and article.main_photo not in photos:
        photos.append(article.main_photo)
    return [photo for photo in photos if not photo.alt_text.strip()]
