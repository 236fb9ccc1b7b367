"""Readers' comments, the reports on them, and the newsroom's moderation settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wiesci.articles.models import Article
from wiesci.core.models import TimeStampedModel

SETTINGS_CACHE_KEY = "comments:moderation-settings"
SETTINGS_CACHE_SECONDS = 60


class ModerationSettings(models.Model):
    """How the newsroom moderates comments; one row, edited in the admin.

    Every attribute is a knob of the policy in `moderation.py`.
    """

    premoderate_all = models.BooleanField(
        _("pre-moderate every comment"),
        default=False,
        help_text=_("Off: comments appear at once and editors review them afterwards."),
    )
    premoderate_first = models.PositiveSmallIntegerField(
        _("hold a new reader's first comments"),
        default=0,
        help_text=_(
            "How many of a reader's first comments wait for approval. "
            "0: none, every reader is post-moderated."
        ),
    )
    max_links = models.PositiveSmallIntegerField(
        _("links allowed before a comment waits"),
        default=2,
        help_text=_("A comment with more links than this waits for approval."),
    )
    reports_to_hide = models.PositiveSmallIntegerField(
        _("reports that hide a comment"),
        default=3,
        help_text=_("Reports from this many different readers hide it until reviewed."),
    )
    close_after_days = models.PositiveSmallIntegerField(
        _("close comments after (days)"),
        default=30,
        help_text=_("0: comments stay open until an editor closes them."),
    )

    class Meta:
        verbose_name = _("moderation settings")
        verbose_name_plural = _("moderation settings")

    def __str__(self) -> str:
        return str(_("Moderation settings"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(SETTINGS_CACHE_KEY)
        transaction.on_commit(lambda: cache.delete(SETTINGS_CACHE_KEY))

    @classmethod
    def current(cls) -> ModerationSettings:
        return cls.objects.get_or_create(pk=1)[0]

    @classmethod
    def cached(cls) -> ModerationSettings:
        """The settings as pages read them: from the cache, without a query.

        Saving clears the shared cache; a per-process cache (locmem) on other
        processes may lag by SETTINGS_CACHE_SECONDS. Writes use `current()`.
        """
        policy = cache.get(SETTINGS_CACHE_KEY)
        if not isinstance(policy, cls):
            policy = cls.current()
            cache.set(SETTINGS_CACHE_KEY, policy, SETTINGS_CACHE_SECONDS)
        return policy


class RemovalReason(models.Model):
    """A reason shown to an author whose comment was removed (statement of reasons)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    explanation = models.TextField(
        _("explanation for the author"),
        help_text=_(
            "Sent to the author with the decision, as the statement of reasons."
        ),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("removal reason")
        verbose_name_plural = _("removal reasons")

    def __str__(self) -> str:
        return self.name


class CommentQuerySet(models.QuerySet["Comment"]):
    def approved(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.APPROVED)

    def with_open_reports(self) -> CommentQuerySet:
        """Each comment with `open_reports`: its reports not yet decided."""
        return self.annotate(
            open_reports=models.Count(
                "reports", filter=Q(reports__outcome=Report.Outcome.OPEN)
            )
        )

    def in_thread(self, article: Article, *, viewer: Any = None) -> CommentQuerySet:
        """What the thread under an article shows, oldest first, in one query.

        A logged-in `viewer` also sees, in place, their own comments waiting
        for approval (marked so) and those the newsroom removed, with the
        statement of reasons; nobody else does.
        """
        shown = Q(status=Comment.Status.APPROVED) | Q(
            status=Comment.Status.DELETED, replies__status=Comment.Status.APPROVED
        )
        if viewer is not None and viewer.is_authenticated:
            shown |= Q(
                status__in=(Comment.Status.REMOVED, Comment.Status.PENDING),
                author=viewer,
            )
        return (
            self.filter(article=article)
            .filter(shown)
            .distinct()
            .select_related("author", "removal_reason")
            .order_by("created_at", "pk")
        )


class Comment(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        REMOVED = "removed", _("removed by the newsroom")
        DELETED = "deleted", _("deleted by the author")

    class Hold(models.TextChoices):
        NONE = "", _("—")
        PREMODERATION = "premoderation", _("pre-moderation")
        NEW_READER = "new_reader", _("a new reader's first comment")
        LINKS = "links", _("many links")
        REPORTS = "reports", _("reported by readers")

    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
    )
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.PENDING,
        db_index=True,
    )
    held_because = models.CharField(
        _("waiting because of"),
        max_length=15,
        choices=Hold,
        default=Hold.NONE,
        blank=True,
    )
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    token = models.CharField(
        max_length=64,
        editable=False,
        help_text="The form's one-time key: a resent form finds the comment it made.",
    )
    removal_reason = models.ForeignKey(
        RemovalReason,
        verbose_name=_("reason for removal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    removal_note = models.TextField(_("note for the author"), blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [("moderate_comment", _("Can moderate comments and ban readers"))]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "token"],
                condition=Q(author__isnull=False),
                name="comments_one_comment_per_form",
            ),
        ]
        indexes = [
            models.Index(
                fields=["article", "status", "created_at"], name="comments_thread"
            ),
            models.Index(fields=["author", "-created_at"], name="comments_by_author"),
        ]

    def __str__(self) -> str:
        return self.body[:60]

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#komentarz-{self.pk}"


class Report(models.Model):
    """A notice that a comment breaks the law or the terms (DSA Article 16).

    Anyone may send one: a logged-in reader (`reporter`), or an anonymous one,
    known only by a keyed hash of their address (`fingerprint`), which stops
    the same address reporting one comment twice, and by the address they
    chose to leave for the outcome (`contact`). A report stays on record when
    the newsroom decides; `outcome` says what became of the comment, and the
    yearly transparency count is made from these rows.
    """

    class Reason(models.TextChoices):
        OFFENSIVE = "offensive", _("offensive or hateful")
        SPAM = "spam", _("spam or advertising")
        PERSONAL = "personal", _("reveals someone's personal data")
        FALSE = "false", _("false information")
        ILLEGAL = "illegal", _("illegal content")
        OTHER = "other", _("something else")

    class Outcome(models.TextChoices):
        OPEN = "", _("waiting for a decision")
        KEPT = "kept", _("comment kept")
        REMOVED = "removed", _("comment removed")

    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    fingerprint = models.CharField(
        _("anonymous sender"),
        max_length=32,
        blank=True,
        help_text=_("A keyed hash of the address an anonymous report came from."),
    )
    contact = models.EmailField(_("contact for the outcome"), blank=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome, default=Outcome.OPEN, blank=True
    )
    resolved_at = models.DateTimeField(_("decided"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"],
                condition=Q(reporter__isnull=False),
                name="comments_report_once",
            ),
            models.UniqueConstraint(
                fields=["comment", "fingerprint"],
                condition=~Q(fingerprint=""),
                name="comments_anonymous_report_once",
            ),
        ]
        indexes = [
            models.Index(
                fields=["comment"],
                condition=Q(outcome=""),
                name="comments_open_reports",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()}: {self.comment}"


class Appeal(models.Model):
    """An author's complaint against a removal (DSA Article 20).

    Decided by a moderator other than the one who removed the comment;
    `upheld` keeps the removal, `reversed` shows the comment again.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a decision")
        UPHELD = "upheld", _("removal upheld")
        REVERSED = "reversed", _("removal reversed, comment restored")

    comment = models.ForeignKey(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        related_name="appeals",
    )
    appellant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("appellant"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("why the decision is wrong"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who removed the comment; they may not decide the appeal."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("reasons for the decision"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(status="pending"),
                name="comments_one_open_appeal",
            ),
        ]

    def __str__(self) -> str:
        return str(self.comment)
