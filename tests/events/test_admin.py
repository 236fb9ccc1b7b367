"""The newsroom's screens for events and notices, used as the desk uses them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from wiesci.core.editorial import Status
from wiesci.events.models import Event
from wiesci.notices.models import Notice
from wiesci.taxonomy.models import Organisation, Place

pytestmark = pytest.mark.django_db


def event_form(place: Place, **extra: Any) -> dict[str, Any]:
    when = timezone.localtime() + timedelta(days=3)
    return {
        "title": "Dożynki gminne w Krzanowicach",
        "slug": "",
        "kind": "festival",
        "description": "Korowód, msza i festyn.",
        "starts_at_0": when.strftime("%Y-%m-%d"),
        "starts_at_1": "14:00:00",
        "ends_at_0": "",
        "ends_at_1": "",
        "place": place.pk,
        "address": "boisko LKS",
        "price": "",
        "link": "",
        **extra,
    }


def test_journalist_sends_an_event_for_review_and_the_editor_publishes_it(
    client, journalist, editor
) -> None:
    place = Place.objects.create(name="Krzanowice", gmina="Krzanowice")
    client.force_login(journalist)
    response = client.post(
        reverse("admin:events_event_add"), event_form(place, _transition="submit")
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert event.status == Status.IN_REVIEW and event.created_by == journalist
    # Not theirs to publish: the button is not there, and a forged one is refused.
    page = client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert 'value="publish"' not in page.content.decode()

    client.force_login(editor)
    change = reverse("admin:events_event_change", args=[event.pk])
    response = client.post(
        change, event_form(place, _transition="publish"), follow=True
    )
    assert "Opublikowano." in response.content.decode()
    event.refresh_from_db()
    assert event.status == Status.PUBLISHED
    log = [(e.action, e.by) for e in event.log.order_by("at", "pk")]
    assert log == [
        ("created", journalist),
        ("submitted", journalist),
        ("edited", editor),
        ("published", editor),
    ]
    assert client.get(event.get_absolute_url()).status_code == 200


def test_a_notice_attachment_that_is_not_a_pdf_is_refused_in_polish(
    client, editor
) -> None:
    issuer = Organisation.objects.create(name="Urząd Gminy Nędza", kind="office")
    client.force_login(editor)
    data = {
        "title": "Przerwa w dostawie wody",
        "slug": "",
        "issuer": issuer.pk,
        "reference": "GK.7021.1.2026",
        "stays_until": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "body": "W czwartek nie będzie wody w Nędzy.",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-0-title": "Mapa",
        "attachments-0-position": "0",
        "attachments-0-file": SimpleUploadedFile(
            "mapa.pdf", b"<html>to nie PDF</html>", content_type="application/pdf"
        ),
    }
    response = client.post(reverse("admin:notices_notice_add"), data)
    assert response.status_code == 200
    assert "To nie jest plik PDF" in response.content.decode()
    assert not Notice.objects.exists()
