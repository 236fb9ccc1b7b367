"""Official notices: their period, their archive and the issuer's proof."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection

from wiesci.core.actors import COMMAND, SCHEDULER
from wiesci.core.editorial import NotAllowed
from wiesci.notices import caching, services
from wiesci.notices.models import Notice, ProofEntry
from wiesci.taxonomy.models import Organisation, Place

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MONDAY = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def town_hall() -> Organisation:
    return Organisation.objects.create(name="Urząd Miasta Racibórz", kind="office")


def notice(town_hall: Organisation, *, until: date, by: object = COMMAND) -> Notice:
    row = Notice(
        title="Wykaz nieruchomości przeznaczonych do sprzedaży",
        issuer=town_hall,
        reference="GN.6840.3.2026",
        body="Prezydent Miasta podaje do wiadomości wykaz.\n\nDziałka nr 12.",
        stays_until=until,
    )
    row.save()
    services.record_notice_saved(row, by=by, created=True)
    return row


def attach(row: Notice, data: bytes = PDF, title: str = "Wykaz") -> Any:
    return services.add_attachment(
        row, file=ContentFile(data, name="wykaz.pdf"), title=title, by=COMMAND
    )


def test_proof_hash_changes_when_any_attachment_changes(town_hall) -> None:
    with time_machine.travel(MONDAY, tick=False):
        row = notice(town_hall, until=date(2026, 12, 28))
        first = attach(row)
        attach(row, PDF + b"% mapa\n", title="Mapa")
        services.publish_notice(row, by=COMMAND)
        published = row.proof.get()
        assert published.kind == ProofEntry.Kind.PUBLISHED
        assert [a["sha256"] for a in published.attachments] == [
            hashlib.sha256(PDF).hexdigest(),
            hashlib.sha256(PDF + b"% mapa\n").hexdigest(),
        ]
        # The first attachment replaced by a corrected file, text unchanged.
        first.file = ContentFile(PDF + b"% poprawka\n", name="wykaz-poprawiony.pdf")
        first.save()
        services.record_notice_saved(row, by=COMMAND, created=False)
    changed = row.proof.order_by("at", "pk").last()
    assert changed is not None
    assert changed.kind == ProofEntry.Kind.CHANGED
    assert changed.text_sha256 == published.text_sha256
    assert (
        changed.attachments[0]["sha256"]
        == hashlib.sha256(PDF + b"% poprawka\n").hexdigest()
    )
    assert changed.attachments[1] == published.attachments[1]
    assert changed.digest != published.digest and changed.previous == published.digest
    # Saving again with nothing changed adds nothing.
    services.record_notice_saved(row, by=COMMAND, created=False)
    assert row.proof.count() == 2


def test_notice_leaves_current_at_its_end_and_stays_in_the_archive(
    client, town_hall
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        row = notice(town_hall, until=date(2026, 12, 9))
        services.publish_notice(row, by=COMMAND)
        assert list(Notice.objects.current()) == [row]
        assert row.title in client.get("/ogloszenia/").content.decode()
        # Stored pages may not outlive the end of the period.
        assert (
            caching.next_change() == datetime(2026, 12, 9, 23, tzinfo=UTC).timestamp()
        )
    # The last day still counts; the next morning, with no command run:
    with time_machine.travel(datetime(2026, 12, 9, 22, 59, tzinfo=UTC), tick=False):
        assert Notice.objects.current().exists()
    with time_machine.travel(datetime(2026, 12, 10, 7, 0, tzinfo=UTC), tick=False):
        assert not Notice.objects.current().exists()
        assert list(Notice.objects.archived()) == [row]
        assert row.title not in client.get("/ogloszenia/").content.decode()
        assert row.title in client.get("/ogloszenia/archiwum/").content.decode()
        page = client.get(row.get_absolute_url()).content.decode()
        assert "Okres publikacji zakończył się 9 grudnia 2026" in page
        # The worker's job records the end in the proof, once.
        assert services.record_ended_periods(by=SCHEDULER) == 1
        assert services.record_ended_periods(by=SCHEDULER) == 0
    assert [entry.kind for entry in row.proof.order_by("at")] == ["published", "ended"]


def test_withdrawn_notice_keeps_its_proof_in_the_archive(client, town_hall, editor):
    with time_machine.travel(MONDAY, tick=False):
        row = notice(town_hall, until=date(2026, 12, 28))
        services.publish_notice(row, by=editor)
    with time_machine.travel(MONDAY + timedelta(hours=3), tick=False):
        services.withdraw_notice(row, by=editor, note="Błąd w numerze działki.")
        assert not Notice.objects.current().exists()
        assert row.title in client.get("/ogloszenia/archiwum/").content.decode()
        proof = client.get(f"{row.get_absolute_url()}potwierdzenie/").content.decode()
    assert (
        "<strong>Publikacja</strong>" in proof and "<strong>Wycofanie</strong>" in proof
    )
    assert "7 grudnia 2026, 10:00:00" in proof and "7 grudnia 2026, 13:00:00" in proof
    with pytest.raises(ValidationError):
        services.publish_notice(row, by=editor)


def test_proof_page_shows_what_an_issuer_can_check(client, town_hall) -> None:
    with time_machine.travel(MONDAY, tick=False):
        row = notice(town_hall, until=date(2026, 12, 28))
        attach(row)
        services.publish_notice(row, by=COMMAND)
        page = client.get(f"{row.get_absolute_url()}potwierdzenie/").content.decode()
        text = client.get(f"{row.get_absolute_url()}tresc.txt").content
    assert hashlib.sha256(PDF).hexdigest() in page
    assert hashlib.sha256(text).hexdigest() in page
    assert "Dziennik jest kompletny" in page
    # A changed row of the log, written past the application, is noticed.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE notices_proofentry SET text_sha256 = %s", ["0" * 64])
    with time_machine.travel(MONDAY, tick=False):
        page = client.get(f"{row.get_absolute_url()}potwierdzenie/").content.decode()
    assert "Uwaga: dziennik nie zgadza się" in page


def test_proof_log_is_append_only(town_hall) -> None:
    with time_machine.travel(MONDAY, tick=False):
        row = notice(town_hall, until=date(2026, 12, 28))
        services.publish_notice(row, by=COMMAND)
    entry = row.proof.get()
    entry.kind = ProofEntry.Kind.WITHDRAWN
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        ProofEntry.objects.filter(notice=row).update(kind="withdrawn")
    with pytest.raises(ValidationError):
        ProofEntry.objects.filter(notice=row).delete()


def test_attachment_must_be_a_pdf(town_hall) -> None:
    row = notice(town_hall, until=date(2099, 1, 1))
    with pytest.raises(ValidationError) as refused:
        attach(row, b"<html>nie pdf</html>")
    assert "To nie jest plik PDF" in " ".join(refused.value.messages)
    assert not row.attachments.exists()


def test_journalist_drafts_and_an_editor_publishes(town_hall, journalist, editor):
    row = notice(town_hall, until=date(2099, 1, 1), by=journalist)
    services.submit_notice(row, by=journalist)
    with pytest.raises(NotAllowed):
        services.publish_notice(row, by=journalist)
    services.publish_notice(row, by=editor)
    assert row.proof.get().by == editor


def test_place_and_issuer_pages_show_current_notices(client, town_hall) -> None:
    place = Place.objects.create(name="Racibórz", gmina="Racibórz", kind="town")
    with time_machine.travel(MONDAY, tick=False):
        row = notice(town_hall, until=date(2026, 12, 28))
        row.places.add(place)
        services.publish_notice(row, by=COMMAND)
        place_page = client.get(place.get_absolute_url()).content.decode()
        issuer_page = client.get(town_hall.get_absolute_url()).content.decode()
    assert "Ogłoszenia urzędowe w Raciborzu" in place_page and row.title in place_page
    assert row.title in issuer_page
    assert re.search(r"\[OGŁOSZENIE URZĘDOWE\]</span> Wykaz", place_page)


def test_sitemap_lists_readable_notices_only(client, town_hall) -> None:
    with time_machine.travel(MONDAY, tick=False):
        public = notice(town_hall, until=date(2026, 12, 28))
        services.publish_notice(public, by=COMMAND)
        draft = Notice(
            title="Szkic ogłoszenia",
            issuer=town_hall,
            body="Treść.",
            stays_until=date(2026, 12, 28),
        )
        draft.save()
        body = client.get("/sitemap-strony.xml").content.decode()
    assert f"{public.get_absolute_url()}</loc>" in body
    assert draft.get_absolute_url() not in body


def test_editors_see_notices_waiting_for_review(client, town_hall, journalist, editor):
    row = notice(town_hall, until=date(2099, 1, 1), by=journalist)
    services.submit_notice(row, by=journalist)
    client.force_login(editor)
    desk = client.get("/admin/").content.decode()
    assert "Ogłoszenia urzędowe do sprawdzenia" in desk and row.title in desk
    client.force_login(journalist)
    assert (
        "Ogłoszenia urzędowe do sprawdzenia"
        not in client.get("/admin/").content.decode()
    )


def test_a_change_after_the_period_is_in_the_proof_too(town_hall) -> None:
    with time_machine.travel(MONDAY, tick=False):
        row = notice(town_hall, until=date(2026, 12, 9))
        services.publish_notice(row, by=COMMAND)
    with time_machine.travel(datetime(2026, 12, 20, 8, tzinfo=UTC), tick=False):
        row.body += "\n\nSprostowanie: działka nr 13."
        row.save()
        services.record_notice_saved(row, by=COMMAND, created=False)
    kinds = [entry.kind for entry in row.proof.order_by("at", "pk")]
    assert kinds == ["published", "changed"]
    last = row.proof.order_by("at", "pk").last()
    assert last is not None and last.text_sha256 == row.text_sha256()
