"""Events: what happens where and when, the preview that announces it and
the report that covers it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wiesci.articles.models import Article
from wiesci.core.editorial import Editorial, LogEntry, Status
from wiesci.photos.models import Photo
from wiesci.taxonomy.models import Organisation, Place

# An event given without its end is taken to last this long.
DEFAULT_LENGTH = timedelta(hours=2)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class EventQuerySet(models.QuerySet["Event"]):
    def published(self) -> EventQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def between(self, start: datetime, end: datetime) -> EventQuerySet:
        """Events under way at any moment from `start` to `end`."""
        return self.filter(starts_at__lt=end, over_at__gt=start)

    def upcoming(self, *, now: datetime | None = None) -> EventQuerySet:
        """Not over yet: under way or still to come."""
        return self.filter(over_at__gt=now or timezone.now())

    def past(self, *, now: datetime | None = None) -> EventQuerySet:
        return self.filter(over_at__lte=now or timezone.now())

    def needing_report(self, *, now: datetime | None = None) -> EventQuerySet:
        """Public events that are over and that no report article covers yet."""
        return self.published().past(now=now).filter(report__isnull=True)

    def in_order(self) -> EventQuerySet:
        return self.order_by("starts_at", "pk")

    def for_lists(self) -> EventQuerySet:
        """Everything an event's card shows, in one query."""
        return self.select_related("place", "venue", "venue__place", "photo")


class Event(Editorial):
    class Kind(models.TextChoices):
        CONCERT = "concert", _("concert")
        FESTIVAL = "festival", _("festival or fair")
        EXHIBITION = "exhibition", _("exhibition")
        STAGE = "stage", _("theatre or cinema")
        MEETING = "meeting", _("meeting or lecture")
        SPORT = "sport", _("sport")
        CHILDREN = "children", _("for children")
        COMMUNITY = "community", _("community and council")
        OTHER = "other", _("other")

    SLUG_FALLBACK = "wydarzenie"

    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.OTHER)
    starts_at = models.DateTimeField(
        _("starts"), help_text=_("Time in Poland. For an all-day event, the first day.")
    )
    ends_at = models.DateTimeField(
        _("ends"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. For an all-day event of several days, the last day. "
            "Without it, an event is taken to last two hours."
        ),
    )
    all_day = models.BooleanField(
        _("all day"), default=False, help_text=_("Whole days, with no hours.")
    )
    over_at = models.DateTimeField(
        _("over"),
        editable=False,
        db_index=True,
        help_text="When the event is over: the end, the end of its last day, or "
        "two hours after a start given alone. Lists and feeds filter on it.",
    )
    venue = models.ForeignKey(
        Organisation,
        verbose_name=_("venue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
        help_text=_("The organisation whose building it takes place in, if any."),
    )
    place = models.ForeignKey(
        Place,
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
        help_text=_("Taken from the venue when left empty."),
    )
    address = models.CharField(
        _("address"),
        max_length=200,
        blank=True,
        help_text=_("Street and number, or a place such as “the market square”."),
    )
    organisers = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisers"),
        blank=True,
        related_name="organised_events",
    )
    is_free = models.BooleanField(_("free admission"), default=False)
    price = models.CharField(
        _("price"),
        max_length=120,
        blank=True,
        help_text=_("As readers should read it: “20 zł, ulgowy 10 zł”."),
    )
    link = models.URLField(
        _("link"), blank=True, help_text=_("Tickets or the organiser's page.")
    )
    description = models.TextField(_("description"), blank=True)
    photo = models.ForeignKey(
        Photo,
        verbose_name=_("photo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    preview = models.ForeignKey(
        Article,
        verbose_name=_("preview article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="previewed_events",
        help_text=_("The story that announces it, usually labelled ZAPOWIEDŹ."),
    )
    report = models.ForeignKey(
        Article,
        verbose_name=_("report article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_events",
        help_text=_("The story that covers it afterwards."),
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        permissions = [("publish_event", _("Can publish and withdraw events"))]
        indexes = [
            models.Index(fields=["status", "starts_at"], name="events_status_start"),
            models.Index(fields=["status", "over_at"], name="events_status_over"),
            # The few events over and still waiting for their report.
            models.Index(
                fields=["over_at"],
                condition=Q(report__isnull=True, status="published"),
                name="events_needing_report",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(ends_at__gte=models.F("starts_at")),
                name="events_end_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.place_id is None and self.venue is not None:
            self.place_id = self.venue.place_id
        if self.all_day:
            self.starts_at = local_midnight(timezone.localdate(self.starts_at))
        self.over_at = self.end_moment()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "starts_at", "over_at", "place"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError(
                {"ends_at": _("An event cannot end before it starts.")}
            )
        if self.place_id is None and self.venue_id is None:
            raise ValidationError(
                {"place": _("Say where it happens: a venue or a place.")}
            )

    def get_absolute_url(self) -> str:
        return reverse("events:detail", kwargs={"slug": self.slug})

    @property
    def first_day(self) -> date:
        return timezone.localdate(self.starts_at)

    @property
    def last_day(self) -> date:
        """The local day the event ends on (an end at midnight ends the day before)."""
        return timezone.localdate(self.over_at - timedelta(microseconds=1))

    @property
    def several_days(self) -> bool:
        return self.last_day > self.first_day

    def end_moment(self) -> datetime:
        if self.all_day:
            last = timezone.localdate(self.ends_at or self.starts_at)
            return local_midnight(last + timedelta(days=1))
        return self.ends_at or self.starts_at + DEFAULT_LENGTH

    def is_over(self, *, now: datetime | None = None) -> bool:
        return self.over_at <= (now or timezone.now())

    @property
    def where(self) -> str:
        """ "Biblioteka, ul. Kasprowicza 12, Racibórz", as a card shows it."""
        parts = [self.venue.display_name] if self.venue else []
        if self.address:
            parts.append(self.address)
        if self.place and not (self.address and self.place.name in self.address):
            parts.append(self.place.name)
        return ", ".join(parts)


class EventLogEntry(LogEntry):
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="log",
    )

    class Meta(LogEntry.Meta):
        verbose_name = _("event log entry")
        verbose_name_plural = _("event log")

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.event}"
