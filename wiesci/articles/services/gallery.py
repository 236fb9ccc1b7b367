"""An article's gallery: adding, uploading, describing and ordering photos."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wiesci.articles import access
from wiesci.articles.models import (
    Article,
    GalleryItem,
)
from wiesci.articles.services._common import (
    Actor,
    announce,
    require,
)
from wiesci.photos.models import Photo
from wiesci.photos.services import create_photo, update_photo

logger = logging.getLogger(__name__)


@transaction.atomic
def add_to_gallery(
    article: Article, photos: list[Photo], *, by: Actor
) -> list[GalleryItem]:
    """Append `photos` to the article's gallery; the first becomes the main photo.

    Raises ValidationError, adding nothing, when the article is published or
    scheduled and a photo has no alternative text: readers would get it with
    an empty alt attribute.
    """
    require(access.can_edit(by, article), _("You may not edit this article."))
    if article.needs_alt_texts and any(not photo.alt_text.strip() for photo in photos):
        raise ValidationError(
            _(
                "This article is published or scheduled, so every photo added "
                "to its gallery needs an alternative text."
            ),
            code="alt_text",
        )
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
    if article.is_public and items:
        announce(article, "edited")
    return items


@dataclass(frozen=True)
class Rejected:
    filename: str
    reason: str


@dataclass(frozen=True)
class NewPhoto:
    """A photo file for a gallery, with what the uploader said about it."""

    file: UploadedFile
    alt_text: str = ""
    caption: str = ""
    credit: str = ""


def upload_to_gallery(
    article: Article, files: list[NewPhoto] | list[UploadedFile], *, by: Actor
) -> tuple[list[GalleryItem], list[Rejected]]:
    """Add each photo file to the gallery; a bad file is reported, not fatal.

    Every file is checked and stored on its own, so one broken file among
    thirty loses neither the others nor their order. A published or
    scheduled article takes only described photos: a file without
    alternative text is reported and nothing of it is stored.
    """
    require(access.can_edit(by, article), _("You may not edit this article."))
    added: list[GalleryItem] = []
    rejected: list[Rejected] = []
    described_only = article.needs_alt_texts
    for entry in files:
        new = entry if isinstance(entry, NewPhoto) else NewPhoto(entry)
        name = new.file.name or ""
        if described_only and not new.alt_text.strip():
            rejected.append(
                Rejected(
                    name,
                    _(
                        "The article is public: describe the photo "
                        "(alternative text) before it joins the gallery."
                    ),
                )
            )
            continue
        try:
            with transaction.atomic():
                photo = create_photo(
                    new.file,
                    by=by,
                    filename=name or "zdjecie.jpg",
                    name_hint=article.slug,
                    alt_text=new.alt_text.strip(),
                    caption=new.caption,
                    credit=new.credit,
                )
                added.extend(add_to_gallery(article, [photo], by=by))
        except ValidationError as error:
            rejected.append(Rejected(name, " ".join(error.messages)))
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
    article: Article, rows: list[GalleryRow], *, by: Actor, main: Photo | None
) -> None:
    """Save captions, credits, alt texts, order and focal points; drop removals.

    Raises ValidationError, saving nothing, when a photo that stays in the
    gallery of a published or scheduled article would have no alternative
    text.
    """
    require(access.can_edit(by, article), _("You may not edit this article."))
    if article.needs_alt_texts:
        blank = [r for r in rows if not r.remove and not r.alt_text.strip()]
        if blank:
            raise ValidationError(
                ngettext(
                    "%(count)d photo has no alternative text. The article is "
                    "public: describe it.",
                    "%(count)d photos have no alternative text. The article is "
                    "public: describe them.",
                    len(blank),
                )
                % {"count": len(blank)},
                code="alt_text",
            )
    for row in rows:
        if row.remove:
            row.item.delete()
            continue
        update_photo(
            row.item.photo,
            by=by,
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
    if article.is_public:
        announce(article, "edited")
