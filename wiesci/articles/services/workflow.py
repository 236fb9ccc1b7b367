"""The article's way to readers: review, publication, scheduling, withdrawal."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wiesci.articles import access
from wiesci.articles.models import (
    Article,
    AuditEntry,
)
from wiesci.articles.services._common import (
    Action,
    Actor,
    Status,
    announce,
    audit,
    require,
)
from wiesci.articles.services.saving import save_article
from wiesci.articles.signals import article_changed
from wiesci.core.actors import SystemActor
from wiesci.core.text import local_time

logger = logging.getLogger(__name__)


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
    require(access.can_edit(by, article), _("You may not edit this article."))
    if article.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be sent for review."), code="status")
    _set_status(article, Status.IN_REVIEW)
    audit(article, by, Action.SUBMITTED)
    return article


@transaction.atomic
def return_to_draft(article: Article, *, by: Actor, note: str = "") -> Article:
    """An editor sends an article back to its author with a note of what to
    change, or takes a schedule off."""
    require(access.can_publish(by), _("Only editors can do this."))
    if article.status not in (Status.IN_REVIEW, Status.SCHEDULED):
        raise ValidationError(_("This article is not waiting."), code="status")
    note = note.strip()
    if article.status == Status.IN_REVIEW and not note:
        raise ValidationError(
            _("Tell the author what to change: write a note for them."),
            code="note",
        )
    was_scheduled = article.status == Status.SCHEDULED
    if was_scheduled and article.is_public:
        raise ValidationError(
            _("This article is already public; withdraw it instead."), code="status"
        )
    _set_status(article, Status.DRAFT, published_at=None)
    audit(article, by, Action.UNSCHEDULED if was_scheduled else Action.RETURNED, note)
    return article


@transaction.atomic
def publish_article(
    article: Article, *, by: Actor, at: datetime | None = None
) -> Article:
    """Publish now, or schedule for `at`: public from that time on, no job needed.

    Raises NotAllowed for anyone but an editor, and ValidationError when a
    photo has no alternative text.
    """
    require(access.can_publish(by), _("Only editors can publish articles."))
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
            audit(article, by, Action.SCHEDULED, local_time(when))
    else:
        audit(article, by, Action.PUBLISHED)
        announce(article, "published")
    return article


@transaction.atomic
def withdraw_article(article: Article, *, by: Actor, note: str = "") -> Article:
    """Take an article down; its address then answers 410 with `note`."""
    require(access.can_publish(by), _("Only editors can withdraw articles."))
    _set_status(
        article,
        Status.WITHDRAWN,
        withdrawal_note=note,
        has_been_public=article.has_been_public or article.is_public,
    )
    audit(article, by, Action.WITHDRAWN, note)
    announce(article, "withdrawn")
    return article


@transaction.atomic
def delete_article(article: Article, *, by: Actor) -> None:
    """Delete the article for good, with its revisions, corrections and comments.

    Its audit log stays, naming it by title and number, with an entry saying
    who deleted it. After commit `article_changed` goes out with the reason
    "deleted" (the instance keeps its former pk), so no cached page keeps it.
    """
    require(access.can_publish(by), _("Only editors can delete articles."))
    pk = article.pk
    AuditEntry.objects.filter(article=article).update(
        article_title=article.title[:200], article_number=pk
    )
    audit(article, by, Action.DELETED)
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
            audit(article, by, Action.PUBLISHED_ON_SCHEDULE)
            announce(article, "published")
        done.append(article)
        logger.info("Published on schedule: %s", article.slug)
    return done
