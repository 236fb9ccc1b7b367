"""Newsletter sign-up with double opt-in, and unsubscribing in one click."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from wiesci.core.actors import WORKER
from wiesci.newsletter import letters, services, tokens
from wiesci.newsletter.models import Subscriber

pytestmark = pytest.mark.django_db

SIGN_UP = reverse("newsletter:subscribe")


def sign_up(client: Client, capture: Any, email: str, **extra: str) -> Any:
    with capture(execute=True):
        return client.post(SIGN_UP, {"email": email, "consent": "on", **extra})


def link_in(message: Any, name: str) -> str:
    found = re.search(rf"https?://\S+/newsletter/{name}/\S+/", str(message.body))
    assert found is not None
    return urlsplit(found.group(0)).path


def confirmed(email: str) -> Subscriber:
    subscriber = services.subscribe(email, by=WORKER)
    return services.confirm(subscriber, by=WORKER)


def test_an_unconfirmed_address_gets_nothing_but_the_confirmation(
    client, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks, "ala@example.pl")
    assert response.status_code == 200
    assert "Sprawdź skrzynkę" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert not Subscriber.objects.confirmed().exists()
    (message,) = mail.outbox
    assert message.to == ["ala@example.pl"]
    assert "List-Unsubscribe" not in message.extra_headers  # transactional mail
    assert isinstance(message, EmailMultiAlternatives)
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    assert "<img" not in str(html)


def test_the_confirmation_link_confirms_by_post_only(
    client, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks, "ala@example.pl")
    link = link_in(mail.outbox[0], "potwierdz")
    assert client.get(link).status_code == 200
    assert not Subscriber.objects.confirmed().exists()
    response = client.post(link)
    assert response.status_code == 200
    assert list(Subscriber.objects.confirmed().values_list("email", flat=True)) == [
        "ala@example.pl"
    ]
    assert Subscriber.objects.get().confirmed_at is not None


def test_an_expired_confirmation_link_is_refused(client, time_machine):
    subscriber = services.subscribe("ala@example.pl", by=WORKER)
    link = reverse("newsletter:confirm", args=[tokens.confirmation_token(subscriber)])
    time_machine.move_to(timezone.now() + timedelta(days=8))
    response = client.post(link)
    assert response.status_code == 400
    assert "Link potwierdzający wygasł" in response.content.decode()
    assert not Subscriber.objects.confirmed().exists()


def test_a_forged_confirmation_link_is_refused(client):
    subscriber = services.subscribe("ala@example.pl", by=WORKER)
    forged = tokens.confirmation_token(subscriber)[:-2] + "xx"
    response = client.post(reverse("newsletter:confirm", args=[forged]))
    assert response.status_code == 400
    assert "Link potwierdzający jest nieprawidłowy" in response.content.decode()
    # An unsubscribe token is no confirmation token either.
    other = tokens.unsubscribe_token(subscriber)
    assert client.post(reverse("newsletter:confirm", args=[other])).status_code == 400
    assert not Subscriber.objects.confirmed().exists()


def test_a_known_address_gets_the_same_answer(
    client, django_capture_on_commit_callbacks
):
    answers = []
    for email in ("nowa@example.pl", "nowa@example.pl", "STALA@example.pl"):
        if email == "STALA@example.pl":
            confirmed("stala@example.pl")
            mail.outbox.clear()
        response = sign_up(client, django_capture_on_commit_callbacks, email)
        answers.append(
            (response.status_code, response.content.decode().replace(email, "@"))
        )
    assert answers[0] == answers[1] == answers[2]
    # The pending address is not mailed twice in a row, the confirmed one not at all.
    assert mail.outbox == []
    assert Subscriber.objects.count() == 2


def test_a_pending_address_gets_the_link_again_after_a_while(
    client, django_capture_on_commit_callbacks, time_machine
):
    sign_up(client, django_capture_on_commit_callbacks, "ala@example.pl")
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    sign_up(client, django_capture_on_commit_callbacks, "ala@example.pl")
    assert len(mail.outbox) == 2


def test_the_email_is_unique_whatever_its_case():
    services.subscribe("Ala@Example.pl", by=WORKER)
    services.subscribe("ala@example.pl", by=WORKER)
    assert Subscriber.objects.count() == 1


def test_one_click_post_unsubscribes_without_a_session():
    subscriber = confirmed("ala@example.pl")
    headers = letters.list_unsubscribe_headers(subscriber)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http")
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(url).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.reason == Subscriber.Reason.UNSUBSCRIBED
    assert not Subscriber.objects.confirmed().exists()


def test_opening_the_unsubscribe_link_does_not_unsubscribe(client):
    subscriber = confirmed("ala@example.pl")
    url = reverse("newsletter:unsubscribe", args=[tokens.unsubscribe_token(subscriber)])
    response = client.get(url)
    assert response.status_code == 200
    assert "Wypisz" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_a_forged_unsubscribe_link_is_refused(client):
    subscriber = confirmed("ala@example.pl")
    forged = tokens.unsubscribe_token(subscriber) + "x"
    response = client.post(reverse("newsletter:unsubscribe", args=[forged]))
    assert response.status_code == 400
    assert "Link do wypisania jest nieprawidłowy" in response.content.decode()
    assert Subscriber.objects.confirmed().exists()


def test_the_pages_are_never_stored_by_the_page_cache(server):
    subscriber = confirmed("ala@example.pl")
    unsubscribe = reverse(
        "newsletter:unsubscribe", args=[tokens.unsubscribe_token(subscriber)]
    )
    for path in (SIGN_UP, unsubscribe):
        answers = [server(path), server(path)]
        assert [answer.status for answer in answers] == [200, 200]
        assert all(answer.headers.get("x-cache") != "HIT" for answer in answers)
        assert "private" in answers[1].headers["cache-control"]


def test_a_bounce_suppresses_the_address_for_good(
    client, django_capture_on_commit_callbacks
):
    subscriber = confirmed("ala@example.pl")
    services.suppress(subscriber, by=WORKER, reason=Subscriber.Reason.BOUNCE)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED
    assert subscriber.reason == Subscriber.Reason.BOUNCE
    assert not Subscriber.objects.confirmed().exists()
    # Signing up again neither lifts it nor tells anyone.
    response = sign_up(client, django_capture_on_commit_callbacks, "ala@example.pl")
    assert response.status_code == 200
    assert mail.outbox == []
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED


def test_an_old_confirmation_link_does_not_bring_back_an_unsubscribed_address(client):
    subscriber = services.subscribe("ala@example.pl", by=WORKER)
    link = reverse("newsletter:confirm", args=[tokens.confirmation_token(subscriber)])
    services.unsubscribe(subscriber, by=WORKER)
    response = client.post(link)
    assert response.status_code == 400
    assert not Subscriber.objects.confirmed().exists()


def test_a_reader_may_not_suppress(reader):
    subscriber = confirmed("ala@example.pl")
    with pytest.raises(PermissionDenied, match="Nie możesz blokować"):
        services.suppress(subscriber, by=reader, reason=Subscriber.Reason.COMPLAINT)


def test_an_editor_suppresses_from_the_admin(client, editor):
    subscriber = confirmed("ala@example.pl")
    client.force_login(editor)
    response = client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {"action": "suppress", "_selected_action": [subscriber.pk]},
    )
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED
    assert subscriber.reason == Subscriber.Reason.EDITOR
    # Every write names who made it, and the row says so to the newsroom.
    assert subscriber.changed_by == editor
    page = client.get(
        reverse("admin:newsletter_subscriber_change", args=[subscriber.pk])
    ).content.decode()
    assert str(editor) in page


def test_a_change_by_link_or_by_the_worker_names_its_author(client):
    from django.contrib.auth.models import AnonymousUser

    subscriber = services.subscribe("ala@example.pl", by=AnonymousUser())
    subscriber = services.confirm(subscriber, by=AnonymousUser())
    # The reader, by the signed link: neither a user nor the system.
    assert (subscriber.changed_by, subscriber.changed_by_system) == (None, "")
    services.suppress(subscriber, by=WORKER, reason=Subscriber.Reason.BOUNCE)
    subscriber.refresh_from_db()
    assert (subscriber.changed_by, subscriber.changed_by_system) == (None, "worker")


def test_sign_ups_from_one_client_are_limited(
    client, django_capture_on_commit_callbacks
):
    for number in range(10):
        response = sign_up(
            client, django_capture_on_commit_callbacks, f"osoba{number}@example.pl"
        )
        assert response.status_code == 200
    response = sign_up(client, django_capture_on_commit_callbacks, "inna@example.pl")
    assert response.status_code == 429
    assert "Spróbuj ponownie za godzinę" in response.content.decode()
    assert not Subscriber.objects.with_email("inna@example.pl").exists()


def test_the_honeypot_signs_nobody_up(client, django_capture_on_commit_callbacks):
    response = sign_up(
        client,
        django_capture_on_commit_callbacks,
        "ala@example.pl",
        website="https://spam.example",
    )
    assert response.status_code == 200
    assert not Subscriber.objects.exists()
    assert mail.outbox == []
