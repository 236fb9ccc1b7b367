"""Breaking-news notifications: the readers' browsers that asked for them,
and one broadcast per story and breaking period.

A subscription is what a browser's push service handed out (its address and
the two keys that encrypt for it), the sections it wants (none: all of them)
and, when a logged-in reader turned it on, who. Nothing else about the reader
is kept.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wiesci.articles.models import Article
from wiesci.taxonomy.models import Section


class PushSubscriptionQuerySet(models.QuerySet["PushSubscription"]):
    def for_section(self, section_id: int | None) -> PushSubscriptionQuerySet:
        """Subscriptions that want stories of the section: those that chose it
        and those that chose none (all sections)."""
        return self.filter(Q(sections__isnull=True) | Q(sections=section_id)).distinct()


class PushSubscription(models.Model):
    # Push services' addresses run to a few hundred characters.
    endpoint = models.URLField(_("push service address"), max_length=2000, unique=True)
    p256dh = models.CharField(_("browser's public key"), max_length=100)
    auth = models.CharField(_("browser's authentication secret"), max_length=50)
    sections = models.ManyToManyField(
        Section,
        verbose_name=_("sections"),
        blank=True,
        related_name="push_subscriptions",
        help_text=_("None: stories of every section."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        null=True,
        blank=True,
        # A reader who deletes the account takes the browsers' subscriptions along.
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    created_at = models.DateTimeField(_("turned on at"), auto_now_add=True)
    last_success_at = models.DateTimeField(
        _("last notification delivered at"), null=True, blank=True
    )
    failures = models.PositiveIntegerField(
        _("failed deliveries since the last success"), default=0
    )

    objects = PushSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        # The service's host says which browser family it is; the rest of the
        # address is a secret of the reader's browser.
        return f"{urlsplit(self.endpoint).hostname or '?'} #{self.pk}"

    def info(self) -> dict[str, object]:
        """The subscription as the Push API gives it (`PushSubscription.toJSON()`)."""
        return {
            "endpoint": self.endpoint,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }


class Broadcast(models.Model):
    """One story's push to every matching subscription, once per breaking period.

    `cursor` is the highest subscription id already handed to a sender:
    each batch is claimed by moving it with a conditional UPDATE before
    anything is sent, so a restarted or second worker never sends to the
    same subscription twice (at the price of a crash losing the batch in
    flight: for breaking news, one missed notification beats two).
    """

    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        null=True,
        # The record of what went out outlives the story.
        on_delete=models.SET_NULL,
        related_name="push_broadcasts",
    )
    breaking_until = models.DateTimeField(_("breaking news until"))
    text = models.CharField(_("notification text"), max_length=200)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    claimed_at = models.DateTimeField(
        _("last batch claimed at"), null=True, blank=True, editable=False
    )
    cursor = models.BigIntegerField(default=0, editable=False)
    sent_count = models.PositiveIntegerField(_("delivered"), default=0)
    removed_count = models.PositiveIntegerField(
        _("expired subscriptions removed"), default=0
    )
    failed_count = models.PositiveIntegerField(_("failed"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("push broadcast")
        verbose_name_plural = _("push broadcasts")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "breaking_until"],
                name="push_broadcast_once_per_period",
            ),
        ]
        indexes = [
            # The few unfinished ones a worker resumes.
            models.Index(
                fields=["claimed_at"],
                condition=Q(finished_at__isnull=True),
                name="push_broadcast_unfinished",
            ),
        ]

    def __str__(self) -> str:
        return self.text
