"""Official notices (ogłoszenia urzędowe) and the proof of their publication.

A notice comes from an issuer (a town hall, a county office) and must stay
published for a legal period; at its end it leaves the current notices by
itself (every list filters on the time) and stays in the archive. Each
publication, change and withdrawal appends a `ProofEntry`: the SHA-256 of
the notice's text and of every attachment, chained to the entry before, so
that neither the files nor the log can change unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wiesci.core.actors import SYSTEM_ACTORS
from wiesci.core.editorial import Editorial, LogEntry, Status
from wiesci.taxonomy.models import Organisation, Place

MARKER = "OGŁOSZENIE URZĘDOWE"
CHUNK = 1024 * 1024


def end_of(day: date) -> datetime:
    """The first moment after `day`, in Poland."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def sha256_of(file: Any) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(CHUNK), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


PDF_SIGNATURE = b"%PDF-"
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


def validate_pdf(file: Any) -> None:
    """An attachment must be a PDF by its content, of a size a reader can fetch."""
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("The file is larger than %(limit)d MB.")
            % {"limit": MAX_ATTACHMENT_BYTES // (1024 * 1024)},
            code="too_large",
        )
    file.seek(0)
    head = file.read(1024)
    file.seek(0)
    if PDF_SIGNATURE not in head:
        raise ValidationError(
            _(
                "This is not a PDF file. Attach the notice as the issuer sent "
                "it, in PDF."
            ),
            code="not_pdf",
        )


class NoticeQuerySet(models.QuerySet["Notice"]):
    def current(self, *, now: datetime | None = None) -> NoticeQuerySet:
        """Published and within their period now."""
        now = now or timezone.now()
        return self.filter(
            status=Status.PUBLISHED, published_at__lte=now, until_at__gt=now
        )

    def archived(self, *, now: datetime | None = None) -> NoticeQuerySet:
        """Whose period ended, or withdrawn after readers saw them."""
        now = now or timezone.now()
        return self.filter(
            Q(status=Status.PUBLISHED, until_at__lte=now)
            | Q(status=Status.WITHDRAWN, published_at__isnull=False)
        )

    def readable(self) -> NoticeQuerySet:
        """Every notice a reader may open: current or archived."""
        return self.filter(
            Q(status=Status.PUBLISHED) | Q(status=Status.WITHDRAWN),
            published_at__isnull=False,
            published_at__lte=timezone.now(),
        )

    def newest_first(self) -> NoticeQuerySet:
        return self.order_by("-published_at", "-pk")

    def for_lists(self) -> NoticeQuerySet:
        return self.select_related("issuer")


class Notice(Editorial):
    SLUG_FALLBACK = "ogloszenie"

    issuer = models.ForeignKey(
        Organisation,
        verbose_name=_("issuer"),
        on_delete=models.PROTECT,
        related_name="notices",
        help_text=_("The office that sent the notice."),
    )
    reference = models.CharField(
        _("reference number"),
        max_length=100,
        blank=True,
        help_text=_("The issuer's case number, e.g. GN.6840.3.2026."),
    )
    body = models.TextField(
        _("text"),
        help_text=_("As the issuer sent it; paragraphs separated by a blank line."),
    )
    places = models.ManyToManyField(
        Place, verbose_name=_("places"), blank=True, related_name="notices"
    )
    stays_until = models.DateField(
        _("published until"),
        help_text=_("The last day of the period the notice must stay published."),
    )
    until_at = models.DateTimeField(editable=False, db_index=True)
    withdrawn_at = models.DateTimeField(
        _("withdrawn"), null=True, blank=True, editable=False
    )

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = _("official notice")
        verbose_name_plural = _("official notices")
        permissions = [
            ("publish_notice", _("Can publish and withdraw official notices"))
        ]
        indexes = [
            models.Index(fields=["status", "until_at"], name="notices_status_until"),
            models.Index(
                fields=["status", "-published_at"], name="notices_status_published"
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.until_at = end_of(self.stays_until)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "until_at"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.stays_until and self.stays_until < timezone.localdate() and not self.pk:
            raise ValidationError(
                {"stays_until": _("The period cannot end before today.")}
            )

    def get_absolute_url(self) -> str:
        return reverse("notices:detail", kwargs={"slug": self.slug})

    @property
    def title_with_marker(self) -> str:
        return f"[{MARKER}] {self.title}"

    def is_current(self, *, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now < self.until_at
        )

    def proof_text(self) -> str:
        """The text the proof hashes: what readers see, normalised (NFC, LF)."""
        lines = [self.title, self.reference, "", self.body]
        text = "\n".join(line.replace("\r\n", "\n").rstrip() for line in lines)
        return unicodedata.normalize("NFC", text).strip() + "\n"

    def text_sha256(self) -> str:
        return hashlib.sha256(self.proof_text().encode()).hexdigest()

    def attachment_hashes(self) -> list[dict[str, Any]]:
        return [
            {
                "name": item.filename,
                "title": item.title,
                "sha256": item.sha256,
                "size": item.size,
            }
            for item in self.attachments.all()
        ]


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("PDF file"), upload_to="ogloszenia/%Y/%m/", validators=[validate_pdf]
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False, default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Hashed from the bytes stored, whichever way the file came in.
        self.sha256 = sha256_of(self.file)
        self.size = self.file.size
        super().save(*args, **kwargs)

    @property
    def filename(self) -> str:
        return str(self.file.name).rsplit("/", 1)[-1]


class ProofQuerySet(models.QuerySet["ProofEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise ValidationError("The proof log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValidationError("The proof log is append-only.")


class ProofEntry(models.Model):
    """One step of a notice's publication, as the issuer may check it later."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", pgettext_lazy("proof step", "publication")
        CHANGED = "changed", _("changed while published")
        WITHDRAWN = "withdrawn", pgettext_lazy("proof step", "withdrawal")
        ENDED = "ended", _("period ended")

    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        on_delete=models.PROTECT,
        related_name="proof",
    )
    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("step"), max_length=10, choices=Kind)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    by_system = models.CharField(
        _("by the system"),
        max_length=12,
        blank=True,
        choices=[(actor.name, actor.label) for actor in SYSTEM_ACTORS.values()],
    )
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    attachments = models.JSONField(_("attachments and their SHA-256"), default=list)
    previous = models.CharField(_("previous entry's digest"), max_length=64, blank=True)
    digest = models.CharField(_("digest of this entry"), max_length=64, unique=True)

    objects = ProofQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("proof of publication entry")
        verbose_name_plural = _("proof of publication")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("The proof log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("The proof log is append-only.")

    def content(self) -> dict[str, Any]:
        """What the digest covers, as it was recorded."""
        return {
            "notice": self.notice_id,
            "at": self.at.astimezone(UTC).isoformat(),
            "kind": self.kind,
            "text_sha256": self.text_sha256,
            "attachments": self.attachments,
            "previous": self.previous,
        }

    def compute_digest(self) -> str:
        canonical = json.dumps(self.content(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    @property
    def actor(self) -> str:
        if self.by_system:
            return str(self.get_by_system_display())
        return str(self.by) if self.by_id else ""


class NoticeLogEntry(LogEntry):
    notice = models.ForeignKey(
        Notice,
        verbose_name=_("notice"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="log",
    )

    class Meta(LogEntry.Meta):
        verbose_name = _("notice log entry")
        verbose_name_plural = _("notice log")

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.notice}"
