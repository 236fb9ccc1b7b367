"""The comment policy: who may post, when, how often, and what waits for review.

The knobs the newsroom turns live in ModerationSettings (the admin); abuse
limits are product tunables in `wiesci.conf`. Each refusal is a CommentRefused
with a sentence for the reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wiesci import conf
from wiesci.accounts.models import User
from wiesci.articles.models import Article
from wiesci.comments.models import Comment, ModerationSettings
from wiesci.comments.text import count_links


class CommentRefused(ValidationError):
    """A comment the policy refuses; `code` names the rule, the message explains."""


@dataclass(frozen=True)
class Decision:
    status: str
    held_because: str


def comments_closed(article: Article, policy: ModerationSettings) -> bool:
    """Whether the article takes no new comments now: closed by the newsroom,
    or older than the policy's `close_after_days`."""
    if not article.comments_open:
        return True
    if policy.close_after_days and article.published_at:
        return timezone.now() > article.published_at + timedelta(
            days=policy.close_after_days
        )
    return False


def check_author(author: User) -> None:
    if not author.is_authenticated or not author.is_active:
        raise CommentRefused(_("Log in to comment."), code="anonymous")
    if not EmailAddress.objects.filter(user=author, verified=True).exists():
        raise CommentRefused(
            _("Confirm your e-mail address first: open the link we sent you."),
            code="unverified",
        )
    if author.is_banned:
        assert author.banned_until is not None  # noqa: S101 (is_banned says so)
        until = formats.date_format(
            timezone.localtime(author.banned_until), "j E Y, H:i"
        )
        message = _("You cannot comment until %(until)s.") % {"until": until}
        if author.ban_reason:
            message += " " + _("Reason: %(reason)s") % {"reason": author.ban_reason}
        raise CommentRefused(message, code="banned")


def check_article(article: Article, policy: ModerationSettings) -> None:
    if not article.is_public or comments_closed(article, policy):
        raise CommentRefused(
            _("Comments under this article are closed."), code="closed"
        )


def check_text(body: str) -> None:
    if not body.strip():
        raise CommentRefused(_("Write something before sending."), code="empty")
    if len(body) > conf.COMMENT_MAX_LENGTH:
        raise CommentRefused(
            _("The comment is too long: %(length)d characters, the limit is %(limit)d.")
            % {"length": len(body), "limit": conf.COMMENT_MAX_LENGTH},
            code="too_long",
        )


def check_pace(author: User, body: str) -> None:
    """Limits on how often a reader posts, tighter for new accounts."""
    now = timezone.now()
    account_age = now - author.date_joined
    is_new = account_age < timedelta(days=conf.COMMENT_NEW_ACCOUNT_DAYS)
    interval = conf.COMMENT_INTERVAL_NEW if is_new else conf.COMMENT_INTERVAL
    recent = Comment.objects.filter(author=author).order_by("-created_at")
    last = recent.values_list("created_at", flat=True).first()
    if last is not None and now - last < timedelta(seconds=interval):
        wait = interval - int((now - last).total_seconds())
        raise CommentRefused(
            ngettext(
                "You are commenting too quickly. Wait %(seconds)d second.",
                "You are commenting too quickly. Wait %(seconds)d seconds.",
                wait,
            )
            % {"seconds": wait},
            code="too_fast",
        )
    window = now - timedelta(minutes=conf.COMMENT_DUPLICATE_MINUTES)
    if recent.filter(created_at__gte=window, body=body.strip()).exists():
        raise CommentRefused(
            _("You have just posted this same text. Write something new."),
            code="duplicate",
        )
    if account_age < timedelta(days=1):
        today = recent.filter(created_at__gte=now - timedelta(days=1)).count()
        if today >= conf.COMMENT_DAY_ONE_CAP:
            cap = conf.COMMENT_DAY_ONE_CAP
            raise CommentRefused(
                ngettext(
                    "New accounts may post %(cap)d comment on their first day. "
                    "Come back tomorrow.",
                    "New accounts may post %(cap)d comments on their first day. "
                    "Come back tomorrow.",
                    cap,
                )
                % {"cap": cap},
                code="daily_cap",
            )


def decide(
    article: Article,
    author: User,
    body: str,
    policy: ModerationSettings,
    *,
    editing: Comment | None = None,
) -> Decision:
    """Publish at once (post-moderation) or hold for an editor, and why.

    `editing` is the comment whose new text `body` is: an edit passes the same
    checks, and the comment itself does not count towards its author's trust.
    """
    if policy.premoderate_all or article.comments_premoderated:
        return Decision(Comment.Status.PENDING, Comment.Hold.PREMODERATION)
    approved = Comment.objects.filter(author=author, status=Comment.Status.APPROVED)
    if editing is not None:
        approved = approved.exclude(pk=editing.pk)
    if approved.count() < policy.premoderate_first:
        return Decision(Comment.Status.PENDING, Comment.Hold.NEW_READER)
    if count_links(body) > policy.max_links:
        return Decision(Comment.Status.PENDING, Comment.Hold.LINKS)
    return Decision(Comment.Status.APPROVED, Comment.Hold.NONE)


def check_report_pace(fingerprint: str) -> None:
    """At most REPORTS_PER_HOUR reports from one address in an hour, so that
    reports open to anyone cannot flood the queue or hide comments."""
    hour = int(timezone.now().timestamp() // 3600)
    key = f"comments:reports:{fingerprint}:{hour}"
    cache.add(key, 0, 3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, 3600)
        sent = 1
    if sent > conf.REPORTS_PER_HOUR:
        raise CommentRefused(
            _("You have sent many reports in a short time. Try again in an hour."),
            code="too_fast",
        )
