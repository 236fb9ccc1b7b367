"""What happened to an article: the audit log, revisions, corrections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wiesci.core.actors import SYSTEM_ACTORS


class AuditEntry(models.Model):
    """Who did what to an article, and when."""

    class Action(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", _("edited")
        SUBMITTED = "submitted", _("submitted for review")
        RETURNED = "returned", _("returned to the author")
        PUBLISHED = "published", _("published")
        SCHEDULED = "scheduled", _("scheduled")
        UNSCHEDULED = "unscheduled", _("unscheduled")
        PUBLISHED_ON_SCHEDULE = "due", _("published at the scheduled time")
        WITHDRAWN = "withdrawn", _("withdrawn")
        RESTORED = "restored", _("revision restored")
        CORRECTED = "corrected", _("correction added")
        SHARED = "shared", _("preview link created")
        DELETED = "deleted", _("deleted")

    # The log outlives the article: a deleted article's entries keep its
    # title and number.
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit",
    )
    article_title = models.CharField(_("article title"), max_length=200, blank=True)
    article_number = models.PositiveBigIntegerField(
        _("article number"), null=True, blank=True, db_index=True
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set when the portal itself acted (see core.actors); `by` is then empty.
    by_system = models.CharField(
        _("by the system"),
        max_length=12,
        blank=True,
        choices=[(actor.name, actor.label) for actor in SYSTEM_ACTORS.values()],
    )
    action = models.CharField(_("action"), max_length=12, choices=Action)
    note = models.TextField(_("details"), blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.article_title}"

    @property
    def actor(self) -> str:
        """Who acted, as the log shows it: a person, or the system by name."""
        if self.by_system:
            return str(self.get_by_system_display())
        return str(self.by) if self.by_id else str(_("the system"))


class Revision(models.Model):
    """A snapshot of an article taken at every save."""

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="revisions",
    )
    created_at = models.DateTimeField(_("saved"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_autosave = models.BooleanField(_("autosave"), default=False)
    data = models.JSONField(_("content"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")

    def __str__(self) -> str:
        return f"{self.data.get('title', '')} ({self.created_at:%Y-%m-%d %H:%M})"


class Correction(models.Model):
    """A dated note under the title: an error corrected, or the story updated."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("correction")
        UPDATE = "update", _("update")

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=Kind, default=Kind.CORRECTION
    )
    text = models.TextField(_("text"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return self.text[:60]
