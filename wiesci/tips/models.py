"""Readers' tips ("Dodaj informację"): what a reader saw, their photos or
video, how to reach them, and what the newsroom did with it.

A tip needs no account. Its files are kept in private storage only, with
whatever metadata the reader's phone wrote (GPS among it): no URL leads to
them, and the newsroom sees photos through a staff-only preview re-encoded
without it (`previews.py`).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wiesci.core.storage import private_files

# Photos one tip may carry (or one video instead).
MAX_PHOTOS = 10
# Letters and digits a reader cannot mistake for one another on the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    """`K7QM-3XPA`: random, so it tells no one how many tips came in."""
    letters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def private_storage() -> Any:
    return private_files


def attachment_path(instance: TipAttachment, filename: str) -> str:
    # Neither the reader's file name nor the tip's reference: a random name.
    extension = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"tips/{secrets.token_hex(16)}.{extension}"


class TipQuerySet(models.QuerySet["Tip"]):
    def waiting(self) -> TipQuerySet:
        """Tips nobody has dealt with yet: new or being checked."""
        return self.filter(status__in=[Tip.Status.NEW, Tip.Status.CHECKING])


class Tip(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("tip status", "new")
        CHECKING = "checking", pgettext_lazy("tip status", "being checked")
        USED = "used", pgettext_lazy("tip status", "used")
        REJECTED = "rejected", pgettext_lazy("tip status", "turned down")

    reference = models.CharField(
        _("tip number"),
        max_length=9,
        unique=True,
        default=new_reference,
        editable=False,
    )
    text = models.TextField(_("what happened"))
    place = models.CharField(_("where it happened"), max_length=200, blank=True)
    happened = models.CharField(_("when it happened"), max_length=100, blank=True)
    name = models.CharField(_("reader's name"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail address"), max_length=254, blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    # The wording each consent had when the reader gave it.
    terms_text = models.TextField(_("acknowledgement given"))
    credit_consent = models.BooleanField(
        _("agrees to be named"),
        default=False,
        help_text=_("The reader agreed to have their name published with the tip."),
    )
    credit_consent_text = models.TextField(_("consent to be named"), blank=True)
    consent_version = models.CharField(_("consent version"), max_length=20)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.NEW,
        db_index=True,
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tips",
    )
    note = models.TextField(_("newsroom's note"), blank=True)
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tips",
        editable=False,
    )

    objects = TipQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reader's tip")
        verbose_name_plural = _("readers' tips")
        permissions = [
            ("view_tip_contact", _("Can see how to reach the reader who sent a tip")),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def credit(self) -> str:
        """The name to publish with the tip's material, if the reader agreed."""
        return self.name.strip() if self.credit_consent else ""


class TipAttachment(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        VIDEO = "video", _("video")

    tip = models.ForeignKey(
        Tip,
        verbose_name=_("reader's tip"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    file = models.FileField(
        _("file kept privately"),
        storage=private_storage,
        upload_to=attachment_path,
        max_length=200,
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["tip", "position", "pk"]
        verbose_name = _("tip's file")
        verbose_name_plural = _("tip's files")

    def __str__(self) -> str:
        return f"{self.tip_id}/{self.position}"


class TipEvent(models.Model):
    """One step in a tip's life, and who took it."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("tip received")
        STATUS = "status", _("status changed")
        ASSIGNED = "assigned", _("assigned to someone")
        NOTE = "note", _("note changed")
        DRAFTED = "drafted", _("turned into a draft")

    tip = models.ForeignKey(
        Tip,
        verbose_name=_("reader's tip"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    detail = models.CharField(_("details of the change"), max_length=200, blank=True)
    # A staff member, a system actor (`core.actors`) by its name, or, with
    # neither, the reader who sent the tip.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_system = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(_("time of the change"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("tip's history entry")
        verbose_name_plural = _("tip's history")

    def __str__(self) -> str:
        return f"{self.tip_id}: {self.action}"
