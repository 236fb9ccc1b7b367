"""The daily and weekly digests: their stories, their two parts, the
newsroom's test and approval, and sending that survives a stopped worker."""

from __future__ import annotations

import re
import smtplib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail.backends.locmem import EmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wiesci.articles.services import add_to_gallery
from wiesci.core.actors import COMMAND, SCHEDULER, WORKER
from wiesci.newsletter import digests, services, tasks
from wiesci.newsletter.models import Delivery, Digest, Subscriber

pytestmark = pytest.mark.django_db


def subscribed(email: str, frequency: str = Subscriber.Frequency.DAILY) -> Subscriber:
    subscriber = services.subscribe(email, by=WORKER, frequency=frequency)
    return services.confirm(subscriber, by=WORKER)


def daily(send_at: datetime, **fields: Any) -> Digest:
    start, end = digests.period(Digest.Kind.DAILY, send_at)
    fields.setdefault("status", Digest.Status.SCHEDULED)
    return Digest.objects.create(
        kind=Digest.Kind.DAILY,
        send_at=send_at,
        covers_from=start,
        covers_until=end,
        **fields,
    )


def absolute(url: str) -> str:
    return url if "://" in url else settings.SITE_URL + url


def html_of(message: Any) -> str:
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return str(html)


@pytest.fixture
def morning() -> datetime:
    """This morning's sending time, an hour ago."""
    return timezone.now() - timedelta(hours=1)


@pytest.fixture
def stories(make_article: Any, make_photo: Any, morning: datetime) -> dict[str, Any]:
    """Yesterday's stories, one from the day before, a draft, a scheduled one."""
    bridge = make_article(
        title="Most na Odrze zamknięty do piątku",
        lead="Drogowcy wymieniają dylatacje; objazd przez Brzeźnicę.",
        at=morning - timedelta(hours=5),
    )
    add_to_gallery(bridge, [make_photo(alt_text="Zamknięty most")], by=COMMAND)
    fair = make_article(
        title="Jarmark świąteczny na rynku", at=morning - timedelta(hours=12)
    )
    old = make_article(title="Stara wiadomość", at=morning - timedelta(hours=30))
    draft = make_article(title="Szkic bez publikacji", publish=False)
    later = make_article(
        title="Zapowiedź na jutro", at=timezone.now() + timedelta(hours=3)
    )
    return {"bridge": bridge, "fair": fair, "old": old, "draft": draft, "later": later}


def test_a_digest_carries_its_days_stories_in_html_and_text(
    stories: dict[str, Any], morning: datetime, django_capture_on_commit_callbacks: Any
) -> None:
    ala = subscribed("ala@example.pl")
    subscribed("tydzien@example.pl", Subscriber.Frequency.WEEKLY)
    services.subscribe("niepotwierdzony@example.pl", by=WORKER)
    left = subscribed("wypisana@example.pl")
    services.unsubscribe(left, by=WORKER)
    digest = daily(morning, intro="Dzień dobry!\n\nDziś głównie o drogach.")
    with django_capture_on_commit_callbacks(execute=True):
        assert services.start_sending(digest, by=SCHEDULER, now=timezone.now()) == 1

    (message,) = mail.outbox
    assert message.to == ["ala@example.pl"]
    assert "Most na Odrze zamknięty do piątku" in message.subject
    html, text = html_of(message), str(message.body)
    for part in (html, text):
        assert "Most na Odrze zamknięty do piątku [FOTO]" in part
        assert "Jarmark świąteczny na rynku" in part
        assert "Dziś głównie o drogach." in part
        for absent in ("Stara wiadomość", "Szkic bez publikacji", "Zapowiedź na jutro"):
            assert absent not in part
        assert absolute(stories["fair"].get_absolute_url()) in part
        assert digests.UNSUBSCRIBE not in part
    # The gallery story's thumbnail, the one image of the message: the
    # story's own public file, the same for every reader.
    images = re.findall(r'<img src="([^"]+)" alt="([^"]*)"', html)
    thumbnail = stories["bridge"].main_photo.public_file("article", "jpeg").url
    assert images == [(absolute(thumbnail), "Zamknięty most")]
    # The top story comes first; the newest first among the rest.
    assert html.index("Most na Odrze") < html.index("Jarmark")
    # Each address's own unsubscribe link, in the body and the headers.
    own = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    assert own in text and own in html
    assert urlsplit(own).path.startswith("/newsletter/wypisz/")
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT
    assert list(digest.deliveries.values_list("subscriber", "status")) == [
        (ala.pk, Delivery.Status.SENT)
    ]


def test_the_newsroom_picks_the_top_story(
    stories: dict[str, Any], morning: datetime, django_capture_on_commit_callbacks: Any
) -> None:
    subscribed("ala@example.pl")
    digest = daily(morning, top_story=stories["fair"])
    with django_capture_on_commit_callbacks(execute=True):
        services.start_sending(digest, by=SCHEDULER, now=timezone.now())
    html = html_of(mail.outbox[0])
    assert html.index("Jarmark") < html.index("Most na Odrze")
    portal = Site.objects.get_current().name
    assert mail.outbox[0].subject.startswith(f"{portal}: Jarmark świąteczny")


class DyingBackend(EmailBackend):
    """A mail connection whose worker is killed while it hands over the third
    message: nothing of that message reaches the server."""

    handed = 0

    def send_messages(self, messages: Any) -> int:
        DyingBackend.handed += 1
        if DyingBackend.handed == 3:
            raise KeyboardInterrupt("worker stopped")
        return super().send_messages(messages)


def test_a_restarted_worker_sends_nobody_the_digest_twice(
    stories: dict[str, Any], morning: datetime, settings: Any, time_machine: Any
) -> None:
    addresses = [f"czytelnik{n}@example.pl" for n in range(7)]
    for address in addresses:
        subscribed(address)
    digest = daily(morning)
    assert services.start_sending(digest, by=SCHEDULER, now=timezone.now()) == 7
    settings.EMAIL_BACKEND = f"{__name__}.DyingBackend"
    DyingBackend.handed = 0
    with pytest.raises(KeyboardInterrupt):
        services.send_batch(digest, by=WORKER, limit=5)
    assert [m.to[0] for m in mail.outbox] == addresses[:2]
    # A new worker, at once: the first one's rows are still its own.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.recover_stalled(by=SCHEDULER, now=timezone.now()) == []
    assert services.send_batch(digest, by=WORKER) == 2
    # Past the stale time the taken rows come back, the one being handed over
    # does not: it may have gone out.
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    assert services.recover_stalled(by=SCHEDULER, now=timezone.now()) == [digest.pk]
    tasks.send_digest.call(digest_id=digest.pk)
    sent = [m.to[0] for m in mail.outbox]
    assert sorted(sent) == sorted(set(sent))
    assert set(sent) == set(addresses) - {addresses[2]}
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SENT
    assert digest.deliveries.get(subscriber__email=addresses[2]).status == (
        Delivery.Status.UNKNOWN
    )
    # Another round changes nothing.
    assert services.send_batch(digest, by=WORKER) == 0
    assert len(mail.outbox) == 6


def test_an_address_that_leaves_while_sending_gets_nothing(
    stories: dict[str, Any], morning: datetime
) -> None:
    ala = subscribed("ala@example.pl")
    subscribed("ola@example.pl")
    digest = daily(morning)
    services.start_sending(digest, by=SCHEDULER, now=timezone.now())
    services.unsubscribe(ala, by=WORKER)
    services.send_batch(digest, by=WORKER)
    assert [m.to for m in mail.outbox] == [["ola@example.pl"]]
    assert digest.deliveries.get(subscriber=ala).status == Delivery.Status.CANCELLED


class RefusingBackend(EmailBackend):
    def send_messages(self, messages: Any) -> int:
        raise smtplib.SMTPRecipientsRefused({"ala@example.pl": (550, b"No such user")})


def test_an_address_the_server_refuses_is_suppressed(
    stories: dict[str, Any], morning: datetime, settings: Any
) -> None:
    ala = subscribed("ala@example.pl")
    digest = daily(morning)
    services.start_sending(digest, by=SCHEDULER, now=timezone.now())
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    services.send_batch(digest, by=WORKER)
    ala.refresh_from_db()
    assert ala.status == Subscriber.Status.SUPPRESSED
    assert ala.reason == Subscriber.Reason.BOUNCE
    assert ala.changed_by_system == "worker"
    assert digest.deliveries.get().status == Delivery.Status.FAILED


def test_a_day_without_stories_sends_nothing(morning: datetime) -> None:
    subscribed("ala@example.pl")
    digest = daily(morning)
    assert services.start_sending(digest, by=SCHEDULER, now=timezone.now()) == 0
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SKIPPED
    assert "Nie wysłano" in digest.note
    assert mail.outbox == []


def test_the_worker_drafts_the_next_digests_and_sends_them_at_their_time(
    make_article: Any,
    settings: Any,
    time_machine: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.WIESCI_NEWSLETTER_DAILY_AT = "06:30"
    settings.WIESCI_NEWSLETTER_WEEKLY_DAY = 5
    # Thursday 3 December 2026, 20:00 in Warsaw.
    time_machine.move_to(datetime(2026, 12, 3, 19, 0, tzinfo=UTC), tick=False)
    subscribed("ala@example.pl")
    subscribed("tydzien@example.pl", Subscriber.Frequency.WEEKLY)
    make_article(
        title="Wieczorny pożar stodoły", at=timezone.now() - timedelta(hours=1)
    )
    tasks.newsletter_round()
    tasks.newsletter_round()  # a second round drafts nothing more
    planned = {
        digest.kind: timezone.localtime(digest.send_at).strftime("%a %d %H:%M")
        for digest in Digest.objects.all()
    }
    assert planned == {"daily": "Fri 04 06:30", "weekly": "Sat 05 06:30"}
    assert mail.outbox == []
    time_machine.move_to(datetime(2026, 12, 4, 5, 31, tzinfo=UTC), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.newsletter_round()
    assert [m.to for m in mail.outbox] == [["ala@example.pl"]]
    assert "Wieczorny pożar stodoły" in mail.outbox[0].body
    assert Digest.objects.get(kind="daily", status=Digest.Status.SENT)
    # The next morning's is drafted already.
    assert (
        Digest.objects.filter(kind="daily", status=Digest.Status.SCHEDULED).count() == 1
    )


def test_a_digest_the_newsroom_changed_waits_for_a_test_and_approval(
    stories: dict[str, Any], editor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    send_at = timezone.now() + timedelta(hours=10)
    digest = daily(send_at)
    digest.intro = "Zimowy poranek."
    services.save_digest(digest, by=editor)
    assert digest.status == Digest.Status.DRAFT
    with pytest.raises(PermissionDenied, match="test"):
        services.approve_digest(digest, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test(digest, by=editor, to="redakcja@example.pl")
    (test,) = mail.outbox
    assert test.to == ["redakcja@example.pl"]
    assert test.subject.startswith("[TEST]")
    assert "Zimowy poranek." in test.body
    assert services.approve_digest(digest, by=editor).status == Digest.Status.SCHEDULED
    digest.intro = "Zmiana po teście."
    services.save_digest(digest, by=editor)
    with pytest.raises(PermissionDenied, match="test"):
        services.approve_digest(digest, by=editor)
    assert Digest.objects.get().changed_by == editor


def test_a_journalist_may_not_send_digests(journalist: Any, morning: datetime) -> None:
    digest = daily(morning)
    with pytest.raises(PermissionDenied):
        services.send_test(digest, by=journalist, to="ja@example.pl")


def test_the_editor_previews_tests_and_approves_in_the_admin(
    stories: dict[str, Any],
    editor: Any,
    journalist: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    digest = daily(timezone.now() + timedelta(hours=10))
    client = Client()
    client.force_login(editor)
    preview = client.get(reverse("admin:newsletter_digest_preview", args=[digest.pk]))
    assert preview.status_code == 200
    assert "Most na Odrze zamknięty do piątku [FOTO]" in preview.content.decode()
    assert "style-src-attr 'unsafe-inline'" in preview["Content-Security-Policy"]
    text = client.get(reverse("admin:newsletter_digest_preview_text", args=[digest.pk]))
    assert text["Content-Type"].startswith("text/plain")
    assert "Jarmark świąteczny na rynku" in text.content.decode()

    change = reverse("admin:newsletter_digest_change", args=[digest.pk])
    page = client.get(change)
    assert "Wyślij test" in page.content.decode() or "test" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            change,
            {
                "intro": "Dzień dobry z redakcji.",
                "top_story": stories["fair"].pk,
                "test_address": "redaktorka@wiesci.example.pl",
                "_digest": "test",
            },
        )
    assert response.status_code == 302
    (test,) = mail.outbox
    assert test.to == ["redaktorka@wiesci.example.pl"]
    assert "Dzień dobry z redakcji." in test.body
    response = client.post(
        change,
        {
            "intro": "Dzień dobry z redakcji.",
            "top_story": stories["fair"].pk,
            "_digest": "approve",
        },
    )
    digest.refresh_from_db()
    assert digest.status == Digest.Status.SCHEDULED
    assert digest.top_story == stories["fair"]
    # A story from outside the digest's day cannot be its top story.
    client.post(change, {"intro": "", "top_story": stories["old"].pk})
    digest.refresh_from_db()
    assert digest.top_story == stories["fair"]

    client.force_login(journalist)
    assert (
        client.get(
            reverse("admin:newsletter_digest_preview", args=[digest.pk])
        ).status_code
        == 403
    )


def test_the_operator_suppresses_a_providers_bounce_report(
    monkeypatch: Any, capsys: Any
) -> None:
    import io

    from django.core.management import call_command

    ala = subscribed("Ala@Example.pl")
    ola = subscribed("ola@example.pl")
    monkeypatch.setattr("sys.stdin", io.StringIO("ala@example.pl\n\nnikt@example.pl\n"))
    call_command("suppress_addresses", reason="complaint")
    ala.refresh_from_db()
    ola.refresh_from_db()
    assert (ala.status, ala.reason) == (Subscriber.Status.SUPPRESSED, "complaint")
    assert ala.changed_by_system == "command"
    assert ola.status == Subscriber.Status.CONFIRMED
    out = capsys.readouterr()
    assert "nikt@example.pl" in out.err
    assert "Suppressed: 1; not on the list: 1." in out.out
