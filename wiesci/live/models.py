"""Live coverage (relacja na żywo): an article that carries timestamped
updates, newest first, under a box of key facts, while its story unfolds.

Coverage belongs to one article and lives beside it: while it is live the
article's title carries the [NA ŻYWO] label; once it ends the page is an
ordinary article that keeps its updates. Updates are short plain text typed
on a phone (paragraphs and links are made at display), with an optional
photo or video from the photo library.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wiesci.articles.models import Article
from wiesci.core import editorial
from wiesci.core.actors import SYSTEM_ACTORS
from wiesci.photos.models import Photo, Video

# The editorial label the title carries while coverage is live.
MARKER = "NA ŻYWO"
MAX_UPDATE_CHARACTERS = 3000
MAX_FACT_CHARACTERS = 2000
# How many of the newest updates the readers' poll carries: a reader away
# for longer gets the page again.
POLL_UPDATES = 20

ACTOR_CHOICES = [(actor.name, actor.label) for actor in SYSTEM_ACTORS.values()]


def _by(related_name: str, verbose_name: Any) -> Any:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name=related_name,
    )


class Coverage(models.Model):
    """The live coverage of one article."""

    article = models.OneToOneField(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="live_coverage",
    )
    key_facts = models.TextField(
        _("key facts"),
        blank=True,
        max_length=MAX_FACT_CHARACTERS,
        help_text=_("One fact per line, shown in a box above the updates."),
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    changed_at = models.DateTimeField(
        _("last change"),
        default=timezone.now,
        editable=False,
        help_text="Moves with every change readers see: updates, facts, the end.",
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("live coverage")
        verbose_name_plural = pgettext_lazy("plural", "live coverage")
        permissions = [
            ("run_coverage", _("Can start and end live coverage and edit key facts")),
        ]

    def __str__(self) -> str:
        return self.article.title

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    @property
    def facts(self) -> list[str]:
        return [line.strip() for line in self.key_facts.splitlines() if line.strip()]

    def poll_url(self) -> str:
        return reverse("live:poll", kwargs={"article": self.article_id})


class Update(models.Model):
    """One timestamped entry of the coverage."""

    coverage = models.ForeignKey(
        Coverage,
        verbose_name=_("live coverage"),
        on_delete=models.CASCADE,
        related_name="updates",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    text = models.TextField(_("text"), max_length=MAX_UPDATE_CHARACTERS, blank=True)
    photo = models.ForeignKey(
        Photo,
        verbose_name=_("photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    video = models.ForeignKey(
        Video,
        verbose_name=_("video"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    byline = models.CharField(_("author"), max_length=120, blank=True)
    created_by = _by("+", _("added by"))
    created_by_system = models.CharField(
        _("added by the system"), max_length=12, blank=True, choices=ACTOR_CHOICES
    )
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("live update")
        verbose_name_plural = _("live updates")
        indexes = [models.Index(fields=["coverage", "-at", "-id"], name="live_newest")]

    def __str__(self) -> str:
        return f"{self.at:%H:%M} {self.text[:60]}"

    @property
    def anchor(self) -> str:
        """The id of the update on the article page: `#wpis-12`."""
        return f"wpis-{self.pk}"


class LogEntry(editorial.LogEntry):
    """Who did what to a coverage, and when: every write names its author."""

    class Action(models.TextChoices):
        STARTED = "started", _("coverage started")
        ENDED = "ended", _("coverage ended")
        RESUMED = "resumed", _("coverage resumed")
        FACTS = "facts", _("key facts changed")
        ADDED = "added", _("update added")
        EDITED = "edited", _("update edited")
        DELETED = "deleted", _("update deleted")

    coverage = models.ForeignKey(
        Coverage,
        verbose_name=_("live coverage"),
        on_delete=models.CASCADE,
        related_name="log",
    )
    action = models.CharField(_("action"), max_length=12, choices=Action)

    class Meta(editorial.LogEntry.Meta):
        verbose_name = _("live coverage log entry")
        verbose_name_plural = _("live coverage log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
