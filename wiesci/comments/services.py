"""Every write to comments: posting, editing, deleting, moderating, reporting.

Who may do what is `comments.access`; `by` (or, posting, `author`) names who
acts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail, send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from wiesci import conf
from wiesci.accounts.models import User
from wiesci.articles.models import Article
from wiesci.articles.signals import article_changed
from wiesci.comments import access, moderation
from wiesci.comments.models import (
    Appeal,
    Comment,
    ModerationSettings,
    RemovalReason,
    Report,
)
from wiesci.comments.moderation import CommentRefused
from wiesci.core.actors import SystemActor

logger = logging.getLogger(__name__)


def recount(article_id: int, *, by: Any) -> None:
    """Set the article's comment count from the rows: derived, so never adrift.

    `by` is whose write set it off; the count itself asks no permission.

    Called whenever what readers see under an article may have changed, so it
    also tells the page cache, after commit.
    """
    # Wait for any other transaction recounting this article to commit; the
    # count below is then a new statement whose snapshot includes its comment.
    # Nothing to wait for on SQLite, whose writers already run one at a time.
    list(Article.objects.select_for_update().filter(pk=article_id).values_list("pk"))
    approved = (
        Comment.objects.filter(
            article_id=OuterRef("pk"), status=Comment.Status.APPROVED
        )
        .order_by()
        .values("article_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Article.objects.filter(pk=article_id).update(
        comment_count=Coalesce(Subquery(approved), 0),
        comments_changed_at=timezone.now(),
    )

    def announce() -> None:
        article = Article.objects.filter(pk=article_id).first()
        if article is not None:
            article_changed.send(sender=Comment, article=article, reason="comments")

    transaction.on_commit(announce)


@transaction.atomic
def post_comment(
    article: Article,
    *,
    author: User,
    body: str,
    token: str,
    parent: Comment | None = None,
) -> Comment:
    """Post `body` under `article`, or explain in Polish why not.

    `token` comes with the form: sending the same form twice (a double click,
    a retried request) returns the comment the first one made.
    """
    policy = ModerationSettings.current()
    moderation.check_author(author)
    # One reader's posts one at a time (PostgreSQL; SQLite already is): a resent
    # form then finds its comment, and two forms cannot both pass the pace check.
    list(User.objects.select_for_update().filter(pk=author.pk).values_list("pk"))
    existing = Comment.objects.filter(author=author, token=token).first()
    if existing is not None:
        return existing
    moderation.check_article(article, policy)
    moderation.check_text(body)
    if parent is not None:
        if parent.article_id != article.pk or parent.status != Comment.Status.APPROVED:
            raise CommentRefused(
                _("You can only reply to a visible comment."), code="parent"
            )
        # One level of replies: answering a reply joins its thread.
        parent = parent.parent or parent
    moderation.check_pace(author, body)
    decision = moderation.decide(article, author, body, policy)
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                article=article,
                author=author,
                parent=parent,
                body=body.strip(),
                token=token,
                status=decision.status,
                held_because=decision.held_because,
            )
    except IntegrityError:
        # The same form arrived twice at once; the other request stored it.
        return Comment.objects.get(author=author, token=token)
    if comment.status == Comment.Status.APPROVED:
        recount(article.pk, by=author)
    return comment


@transaction.atomic
def edit_comment(comment: Comment, *, by: User, body: str) -> Comment:
    """Let the author fix a comment for a short while; readers see "edytowano".

    The new text passes the checks a new comment does: an approved comment
    edited to carry too many links waits for an editor again. A waiting
    comment keeps waiting, for the reason it was held.
    """
    access.check_edit(comment, by=by)
    moderation.check_text(body)
    body = body.strip()
    policy = ModerationSettings.current()
    decision = moderation.decide(comment.article, by, body, policy, editing=comment)
    comment.body = body
    comment.edited_at = timezone.now()
    fields = ["body", "edited_at", "modified_at"]
    if (
        comment.status == Comment.Status.APPROVED
        and decision.status == Comment.Status.PENDING
    ):
        comment.status = Comment.Status.PENDING
        comment.held_because = decision.held_because
        fields += ["status", "held_because"]
    comment.save(update_fields=fields)
    recount(comment.article_id, by=by)
    return comment


def _refresh_status(comment: Comment) -> None:
    """Read the comment's status again under a row lock.

    A moderator and the author may act on one comment at once; each decision
    is then checked against the other's, not against a page loaded earlier.
    """
    comment.status = (
        Comment.objects.select_for_update()
        .values_list("status", flat=True)
        .get(pk=comment.pk)
    )


@transaction.atomic
def delete_own_comment(comment: Comment, *, by: User) -> Comment:
    _refresh_status(comment)
    access.check_delete(comment, by=by)
    if comment.status == Comment.Status.DELETED:
        return comment
    was_visible = comment.status == Comment.Status.APPROVED
    comment.status = Comment.Status.DELETED
    comment.save(update_fields=["status", "modified_at"])
    if was_visible:
        recount(comment.article_id, by=by)
    return comment


def _moderate(comment: Comment, status: str, by: User) -> Comment:
    if not access.can_moderate(by):
        raise PermissionDenied(_("You may not moderate comments."))
    _refresh_status(comment)
    if comment.status == Comment.Status.DELETED:
        # The author took it back; approving it would publish it against their will.
        raise CommentRefused(
            _("The author has deleted this comment; it cannot be moderated."),
            code="deleted",
        )
    comment.status = status
    comment.held_because = Comment.Hold.NONE
    comment.moderated_by = by
    comment.moderated_at = timezone.now()
    comment.save(
        update_fields=[
            "status",
            "held_because",
            "moderated_by",
            "moderated_at",
            "modified_at",
        ]
    )
    recount(comment.article_id, by=by)
    return comment


def _resolve_reports(comment: Comment, outcome: str, by: User) -> None:
    """Close the comment's open reports with the decision, and tell each
    reporter who left a way to reach them what became of it (DSA Article 16)."""
    open_reports = list(
        comment.reports.filter(outcome=Report.Outcome.OPEN).select_related("reporter")
    )
    if not open_reports:
        return
    now = timezone.now()
    Report.objects.filter(pk__in=[r.pk for r in open_reports]).update(
        outcome=outcome, resolved_at=now, resolved_by=by
    )
    addresses = {
        r.contact or (r.reporter.email if r.reporter else "") for r in open_reports
    } - {""}
    if not addresses:
        return
    message = render_to_string(
        "comments/email/report_decided.txt",
        {
            "comment": comment,
            "removed": outcome == Report.Outcome.REMOVED,
            "site_url": settings.SITE_URL,
        },
    )
    subject = _("Your report has been considered")
    transaction.on_commit(
        lambda: send_mass_mail([(subject, message, None, [a]) for a in addresses])
    )


@transaction.atomic
def approve_comment(comment: Comment, *, by: User) -> Comment:
    """Show the comment; the reports on it are closed as "kept"."""
    comment = _moderate(comment, Comment.Status.APPROVED, by)
    _resolve_reports(comment, Report.Outcome.KEPT, by)
    return comment


@transaction.atomic
def reject_comment(comment: Comment, *, by: User) -> Comment:
    """Turn down a waiting comment (spam, nonsense) without notifying its author."""
    comment = _moderate(comment, Comment.Status.REJECTED, by)
    _resolve_reports(comment, Report.Outcome.REMOVED, by)
    return comment


def _appeal_url(comment: Comment) -> str:
    return settings.SITE_URL + reverse("comments:appeal", args=[comment.pk])


@transaction.atomic
def remove_comment(
    comment: Comment, *, by: User, reason: RemovalReason, note: str = ""
) -> Comment:
    """Remove a comment and tell its author why and how to appeal: the
    statement of reasons (DSA Article 17)."""
    comment = _moderate(comment, Comment.Status.REMOVED, by)
    comment.removal_reason = reason
    comment.removal_note = note
    comment.save(update_fields=["removal_reason", "removal_note"])
    _resolve_reports(comment, Report.Outcome.REMOVED, by)
    if comment.author is not None and comment.author.email:
        message = render_to_string(
            "comments/email/removed.txt",
            {
                "comment": comment,
                "reason": reason,
                "note": note,
                "site_url": settings.SITE_URL,
                "appeal_url": _appeal_url(comment),
                "appeal_days": conf.APPEAL_DAYS,
            },
        )
        recipient = comment.author.email
        transaction.on_commit(
            lambda: send_mail(
                _("Your comment has been removed"),
                message,
                None,
                [recipient],
            )
        )
    return comment


@dataclass(frozen=True)
class AnonymousReader:
    """A reader who is not logged in, as far as the portal knows them: a keyed
    hash of their address, and the address they left for an answer."""

    fingerprint: str
    contact: str = ""

    @classmethod
    def of(cls, request: HttpRequest, *, contact: str = "") -> AnonymousReader:
        # The reader's address as the log-in limits read it: behind the
        # documented proxy, the one it forwards (WIESCI_BEHIND_PROXY).
        address = get_adapter(request).get_client_ip(request)
        digest = salted_hmac("comments.report", address, algorithm="sha256")
        return cls(fingerprint=digest.hexdigest()[:32], contact=contact)


@transaction.atomic
def report_comment(
    comment: Comment,
    *,
    by: User | AnonymousReader,
    reason: str,
    note: str = "",
) -> Report:
    """Record a notice about a comment; it reaches the moderation queue at
    once, and enough distinct reporters hide the comment until decided.

    A reader, or an anonymous one, reports a comment once; a second report
    returns the first.
    """
    if not isinstance(by, AnonymousReader):
        if not by.is_authenticated:
            raise PermissionDenied(_("Log in to report a comment."))
        if comment.author_id == by.pk:
            raise CommentRefused(_("You cannot report your own comment."), code="own")
    if comment.status != Comment.Status.APPROVED or not comment.article.is_public:
        raise CommentRefused(
            _("You can only report a comment that is shown on the site."),
            code="not_visible",
        )
    if isinstance(by, AnonymousReader):
        report, created = Report.objects.get_or_create(
            comment=comment,
            fingerprint=by.fingerprint,
            defaults={"reason": reason, "note": note, "contact": by.contact},
        )
    else:
        report, created = Report.objects.get_or_create(
            comment=comment, reporter=by, defaults={"reason": reason, "note": note}
        )
    if not created:
        return report
    policy = ModerationSettings.current()
    reporters = comment.reports.filter(outcome=Report.Outcome.OPEN).count()
    if (
        comment.status == Comment.Status.APPROVED
        and reporters >= policy.reports_to_hide
    ):
        comment.status = Comment.Status.PENDING
        comment.held_because = Comment.Hold.REPORTS
        comment.save(update_fields=["status", "held_because", "modified_at"])
        recount(comment.article_id, by=by)
    admin_url = settings.SITE_URL + reverse(
        "admin:comments_comment_change", args=[comment.pk]
    )
    message = render_to_string(
        "comments/email/reported.txt",
        {
            "comment": comment,
            "report": report,
            "reporters": reporters,
            "admin_url": admin_url,
        },
    )
    subject = _("A comment was reported")
    recipients = [user.email for user in access.moderators()]
    if recipients:
        transaction.on_commit(
            lambda: send_mass_mail([(subject, message, None, [r]) for r in recipients])
        )
    return report


@transaction.atomic
def appeal_removal(comment: Comment, *, by: User, text: str) -> Appeal:
    """The author's complaint against the removal of their comment (DSA
    Article 20): open for APPEAL_DAYS after the decision, one at a time."""
    _refresh_status(comment)
    if comment.author_id != by.pk:
        raise PermissionDenied(_("Only the author of a comment can appeal."))
    if comment.status != Comment.Status.REMOVED:
        raise CommentRefused(
            _("Only a comment the newsroom removed can be appealed."),
            code="not_removed",
        )
    decided = comment.moderated_at or comment.modified_at
    if timezone.now() - decided > timedelta(days=conf.APPEAL_DAYS):
        raise CommentRefused(
            _("The time to appeal this decision has passed."), code="too_late"
        )
    if not text.strip():
        raise CommentRefused(
            _("Write why you think the decision is wrong."), code="empty"
        )
    if comment.appeals.filter(status=Appeal.Status.PENDING).exists():
        raise CommentRefused(
            _("Your appeal is already waiting for a decision."), code="pending"
        )
    appeal = Appeal.objects.create(
        comment=comment,
        appellant=by,
        text=text.strip()[: conf.COMMENT_MAX_LENGTH],
        removed_by=comment.moderated_by,
    )
    admin_url = settings.SITE_URL + reverse(
        "admin:comments_appeal_change", args=[appeal.pk]
    )
    subject = _("An appeal against a removal")
    message = render_to_string(
        "comments/email/appealed.txt", {"appeal": appeal, "admin_url": admin_url}
    )
    recipients = [
        u.email for u in access.moderators() if u.pk != comment.moderated_by_id
    ]
    if recipients:
        transaction.on_commit(
            lambda: send_mass_mail([(subject, message, None, [r]) for r in recipients])
        )
    return appeal


@transaction.atomic
def decide_appeal(appeal: Appeal, *, by: User, restore: bool, note: str = "") -> Appeal:
    """Decide an appeal: restore the comment or uphold the removal, and mail
    the outcome with its reasons to the author.

    The moderator who removed the comment may not decide its appeal.
    """
    if not access.can_moderate(by):
        raise PermissionDenied(_("You may not moderate comments."))
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != Appeal.Status.PENDING:
        raise CommentRefused(_("This appeal has already been decided."), code="decided")
    if appeal.removed_by_id is not None and appeal.removed_by_id == by.pk:
        raise PermissionDenied(
            _("You removed this comment; another moderator must decide the appeal.")
        )
    comment = appeal.comment
    if restore:
        comment = _moderate(comment, Comment.Status.APPROVED, by)
    appeal.status = Appeal.Status.REVERSED if restore else Appeal.Status.UPHELD
    appeal.decided_by = by
    appeal.decided_at = timezone.now()
    appeal.decision_note = note.strip()
    appeal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if appeal.appellant is not None and appeal.appellant.email:
        message = render_to_string(
            "comments/email/appeal_decided.txt",
            {"appeal": appeal, "comment": comment, "site_url": settings.SITE_URL},
        )
        recipient = appeal.appellant.email
        transaction.on_commit(
            lambda: send_mail(
                _("Your appeal has been decided"), message, None, [recipient]
            )
        )
    return appeal


@transaction.atomic
def add_imported_comment(
    article: Article,
    *,
    by: Any,
    author: User,
    body: str,
    written_at: Any,
    key: str,
    parent: Comment | None = None,
) -> Comment:
    """A comment another system approved, as it was: its date, its place in
    the thread, shown at once. Only the portal itself (an import) adds these.

    `key` names it in its source, so bringing it in again finds it. The
    article's count is the caller's to refresh (`recount`), once for all of
    its comments rather than once per comment.
    """
    if not isinstance(by, SystemActor):
        raise PermissionDenied(_("Only an import adds comments from elsewhere."))
    token = f"import:{key}"[:64]
    found = Comment.objects.filter(author=author, token=token).first()
    if found is None:
        found = Comment.objects.create(
            article=article,
            author=author,
            parent=parent,
            body=body.strip(),
            token=token,
            status=Comment.Status.APPROVED,
        )
        # The date it was written, not of the import.
        Comment.objects.filter(pk=found.pk).update(created_at=written_at)
    return found
