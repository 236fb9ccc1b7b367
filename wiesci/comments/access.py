"""Who may see and touch which comment: the comments' only door.

Views, template tags and the services ask these; none of them states a rule
of its own.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci import conf
from wiesci.accounts.access import staff_with_permission
from wiesci.accounts.models import User
from wiesci.comments import moderation
from wiesci.comments.models import Comment
from wiesci.comments.moderation import CommentRefused

# What an author may still edit: a comment shown, or waiting for an editor.
EDITABLE = (Comment.Status.APPROVED, Comment.Status.PENDING)


def get_comment_for_viewer(pk: int, *, shown: bool = False) -> Comment:
    """The comment `pk` under a public article; 404 for anything else.

    With `shown`, only a comment readers see (approved): what one reports.
    """
    comment = Comment.objects.select_related("article", "author").filter(pk=pk).first()
    if comment is None or not comment.article.is_public:
        raise Http404
    if shown and comment.status != Comment.Status.APPROVED:
        raise Http404
    return comment


def in_edit_window(comment: Comment) -> bool:
    """Whether the comment may still be edited by its author, by status and age."""
    window = timedelta(minutes=conf.COMMENT_EDIT_MINUTES)
    return comment.status in EDITABLE and timezone.now() - comment.created_at < window


def can_edit(comment: Comment, user: Any) -> bool:
    """Whether to offer editing: the author, in the edit window, not banned.

    Cheap enough for every comment of a thread; `check_edit` is the full check.
    """
    return (
        bool(user.is_authenticated)
        and comment.author_id == user.pk
        and in_edit_window(comment)
        and not user.is_banned
    )


def check_edit(comment: Comment, *, by: User) -> None:
    """Raise why `by` may not edit `comment` now: not theirs, too late, banned."""
    if comment.author_id != by.pk:
        raise PermissionDenied(_("You can only edit your own comments."))
    if not in_edit_window(comment):
        raise PermissionDenied(_("This comment can no longer be edited."))
    # The rules for posting hold for editing: a banned reader cannot edit.
    moderation.check_author(by)


def check_delete(comment: Comment, *, by: User) -> None:
    """Raise why `by` may not delete `comment`.

    A comment the newsroom removed or rejected stays so, with its statement of
    reasons: the author's deletion would overwrite the decision.
    """
    if comment.author_id != by.pk:
        raise PermissionDenied(_("You can only delete your own comments."))
    if comment.status in (Comment.Status.REMOVED, Comment.Status.REJECTED):
        raise CommentRefused(
            _(
                "The newsroom has already removed this comment; it stays removed "
                "with the reason you were given."
            ),
            code="moderated",
        )


def can_moderate(user: Any) -> bool:
    return bool(user.has_perm("comments.moderate_comment"))


def moderators() -> list[User]:
    """Active staff who moderate comments and have an address to be told at."""
    return staff_with_permission("comments.moderate_comment")
