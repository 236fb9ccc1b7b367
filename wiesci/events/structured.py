"""The event as search engines read it: schema.org `Event` in JSON-LD."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.html import strip_tags

from wiesci.distribution.structured import absolute
from wiesci.events.models import Event


def _when(event: Event, moment: Any, day: Any) -> str:
    if event.all_day:
        return str(day.isoformat())
    return str(timezone.localtime(moment).replace(microsecond=0).isoformat())


def event_data(event: Event) -> dict[str, Any]:
    place: dict[str, Any] = {"@type": "Place"}
    if event.venue is not None:
        place["name"] = event.venue.name
    elif event.place is not None:
        place["name"] = event.place.name
    address: dict[str, Any] = {"@type": "PostalAddress", "addressCountry": "PL"}
    if event.address:
        address["streetAddress"] = event.address
    if event.place is not None:
        address["addressLocality"] = event.place.name
    place["address"] = address
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "url": absolute(event.get_absolute_url()),
        "startDate": _when(event, event.starts_at, event.first_day),
        "endDate": _when(event, event.over_at, event.last_day),
        "eventStatus": "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": place,
        "isAccessibleForFree": event.is_free,
    }
    description = strip_tags(event.description).strip()
    if description:
        data["description"] = description[:500]
    organisers = list(event.organisers.all())
    if organisers:
        data["organizer"] = [
            {
                "@type": "Organization",
                "name": organisation.name,
                "url": organisation.website
                or absolute(organisation.get_absolute_url()),
            }
            for organisation in organisers
        ]
    if event.is_free:
        data["offers"] = {"@type": "Offer", "price": "0", "priceCurrency": "PLN"}
    elif event.link:
        data["offers"] = {"@type": "Offer", "url": event.link}
    if event.photo is not None:
        image = event.photo.public_file("article")
        if image is not None:
            data["image"] = [absolute(image.url)]
    return data
