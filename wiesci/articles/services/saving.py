"""Saving an article: slugs, former addresses, revisions."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci.articles import access
from wiesci.articles.models import (
    Article,
    ArticleSlug,
    Label,
    Revision,
)
from wiesci.articles.services._common import (
    Action,
    Actor,
    Status,
    announce,
    audit,
    require,
)
from wiesci.core.actors import SystemActor, user_of
from wiesci.core.text import local_time, polish_slugify

logger = logging.getLogger(__name__)


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
        require(access.can_write(by), _("You may not write articles."))
    else:
        require(access.can_edit(by, article), _("You may not edit this article."))
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
        audit(article, by, Action.CREATED if created else Action.EDITED)
        moved = (
            previous is not None
            and article.status == Status.SCHEDULED
            and previous["published_at"] != article.published_at
        )
        if (rescheduled or moved) and article.published_at is not None:
            audit(article, by, Action.SCHEDULED, local_time(article.published_at))
    if revision:
        record_revision(article, by=by, autosave=autosave)
    if (article.is_public or was_public) and not quiet:
        # A story taken off the site by a later time must leave every page too.
        announce(article, "edited")
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
    require(access.can_publish(by), _("Only editors can schedule articles."))
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
    require(access.can_edit(by, article), _("You may not edit this article."))
    _label_sponsored(article)
    return record_revision(article, by=by)


def record_revision(article: Article, *, by: Actor, autosave: bool = False) -> Revision:
    """Keep the article as it is now; repeated identical saves keep one revision."""
    require(access.can_edit(by, article), _("You may not edit this article."))
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
    require(access.can_edit(by, article), _("You may not edit this article."))
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
    audit(
        article,
        by,
        Action.RESTORED,
        _("Revision of %(time)s") % {"time": local_time(revision.created_at)},
    )
    record_revision(article, by=by)
    if article.is_public:
        announce(article, "edited")
    return article
