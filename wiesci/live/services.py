"""Every write to live coverage, each naming who made it (see core.actors).

An update shows on the article page and in the readers' poll as soon as its
transaction commits: the article's fragments are keyed by its modification
time, so it is moved on, and only the article's page and its poll are purged
from the page cache. Starting and ending coverage change the title's
[NA ŻYWO] marker, which every list shows, so they go through
`article_changed` like any edit of a public story.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci.articles.models import Article, Label
from wiesci.articles.signals import article_changed
from wiesci.core import pagecache
from wiesci.core.actors import system_name, user_of
from wiesci.live.access import can_delete, can_edit, can_post, can_run
from wiesci.live.models import (
    MARKER,
    MAX_FACT_CHARACTERS,
    MAX_UPDATE_CHARACTERS,
    Coverage,
    LogEntry,
    Update,
)
from wiesci.photos.models import Photo, Video

Action = LogEntry.Action


class NotAllowed(PermissionDenied):
    """The acting staff member's role does not allow this."""


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _log(coverage: Coverage, by: Any, action: str, note: str = "") -> None:
    LogEntry.objects.create(
        coverage=coverage,
        by=user_of(by),
        by_system=system_name(by),
        action=action,
        note=note,
    )


def _marker_label() -> Label:
    """The [NA ŻYWO] label, made the first time coverage starts."""
    label, _created = Label.objects.get_or_create(
        name=MARKER,
        defaults={
            "description": _("Added and removed by live coverage; do not pick it."),
        },
    )
    return label


def _show_changes(coverage: Coverage, *, in_lists: bool) -> None:
    """Make what readers see of the coverage fresh once this commits.

    The article's own fragments follow its modification time; an update
    purges only the article's page and its poll, a change of the marker
    (start, end) everything that lists the story.
    """
    now = timezone.now()
    Coverage.objects.filter(pk=coverage.pk).update(changed_at=now)
    coverage.changed_at = now
    Article.objects.filter(pk=coverage.article_id).update(modified_at=now)
    article_id = coverage.article_id

    def refresh() -> None:
        article = Article.objects.select_related("section").get(pk=article_id)
        if in_lists:
            article_changed.send(sender=Coverage, article=article, reason="live")
        else:
            pagecache.purge_paths([article.get_absolute_url(), coverage.poll_url()])

    transaction.on_commit(refresh)


def _clean_facts(key_facts: str) -> str:
    text = "\n".join(line.rstrip() for line in key_facts.strip().splitlines())
    if len(text) > MAX_FACT_CHARACTERS:
        raise ValidationError(
            {
                "key_facts": _(
                    "Key facts may have at most %(limit)d characters; these have "
                    "%(count)d. Keep the box short: the updates tell the rest."
                )
                % {"limit": MAX_FACT_CHARACTERS, "count": len(text)}
            },
            code="too_long",
        )
    return text


@transaction.atomic
def start_coverage(article: Article, *, by: Any, key_facts: str = "") -> Coverage:
    """Open live coverage of `article`: its title gets the [NA ŻYWO] marker."""
    _require(can_run(by), _("You may not start live coverage."))
    if article.status == Article.Status.WITHDRAWN:
        raise ValidationError(
            _("A withdrawn article cannot carry live coverage."), code="withdrawn"
        )
    if Coverage.objects.filter(article=article).exists():
        raise ValidationError(
            _("This article already has live coverage: open it from the list."),
            code="exists",
        )
    coverage = Coverage.objects.create(
        article=article, key_facts=_clean_facts(key_facts)
    )
    article.labels.add(_marker_label())
    _log(coverage, by, Action.STARTED)
    _show_changes(coverage, in_lists=True)
    return coverage


def end_coverage(coverage: Coverage, *, by: Any) -> Coverage:
    """Close the coverage: the marker goes, the updates stay on the page."""
    _require(can_run(by), _("You may not end live coverage."))
    return _set_live(coverage, by=by, live=False)


def resume_coverage(coverage: Coverage, *, by: Any) -> Coverage:
    _require(can_run(by), _("You may not resume live coverage."))
    return _set_live(coverage, by=by, live=True)


@transaction.atomic
def _set_live(coverage: Coverage, *, by: Any, live: bool) -> Coverage:
    if coverage.is_live == live:
        return coverage
    coverage.ended_at = None if live else timezone.now()
    coverage.save(update_fields=["ended_at"])
    if live:
        coverage.article.labels.add(_marker_label())
    else:
        coverage.article.labels.remove(_marker_label())
    _log(coverage, by, Action.RESUMED if live else Action.ENDED)
    _show_changes(coverage, in_lists=True)
    return coverage


@transaction.atomic
def set_key_facts(coverage: Coverage, *, by: Any, key_facts: str) -> Coverage:
    _require(can_run(by), _("You may not change the key facts."))
    text = _clean_facts(key_facts)
    if text == coverage.key_facts:
        return coverage
    coverage.key_facts = text
    coverage.save(update_fields=["key_facts"])
    _log(coverage, by, Action.FACTS)
    _show_changes(coverage, in_lists=False)
    return coverage


def _clean_update(text: str, photo: Photo | None, video: Video | None) -> str:
    text = text.strip()
    if not text and photo is None and video is None:
        raise ValidationError(
            {"text": _("Write the update, or add a photo or a video to it.")},
            code="empty",
        )
    if len(text) > MAX_UPDATE_CHARACTERS:
        raise ValidationError(
            {
                "text": _(
                    "An update may have at most %(limit)d characters; this one has "
                    "%(count)d. Split it into two updates."
                )
                % {"limit": MAX_UPDATE_CHARACTERS, "count": len(text)}
            },
            code="too_long",
        )
    return text


def _byline(by: Any) -> str:
    """The name the update is signed with: the author's byline, else the
    staff member's name; the portal's own jobs sign nothing."""
    user = user_of(by)
    if user is None:
        return ""
    author = getattr(user, "author", None)
    if author is not None:
        return str(author.name)
    return str(user.get_full_name() or user.get_username())


@transaction.atomic
def add_update(
    coverage: Coverage,
    *,
    by: Any,
    text: str,
    photo: Photo | None = None,
    video: Video | None = None,
    at: datetime | None = None,
    byline: str = "",
) -> Update:
    """Post an update, signed `byline` or by who posts it; readers see it
    once this commits."""
    _require(can_post(by), _("You may not post live updates."))
    update = Update.objects.create(
        coverage=coverage,
        at=at or timezone.now(),
        text=_clean_update(text, photo, video),
        photo=photo,
        video=video,
        byline=(byline or _byline(by))[:120],
        created_by=user_of(by),
        created_by_system=system_name(by),
    )
    _log(coverage, by, Action.ADDED, note=f"#{update.pk}")
    _show_changes(coverage, in_lists=False)
    return update


@transaction.atomic
def edit_update(
    update: Update,
    *,
    by: Any,
    text: str,
    photo: Photo | None = None,
    video: Video | None = None,
) -> Update:
    _require(can_edit(by, update), _("You may not edit this update."))
    update.text = _clean_update(text, photo, video)
    update.photo, update.video = photo, video
    update.edited_at = timezone.now()
    update.save(update_fields=["text", "photo", "video", "edited_at"])
    _log(update.coverage, by, Action.EDITED, note=f"#{update.pk}")
    _show_changes(update.coverage, in_lists=False)
    return update


@transaction.atomic
def delete_update(update: Update, *, by: Any) -> None:
    _require(
        can_delete(by),
        _("You may not delete live updates."),
    )
    coverage = update.coverage
    _log(coverage, by, Action.DELETED, note=f"#{update.pk}: {update.text[:200]}")
    update.delete()
    _show_changes(coverage, in_lists=False)
