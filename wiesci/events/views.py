"""The calendar's pages and feeds: parse the address, ask the queryset, render."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from wiesci import conf
from wiesci.articles.views import paginate
from wiesci.events import calendar, ical
from wiesci.events.calendar import Filters, Period
from wiesci.events.models import Event
from wiesci.taxonomy.models import Organisation, Place

# The pages that read the calendar's filters; the lists also `strona`.
PAGINATED = {"events:upcoming", "events:archive"}
FILTERED = {"events:period", "events:month", "events:feed"}
EVENTS_PER_PAGE = 30


def _view_name(path: str) -> str:
    try:
        return resolve(path).view_name
    except Resolver404:
        return ""


def is_filtered(path: str) -> bool:
    return _view_name(path) in FILTERED


def is_paginated(path: str) -> bool:
    return _view_name(path) in PAGINATED


def canonical_list_query(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return calendar.canonical_filters(pairs, paginated=True)


def _public() -> Any:
    return Event.objects.published()


def _choices() -> dict[str, Any]:
    """What the filter form and the tabs offer: places and organisations with
    public events, this month."""
    public = _public().values("pk")
    return {
        "this_month": calendar.today().replace(day=1),
        "places": Place.objects.filter(events__in=public)
        .distinct()
        .only("name", "slug"),
        "organisations": (
            Organisation.objects.filter(organised_events__in=public)
            .distinct()
            .only("name", "short_name", "slug")
        ),
        "kinds": Event.Kind.choices,
    }


def _render_list(
    request: HttpRequest,
    filters: Filters,
    *,
    heading: str,
    period: Period | None,
    current: str,
    events: Any,
    since: date,
    page: Any = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    rows = page.object_list if page is not None else events
    context = {
        "heading": heading,
        "period": period,
        "current": current,
        "filters": filters,
        "days": calendar.by_day(list(rows), since=since),
        "page": page,
        "today": calendar.today(),
        "feed_url": _feed_url(filters),
        **_choices(),
        **(extra or {}),
    }
    return render(request, "events/calendar.html", context)


def _feed_url(filters: Filters) -> str:
    if filters.place is not None and not (filters.kind or filters.organisation):
        return reverse("events:place_feed", kwargs={"slug": filters.place.slug})
    if filters.organisation is not None and not (filters.kind or filters.place):
        return reverse(
            "events:organisation_feed", kwargs={"slug": filters.organisation.slug}
        )
    base = reverse("events:feed")
    return f"{base}?{filters.query}" if filters else base


def upcoming(request: HttpRequest) -> HttpResponse:
    """Everything still to come, day by day."""
    filters = Filters.from_query(request.GET)
    events = calendar.for_cards(filters.apply(_public().upcoming())).in_order()
    return _render_list(
        request,
        filters,
        heading=_("Event calendar"),
        period=None,
        current="upcoming",
        events=events,
        since=calendar.today(),
        page=paginate(request, events, per_page=EVENTS_PER_PAGE),
    )


def period(request: HttpRequest, name: str) -> HttpResponse:
    day = calendar.today()
    periods = {
        "dzis": ("today", Period(day, day)),
        "weekend": ("weekend", calendar.this_weekend(day)),
        "tydzien": ("week", calendar.this_week(day)),
    }
    if name not in periods:
        raise Http404
    key, span = periods[name]
    filters = Filters.from_query(request.GET)
    events = calendar.for_cards(
        filters.apply(_public().between(span.start, span.end))
    ).in_order()
    return _render_list(
        request,
        filters,
        heading=str(calendar.PERIOD_TITLES[key]),
        period=span,
        current=key,
        events=events[: conf.PAGE_SIZE * 10],
        since=span.first,
    )


def month(request: HttpRequest, year: int, number: int) -> HttpResponse:
    if not (1 <= number <= 12 and 2000 <= year <= 2100):
        raise Http404
    span = calendar.month(year, number)
    filters = Filters.from_query(request.GET)
    events = calendar.for_cards(
        filters.apply(_public().between(span.start, span.end))
    ).in_order()
    previous = (span.first.replace(day=1) - timedelta(days=1)).replace(day=1)
    following = span.last + timedelta(days=1)
    return _render_list(
        request,
        filters,
        heading=_("Events: %(month)s") % {"month": _month_name(span.first)},
        period=span,
        current="month",
        events=events[: conf.PAGE_SIZE * 20],
        since=span.first,
        extra={"previous_month": previous, "next_month": following},
    )


def _month_name(day: date) -> str:
    from django.utils.dateformat import format as date_format

    return date_format(day, "F Y")


def archive(request: HttpRequest) -> HttpResponse:
    """Events that are over, the latest first."""
    filters = Filters.from_query(request.GET)
    events = calendar.for_cards(filters.apply(_public().past())).order_by(
        "-starts_at", "-pk"
    )
    page = paginate(request, events, per_page=EVENTS_PER_PAGE)
    context = {
        "heading": _("Past events"),
        "current": "archive",
        "filters": filters,
        "page": page,
        "events": page.object_list,
        "feed_url": _feed_url(filters),
        **_choices(),
    }
    return render(request, "events/archive.html", context)


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(
        calendar.for_cards(_public()).select_related("preview", "report"), slug=slug
    )
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "is_over": event.is_over(),
            "preview_article": _public_article(event.preview),
            "report_article": _public_article(event.report),
        },
    )


def _public_article(article: Any) -> Any:
    return article if article is not None and article.is_public else None


def _ics(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(calendar.for_cards(_public()), slug=slug)
    body = ical.calendar([event], name=event.title)
    response = _ics(body, filename=f"{event.slug}.ics")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def feed(request: HttpRequest) -> HttpResponse:
    filters = Filters.from_query(request.GET)
    events = ical.feed_events(calendar.for_cards(filters.apply(_public())))
    return _ics(
        ical.calendar(events, name=_("%(portal)s: events") % {"portal": _portal()}),
        filename="wydarzenia.ics",
    )


def place_feed(request: HttpRequest, slug: str) -> HttpResponse:
    place = get_object_or_404(Place, slug=slug)
    events = ical.feed_events(calendar.for_cards(_public().filter(place=place)))
    name = _("Events %(phrase)s") % {"phrase": place.phrase_in}
    return _ics(ical.calendar(events, name=name), filename=f"{place.slug}.ics")


def organisation_feed(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, slug=slug)
    events = ical.feed_events(
        calendar.for_cards(Filters(organisation=organisation).apply(_public()))
    )
    name = _("Events: %(organisation)s") % {"organisation": organisation.display_name}
    return _ics(ical.calendar(events, name=name), filename=f"{organisation.slug}.ics")


def _portal() -> str:
    from django.contrib.sites.models import Site

    return Site.objects.get_current().name


SITEMAP_EVENTS = 5000


def sitemap_pages() -> list[tuple[str, Any]]:
    """The calendar and the newest public events, for the sitemap: two queries."""
    from django.db.models import Max

    events = _public().order_by("-starts_at", "-pk")
    newest = events.aggregate(last=Max("modified_at"))["last"]
    found: list[tuple[str, Any]] = [
        (reverse("events:upcoming"), newest),
        (reverse("events:archive"), newest),
    ]
    for slug, modified in events.values_list("slug", "modified_at")[:SITEMAP_EVENTS]:
        found.append((reverse("events:detail", kwargs={"slug": slug}), modified))
    return found
