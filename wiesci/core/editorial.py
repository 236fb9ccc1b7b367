"""The newsroom's workflow for what is not an article: events and notices.

An article has its own richer workflow (revisions, scheduling, share links);
events and official notices follow the same roles with the same steps: a
journalist writes a draft and submits it, an editor publishes it, returns it
with a note or withdraws it, and every step is logged with who took it.
`Editorial` is the abstract row, `LogEntry` the abstract log, and
`Workflow` the steps, each app binding them to its model and permission.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from wiesci.core.actors import SYSTEM_ACTORS, system_name, user_of
from wiesci.core.models import TimeStampedModel
from wiesci.core.text import polish_slugify


class Status(models.TextChoices):
    DRAFT = "draft", gettext_lazy("draft")
    IN_REVIEW = "review", gettext_lazy("in review")
    PUBLISHED = "published", gettext_lazy("published")
    WITHDRAWN = "withdrawn", gettext_lazy("withdrawn")


class Action(models.TextChoices):
    CREATED = "created", pgettext_lazy("log action", "created")
    EDITED = "edited", pgettext_lazy("log action", "edited")
    SUBMITTED = "submitted", pgettext_lazy("log action", "submitted for review")
    RETURNED = "returned", pgettext_lazy("log action", "returned to the author")
    PUBLISHED = "published", pgettext_lazy("log action", "published")
    WITHDRAWN = "withdrawn", pgettext_lazy("log action", "withdrawn")
    DELETED = "deleted", pgettext_lazy("log action", "deleted")


class Editorial(TimeStampedModel):
    """A row the newsroom writes, reviews and publishes, with a title and the
    slug made from it."""

    # The slug of a title that gives none ("!!!").
    SLUG_FALLBACK = "x"

    title = models.CharField(gettext_lazy("title"), max_length=200)
    slug = models.SlugField(
        gettext_lazy("slug"),
        max_length=220,
        unique=True,
        blank=True,
        help_text=gettext_lazy(
            "Part of the address. Made from the title when left empty."
        ),
    )
    status = models.CharField(
        gettext_lazy("status"),
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        db_index=True,
    )
    published_at = models.DateTimeField(
        gettext_lazy("publication time"), null=True, blank=True, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    review_note = models.TextField(
        gettext_lazy("note from the editor"),
        blank=True,
        help_text=gettext_lazy("Why it came back to its author; shown on its form."),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = self.free_slug(polish_slugify(self.title, max_length=200))
        super().save(*args, **kwargs)

    def free_slug(self, base: str) -> str:
        """`base`, or `base-2`, `base-3`…, free among the other rows."""
        base = base.rstrip("-") or self.SLUG_FALLBACK
        others = type(self)._default_manager.exclude(pk=self.pk)
        candidate, n = base, 1
        while others.filter(slug=candidate).exists():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    @property
    def is_public(self) -> bool:
        return self.status == Status.PUBLISHED


class LogEntry(models.Model):
    """Who did what to an editorial row, and when. Subclasses add the row."""

    at = models.DateTimeField(gettext_lazy("time"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    by_system = models.CharField(
        gettext_lazy("by the system"),
        max_length=12,
        blank=True,
        choices=[(actor.name, actor.label) for actor in SYSTEM_ACTORS.values()],
    )
    action = models.CharField(gettext_lazy("action"), max_length=12, choices=Action)
    note = models.TextField(gettext_lazy("details"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-at", "-pk"]

    @property
    def actor(self) -> str:
        if self.by_system:
            return str(self.get_by_system_display())
        return str(self.by) if self.by_id else _("the system")


Row = TypeVar("Row", bound="Editorial")


class NotAllowed(PermissionDenied):
    """The acting staff member's role does not allow this step."""


@dataclass(frozen=True)
class Workflow:
    """The steps for one model: `log` is its LogEntry subclass, whose foreign
    key to the row is `subject`; `publish_permission` the editors' right."""

    log: type[LogEntry]
    subject: str
    publish_permission: str
    # Told of every step after it is logged: `notify(row, entry)`.
    notify: Callable[[Any, Any], None] | None = None

    def can_publish(self, user: Any) -> bool:
        return bool(user.is_active and user.has_perm(self.publish_permission))

    def can_edit(self, user: Any, row: Editorial) -> bool:
        """Editors change any row; a journalist only their own draft."""
        if self.can_publish(user):
            return True
        return bool(
            user.is_active
            and user.is_staff
            and row.status == Status.DRAFT
            and (row.pk is None or row.created_by_id == user.pk)
        )

    def record(self, row: Editorial, by: Any, action: str, note: str = "") -> None:
        entry = self.log.objects.create(  # type: ignore[attr-defined]
            **{self.subject: row},
            by=user_of(by),
            by_system=system_name(by),
            action=action,
            note=note,
        )
        if self.notify is not None:
            self.notify(row, entry)

    def saved(self, row: Editorial, *, by: Any, created: bool) -> None:
        """Log a save made through a form (the admin's or a command's)."""
        if created and row.created_by_id is None and user_of(by) is not None:
            row.created_by = by
            row.save(update_fields=["created_by"])
        self.record(row, by, Action.CREATED if created else Action.EDITED)

    @transaction.atomic
    def submit(self, row: Row, *, by: Any) -> Row:
        if not self.can_edit(by, row):
            raise NotAllowed(_("You may submit only your own drafts."))
        if row.status != Status.DRAFT:
            raise ValidationError(_("Only a draft can be submitted for review."))
        row.status = Status.IN_REVIEW
        row.save(update_fields=["status", "modified_at"])
        self.record(row, by, Action.SUBMITTED)
        return row

    @transaction.atomic
    def return_to_draft(self, row: Row, *, by: Any, note: str) -> Row:
        if not self.can_publish(by):
            raise NotAllowed(_("Only editors return work to its author."))
        if not note.strip():
            raise ValidationError(_("Say what the author should change."))
        row.status = Status.DRAFT
        row.review_note = note.strip()
        row.save(update_fields=["status", "review_note", "modified_at"])
        self.record(row, by, Action.RETURNED, row.review_note)
        return row

    @transaction.atomic
    def publish(self, row: Row, *, by: Any, at: datetime | None = None) -> Row:
        if not self.can_publish(by):
            raise NotAllowed(_("Only editors publish."))
        if row.status == Status.PUBLISHED:
            return row
        row.status = Status.PUBLISHED
        row.published_at = at or timezone.now()
        row.review_note = ""
        row.save(update_fields=["status", "published_at", "review_note", "modified_at"])
        self.record(row, by, Action.PUBLISHED)
        return row

    @transaction.atomic
    def withdraw(self, row: Row, *, by: Any, note: str = "") -> Row:
        if not self.can_publish(by):
            raise NotAllowed(_("Only editors withdraw."))
        if row.status != Status.PUBLISHED:
            raise ValidationError(_("Only a published item can be withdrawn."))
        row.status = Status.WITHDRAWN
        row.save(update_fields=["status", "modified_at"])
        self.record(row, by, Action.WITHDRAWN, note)
        return row
