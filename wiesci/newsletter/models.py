"""Newsletter subscribers, the digests sent to them and each delivery.

No account is needed, and nothing about the reader is kept but the address,
how often it wants mail, when it signed up and confirmed, and the wording of
the consent it gave: no client address, no opens, no clicks. A `Delivery` row
records only whether the worker handed a digest to the mail server, so that a
restarted worker neither skips an address nor mails it twice.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubscriberQuerySet(models.QuerySet["Subscriber"]):
    def confirmed(self) -> SubscriberQuerySet:
        """Addresses a newsletter may go to: confirmed, neither left nor suppressed."""
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def with_email(self, email: str) -> SubscriberQuerySet:
        return self.filter(email__iexact=email.strip())


def new_key() -> str:
    return secrets.token_urlsafe(24)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for confirmation")
        CONFIRMED = "confirmed", _("confirmed")
        UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
        SUPPRESSED = "suppressed", _("suppressed")

    class Frequency(models.TextChoices):
        DAILY = "daily", _("every morning")
        WEEKLY = "weekly", _("once a week")

    class Reason(models.TextChoices):
        NONE = "", _("none")
        UNSUBSCRIBED = "unsubscribed", _("the reader unsubscribed")
        BOUNCE = "bounce", _("mail bounced")
        COMPLAINT = "complaint", _("spam complaint")
        EDITOR = "editor", _("suppressed by the newsroom")

    email = models.EmailField(_("e-mail address"), max_length=254)
    # What the links in mail sign: neither the row's id nor the address.
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(
        _("reason"), max_length=16, choices=Reason.choices, blank=True, default=""
    )
    frequency = models.CharField(
        _("how often"),
        max_length=8,
        choices=Frequency.choices,
        default=Frequency.DAILY,
    )
    consent_text = models.TextField(_("consent given"), blank=True)
    consent_version = models.CharField(_("consent version"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    ended_at = models.DateTimeField(
        _("unsubscribed or suppressed at"), null=True, blank=True
    )
    confirmation_sent_at = models.DateTimeField(
        _("confirmation last sent at"), null=True, blank=True
    )
    # Who made the last change: a user of the portal, a system actor
    # (`core.actors`), or, with neither, the address's owner by a signed link.
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    changed_by_system = models.CharField(max_length=20, blank=True, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), name="newsletter_subscriber_email_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class DigestQuerySet(models.QuerySet["Digest"]):
    def due(self, *, now: datetime) -> DigestQuerySet:
        """Scheduled digests whose sending time has come."""
        return self.filter(status=Digest.Status.SCHEDULED, send_at__lte=now)


class Digest(models.Model):
    """One edition of the daily or weekly newsletter.

    Its stories are the ones published in [covers_from, covers_until), read
    afresh for every preview until the worker starts sending; then the
    message is rendered once and kept (`subject`, `html`, `text`), so every
    address gets the same edition. The newsroom may add an intro and pick
    the top story; a digest a person has changed goes out only after a test
    of that very version and an editor's approval (see `services`).
    """

    class Kind(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")

    class Status(models.TextChoices):
        DRAFT = "draft", _("waiting for approval")
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        SKIPPED = "skipped", _("not sent")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    send_at = models.DateTimeField(_("to be sent at"))
    covers_from = models.DateTimeField(_("stories published from"))
    covers_until = models.DateTimeField(_("stories published until"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    intro = models.TextField(
        _("intro"),
        blank=True,
        help_text=_(
            "A few words from the newsroom above the stories; empty paragraphs "
            "separate paragraphs."
        ),
    )
    top_story = models.ForeignKey(
        "articles.Article",
        verbose_name=_("top story"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Shown first and larger; the featured story when left empty."),
    )
    # Bumped by every change a person makes; a test send records the version
    # it showed, and approval needs the two to match.
    version = models.PositiveIntegerField(default=1, editable=False)
    tested_version = models.PositiveIntegerField(default=0, editable=False)
    tested_at = models.DateTimeField(_("last test sent at"), null=True, blank=True)
    tested_to = models.EmailField(_("last test sent to"), blank=True)
    # What went out, rendered once when sending started; the placeholder
    # stands for each address's own unsubscribe link.
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    html = models.TextField(blank=True, editable=False)
    text = models.TextField(blank=True, editable=False)
    article_ids = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("sending started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished at"), null=True, blank=True)
    # When the worker last took a batch: a digest in SENDING with none for a
    # while lost its worker (see `services.recover_stalled`).
    progress_at = models.DateTimeField(null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    changed_by_system = models.CharField(max_length=20, blank=True, editable=False)

    objects = DigestQuerySet.as_manager()

    class Meta:
        verbose_name = _("newsletter digest")
        verbose_name_plural = _("newsletter digests")
        ordering = ["-send_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "send_at"], name="newsletter_digest_once"
            ),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.send_at)
        return f"{self.get_kind_display()} {when:%Y-%m-%d %H:%M}"

    @property
    def frequency(self) -> str:
        """The subscribers' choice this digest goes to."""
        return (
            Subscriber.Frequency.DAILY
            if self.kind == self.Kind.DAILY
            else Subscriber.Frequency.WEEKLY
        )

    @property
    def is_tested(self) -> bool:
        return self.tested_version == self.version


class Delivery(models.Model):
    """One digest for one address: waiting, taken by a worker, or done.

    A worker takes a batch of waiting rows (`CLAIMED`), marks each `SENDING`
    just before handing it to the mail server and `SENT` right after. A
    worker that stopped leaves its claimed rows, which go back to waiting
    (never tried, so safe to send), and at most one row per worker in
    `SENDING`, which becomes `UNKNOWN`: it may have gone, so it is not sent
    again.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        CLAIMED = "claimed", _("taken by the worker")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("refused by the mail server")
        UNKNOWN = "unknown", _("interrupted: may have been sent")
        CANCELLED = "cancelled", _("not sent: the address left the list")

    digest = models.ForeignKey(
        Digest, on_delete=models.CASCADE, related_name="deliveries"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.WAITING
    )
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["digest", "subscriber"], name="newsletter_delivery_once"
            ),
        ]
        indexes = [models.Index(fields=["digest", "status"])]

    # Rows a worker has yet to finish: the digest is sent once none is left.
    OPEN = (Status.WAITING, Status.CLAIMED, Status.SENDING)

    def __str__(self) -> str:
        return f"{self.digest} → {self.subscriber}"
