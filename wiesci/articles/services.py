"""Every write to articles that matters goes through these functions.

Views, admin actions, commands and tests call the same functions. `by` is who
acts, always given: a staff member, or the portal itself as a named system
actor (`core.actors`: the scheduler, the demo loader, an import), which the
permission checks let through and the audit log names. Each change of
status is recorded in the audit log; each save keeps a revision.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wiesci.accounts.models import User
from wiesci.articles import access
from wiesci.articles.models import (
    Article,
    ArticleSlug,
    AuditEntry,
    Correction,
    GalleryItem,
    Label,
    Revision,
)
from wiesci.articles.signals import article_changed
from wiesci.core.actors import SystemActor, system_name, user_of
from wiesci.core.text import local_time, polish_slugify
from wiesci.photos.models import Photo
from wiesci.photos.services import create_photo, update_photo

logger = logging.getLogger(__name__)

Status = Article.Status
Action = AuditEntry.Action
Actor = User | SystemActor


class NotAllowed(PermissionDenied):
    """The acting staff member's role does not allow this."""


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _audit(article: Article, by: Actor, action: str, note: str = "") -> None:
    AuditEntry.objects.create(
        article=article,
        article_title=article.title[:200],
        article_number=article.pk,
        by=user_of(by),
        by_system=system_name(by),
        action=action,
        note=note,
    )


def _announce(article: Article, reason: str) -> None:
    """Tell listeners (`signals.article_changed`) after the change is committed."""
    pk = article.pk

    def send() -> None:
        fresh = Article.objects.filter(pk=pk).first()
        if fresh is not None:
            article_changed.send(sender=Article, article=fresh, reason=reason)

    transaction.on_commit(send)


# --- Slugs, saving and revisions -------------------------------------------


@transaction.atomic
def save_article(
    article: Article,
    *,
    by: Actor,
    autosave: bool = False,
    quiet: bool = False,
    revision: bool = True,
) -> Article:
    """Save `article`, keeping its slug unique and its former addresses working.

    A blank slug is made from the title. Once the article has been public, its
    slug changes only when an editor types a new one; the former slug then
    answers with a redirect. Sponsored content always carries the sponsored
    label. Every save keeps a revision; the caller saves many-to-many
    relations first when it has them (see `record_revision`). `quiet` is for
    the transitions below, which write their own audit entry; the admin
    passes `revision=False` and records one once the relations are saved.
    """
    if article.pk is None:
        _require(access.can_write(by), _("You may not write articles."))
    else:
        _require(access.can_edit(by, article), _("You may not edit this article."))
    created = article.pk is None
    previous = None
    if not created:
        previous = (
            Article.objects.filter(pk=article.pk)
            .values("slug", "published_at", "status")
            .first()
        )
    was_public = previous is not None and Article.is_public_at(
        previous["status"], previous["published_at"]
    )
    rescheduled = _reschedule_if_moved_to_the_future(article, by=by)
    if article.is_public:
        article.has_been_public = True
    if not article.slug:
        article.slug = previous["slug"] if previous and previous["published_at"] else ""
    source = article.slug or article.title
    article.slug = article.free_slug(polish_slugify(source, max_length=200))
    if created and not isinstance(by, SystemActor):
        # The system (an import, say) keeps the author it was given.
        article.created_by = by
    article.save()
    if previous and previous["slug"] != article.slug and previous["published_at"]:
        ArticleSlug.objects.get_or_create(
            slug=previous["slug"], defaults={"article": article}
        )
    # Coming back to a former slug makes it current again.
    ArticleSlug.objects.filter(article=article, slug=article.slug).delete()
    _label_sponsored(article)
    if not (autosave or quiet):
        _audit(article, by, Action.CREATED if created else Action.EDITED)
        moved = (
            previous is not None
            and article.status == Status.SCHEDULED
            and previous["published_at"] != article.published_at
        )
        if (rescheduled or moved) and article.published_at is not None:
            _audit(article, by, Action.SCHEDULED, local_time(article.published_at))
    if revision:
        record_revision(article, by=by, autosave=autosave)
    if (article.is_public or was_public) and not quiet:
        # A story taken off the site by a later time must leave every page too.
        _announce(article, "edited")
    return article


def _reschedule_if_moved_to_the_future(article: Article, *, by: Actor) -> bool:
    """A published story given a later publication time is scheduled again.

    It leaves the site until that time, shows on the schedule and is
    published then by the scheduler, with everything publication sets off.
    Only editors may do that.
    """
    if not (
        article.status == Status.PUBLISHED
        and article.published_at is not None
        and article.published_at > timezone.now()
    ):
        return False
    _require(access.can_publish(by), _("Only editors can schedule articles."))
    article.status = Status.SCHEDULED
    return True


def _label_sponsored(article: Article) -> None:
    """Give sponsored content the sponsored label, whatever labels were chosen."""
    if article.is_sponsored:
        sponsored = Label.objects.filter(is_sponsored=True).first()
        if sponsored is not None:
            article.labels.add(sponsored)


@transaction.atomic
def record_filing(article: Article, *, by: Actor) -> Revision:
    """Once a form has saved the article's filing (tags, places, labels…) after
    `save_article(…, revision=False)`: keep the sponsored label over the
    labels it set, and a revision of the whole."""
    _require(access.can_edit(by, article), _("You may not edit this article."))
    _label_sponsored(article)
    return record_revision(article, by=by)


def record_revision(article: Article, *, by: Actor, autosave: bool = False) -> Revision:
    """Keep the article as it is now; repeated identical saves keep one revision."""
    _require(access.can_edit(by, article), _("You may not edit this article."))
    data = article.snapshot()
    last = article.revisions.first()
    if last is not None and last.data == data:
        return last
    return Revision.objects.create(
        article=article, by=user_of(by), data=data, is_autosave=autosave
    )


@transaction.atomic
def restore_revision(revision: Revision, *, by: Actor) -> Article:
    """Bring back an earlier version of the text and filing; the slug stays."""
    article = revision.article
    _require(access.can_edit(by, article), _("You may not edit this article."))
    data = revision.data
    article.title, article.lead, article.body = (
        data["title"],
        data["lead"],
        data["body"],
    )
    article.section_id = data["section"]
    article.part = data["part"]
    article.main_photo_id = data["main_photo"]
    article.save()
    for field in ("tags", "places", "organisations", "authors", "labels"):
        getattr(article, field).set(data[field])
    _audit(
        article,
        by,
        Action.RESTORED,
        _("Revision of %(time)s") % {"time": local_time(revision.created_at)},
    )
    record_revision(article, by=by)
    if article.is_public:
        _announce(article, "edited")
    return article


# --- Status transitions ------------------------------------------------------


def _check_alt_texts(article: Article) -> None:
    missing = article.photos_missing_alt_text() if article.pk else []
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


def _set_status(article: Article, status: str, **fields: Any) -> None:
    article.status = status
    for name, value in fields.items():
        setattr(article, name, value)
    article.save(update_fields=["status", *fields, "modified_at"])


@transaction.atomic
def submit_for_review(article: Article, *, by: Actor) -> Article:
    """A journalist hands a draft to the editors."""
    _require(access.can_edit(by, article), _("You may not edit this article."))
    if article.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."), code="status")
    _set_status(article, Status.IN_REVIEW)
    _audit(article, by, Action.SUBMITTED)
    return article


@transaction.atomic
def return_to_draft(article: Article, *, by: Actor, note: str = "") -> Article:
    """An editor sends an article back to its author, or takes a schedule off."""
    _require(access.can_publish(by), _("Only editors can do this."))
    if article.status not in (Status.IN_REVIEW, Status.SCHEDULED):
        raise ValidationError(_("This article is not waiting."), code="status")
    was_scheduled = article.status == Status.SCHEDULED
    if was_scheduled and article.is_public:
        raise ValidationError(
            _("This article is already public; withdraw it instead."), code="status"
        )
    _set_status(article, Status.DRAFT, published_at=None)
    _audit(article, by, Action.UNSCHEDULED if was_scheduled else Action.RETURNED, note)
    return article


@transaction.atomic
def publish_article(
    article: Article, *, by: Actor, at: datetime | None = None
) -> Article:
    """Publish now, or schedule for `at`: public from that time on, no job needed.

    Raises NotAllowed for anyone but an editor, and ValidationError when a
    photo has no alternative text.
    """
    _require(access.can_publish(by), _("Only editors can publish articles."))
    _check_alt_texts(article)
    now = timezone.now()
    when = at or now
    if article.published_at and article.status == Status.PUBLISHED and at is None:
        when = article.published_at  # republishing keeps the original time
    if article.main_photo_id is None and article.pk:
        first = article.gallery_items.select_related("photo").first()
        article.main_photo = first.photo if first else None
    already_scheduled = (
        article.pk is not None
        and Article.objects.filter(
            pk=article.pk, status=Status.SCHEDULED, published_at=when
        ).exists()
    )
    article.published_at = when
    article.status = Status.SCHEDULED if when > now else Status.PUBLISHED
    save_article(article, by=by, quiet=True)
    if article.status == Status.SCHEDULED:
        if not already_scheduled:
            _audit(article, by, Action.SCHEDULED, local_time(when))
    else:
        _audit(article, by, Action.PUBLISHED)
        _announce(article, "published")
    return article


@transaction.atomic
def withdraw_article(article: Article, *, by: Actor, note: str = "") -> Article:
    """Take an article down; its address then answers 410 with `note`."""
    _require(access.can_publish(by), _("Only editors can withdraw articles."))
    _set_status(
        article,
        Status.WITHDRAWN,
        withdrawal_note=note,
        has_been_public=article.has_been_public or article.is_public,
    )
    _audit(article, by, Action.WITHDRAWN, note)
    _announce(article, "withdrawn")
    return article


@transaction.atomic
def delete_article(article: Article, *, by: Actor) -> None:
    """Delete the article for good, with its revisions, corrections and comments.

    Its audit log stays, naming it by title and number, with an entry saying
    who deleted it. After commit `article_changed` goes out with the reason
    "deleted" (the instance keeps its former pk), so no cached page keeps it.
    """
    _require(access.can_publish(by), _("Only editors can delete articles."))
    pk = article.pk
    AuditEntry.objects.filter(article=article).update(
        article_title=article.title[:200], article_number=pk
    )
    _audit(article, by, Action.DELETED)
    article.delete()
    article.pk = pk

    def send() -> None:
        article_changed.send(sender=Article, article=article, reason="deleted")

    transaction.on_commit(send)
    logger.info("Deleted article %s (%s)", pk, article.slug)


def run_due_publications(
    *, by: SystemActor, now: datetime | None = None
) -> list[Article]:
    """Finish the publication of scheduled articles whose time has come.

    The article is already public (reads filter by time); this runs what
    follows publication — the audit entry and the `article_changed` signal
    (`article_changed`) — exactly once: each article is claimed with
    a conditional update, so two server processes running this at the same
    moment cannot both act on it.
    """
    now = now or timezone.now()
    done = []
    for pk in Article.objects.due_for_publication(now=now):
        with transaction.atomic():
            claimed = Article.objects.filter(pk=pk, status=Status.SCHEDULED).update(
                status=Status.PUBLISHED, has_been_public=True, modified_at=now
            )
            if not claimed:
                continue  # another process got it first
            article = Article.objects.get(pk=pk)
            _audit(article, by, Action.PUBLISHED_ON_SCHEDULE)
            _announce(article, "published")
        done.append(article)
        logger.info("Published on schedule: %s", article.slug)
    return done


# --- Corrections, share links --------------------------------------------------


@transaction.atomic
def add_correction(
    article: Article,
    *,
    by: Actor,
    text: str,
    kind: str = Correction.Kind.CORRECTION,
) -> Correction:
    """Add a dated note under the title; an update also sets the update time."""
    _require(access.can_publish(by), _("Only editors can correct articles."))
    correction = Correction.objects.create(
        article=article, kind=kind, text=text, by=user_of(by)
    )
    if kind == Correction.Kind.UPDATE:
        article.updated_at = correction.created_at
        article.save(update_fields=["updated_at", "modified_at"])
    _audit(article, by, Action.CORRECTED, text)
    if article.is_public:
        _announce(article, "corrected")
    return correction


@transaction.atomic
def share_article(article: Article, *, by: Actor, days: int = 3) -> str:
    """A signed link that shows this unpublished article to anyone for `days`."""
    _require(access.can_edit(by, article) or access.can_publish(by), _("Not allowed."))
    expires_at = timezone.now() + timedelta(days=days)
    token = access.share_token(article, expires_at=expires_at)
    _audit(
        article,
        by,
        Action.SHARED,
        _("Valid until %(time)s") % {"time": local_time(expires_at)},
    )
    return token


@transaction.atomic
def revoke_share_links(article: Article, *, by: Actor) -> None:
    _require(access.can_edit(by, article) or access.can_publish(by), _("Not allowed."))
    from wiesci.articles.models import new_secret

    article.preview_secret = new_secret()
    article.save(update_fields=["preview_secret"])


# --- Galleries -------------------------------------------------------------------


@transaction.atomic
def add_to_gallery(
    article: Article, photos: list[Photo], *, by: Actor
) -> list[GalleryItem]:
    """Append `photos` to the article's gallery; the first becomes the main photo.

    Raises ValidationError, adding nothing, when the article is published or
    scheduled and a photo has no alternative text: readers would get it with
    an empty alt attribute.
    """
    _require(access.can_edit(by, article), _("You may not edit this article."))
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
        _announce(article, "edited")
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
    _require(access.can_edit(by, article), _("You may not edit this article."))
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
    _require(access.can_edit(by, article), _("You may not edit this article."))
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
        _announce(article, "edited")
