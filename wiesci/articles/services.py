"""Every write to articles that matters goes through these functions."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from wiesci.articles.models import Article, ArticleSlug, GalleryItem
from wiesci.core.text import polish_slugify
from wiesci.photos.models import Photo


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
    """Publish now, or schedule for `at` (public from that time on, no job needed)."""
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
