"""Newsletter subscribers: an address, where its double opt-in stands, and
why it no longer gets mail.

No account is needed, and nothing about the reader is kept but the address,
when it signed up and confirmed, and the wording of the consent it gave: no
client address, no opens, no clicks.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
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
