"""Breaking-news Web Push: a story marked breaking reaches each browser that
wants its section once, signed and encrypted as push services require."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from tests.push.pushservice import Browser, PushService
from wiesci.articles.services import publish_article, run_due_publications
from wiesci.articles.services.saving import save_article
from wiesci.core.actors import SCHEDULER, WORKER
from wiesci.push import delivery, services, vapid
from wiesci.push.checks import check_vapid_key
from wiesci.push.models import Broadcast, PushSubscription
from wiesci.taxonomy.models import Section

pytestmark = pytest.mark.django_db


def polish(msgid: str) -> str:
    """The message as a Polish reader gets it (once the catalogue has it)."""
    with override("pl"):
        return gettext(msgid)


@pytest.fixture
def vapid_key(settings: Any) -> str:
    private, public = vapid.new_pair()
    settings.VAPID_PRIVATE_KEY = private
    return public


@pytest.fixture
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


@pytest.fixture
def browser_for(push_service: PushService) -> Callable[..., tuple[Any, Browser]]:
    """A subscription stored through the service, as the page's script posts it."""

    def make(
        name: str, sections: Sequence[Section] = (), *, expired: bool = False
    ) -> tuple[Any, Browser]:
        endpoint, browser = push_service.browser(name, expired=expired)
        subscription = services.subscribe(
            endpoint,
            by=AnonymousUser(),
            p256dh=browser.p256dh,
            auth=browser.auth_secret,
            sections=sections,
        )
        return subscription, browser

    return make


@pytest.fixture
def sport(db: None) -> Section:
    return Section.objects.create(name="Sport", slug="sport")


def mark_breaking(
    article: Any, by: Any, capture: Any, *, hours: float = 2, text: str = ""
) -> Any:
    article.breaking_until = timezone.now() + timedelta(hours=hours)
    article.breaking_text = text
    with capture(execute=True):
        return save_article(article, by=by)


def test_a_breaking_story_reaches_each_matching_browser_once_signed_and_encrypted(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    section,
    sport,
    editor,
    django_capture_on_commit_callbacks,
):
    browser_for("wants-news", [section])
    browser_for("wants-all")
    browser_for("wants-news-and-sport", [sport, section])
    browser_for("wants-sport", [sport])
    article = make_article(title="Pożar hali w Raciborzu", lead="Strażacy  gaszą halę.")

    mark_breaking(
        article, editor, django_capture_on_commit_callbacks, text="Pilne: pożar hali"
    )

    assert push_service.paths() == [
        "/push/wants-all",
        "/push/wants-news",
        "/push/wants-news-and-sport",
    ]
    for received in push_service.received:
        assert received.problems == []
        assert received.claims["aud"] == push_service.origin
        assert received.claims["sub"] == "mailto:redakcja@localhost"
        assert received.ttl is not None and 3600 < received.ttl <= 2 * 3600
        assert received.message == {
            "title": "Pilne: pożar hali",
            "body": "Strażacy gaszą halę.",
            "url": "http://127.0.0.1:8000" + article.get_absolute_url(),
            "icon": "http://127.0.0.1:8000" + reverse("distribution:icon", args=[192]),
            "tag": f"article-{article.pk}",
        }
    broadcast = Broadcast.objects.get()
    assert (broadcast.sent_count, broadcast.removed_count, broadcast.failed_count) == (
        3,
        0,
        0,
    )
    assert broadcast.finished_at is not None
    delivered = PushSubscription.objects.exclude(last_success_at=None)
    assert delivered.count() == 3


def test_saving_the_story_again_or_keeping_it_breaking_longer_pushes_nothing_more(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    editor,
    django_capture_on_commit_callbacks,
):
    browser_for("reader")
    article = make_article()
    mark_breaking(article, editor, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Pożar hali: aktualizacja"
        save_article(article, by=editor)
    mark_breaking(article, editor, django_capture_on_commit_callbacks, hours=5)
    assert push_service.paths() == ["/push/reader"]
    assert Broadcast.objects.count() == 1


def test_a_story_marked_again_after_its_period_ended_is_pushed_again(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    editor,
    django_capture_on_commit_callbacks,
    time_machine,
):
    browser_for("reader")
    article = make_article()
    mark_breaking(article, editor, django_capture_on_commit_callbacks, hours=1)
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    mark_breaking(article, editor, django_capture_on_commit_callbacks, hours=1)
    assert push_service.paths() == ["/push/reader", "/push/reader"]


def test_a_draft_or_a_story_not_breaking_is_not_pushed(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    editor,
    django_capture_on_commit_callbacks,
):
    browser_for("reader")
    draft = make_article(publish=False)
    mark_breaking(draft, editor, django_capture_on_commit_callbacks)
    past = make_article()
    mark_breaking(past, editor, django_capture_on_commit_callbacks, hours=-1)
    assert push_service.paths() == []
    assert not Broadcast.objects.exists()


def test_a_scheduled_breaking_story_is_pushed_when_it_goes_public(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    editor,
    django_capture_on_commit_callbacks,
    time_machine,
):
    browser_for("reader")
    article = make_article(publish=False)
    article.breaking_until = timezone.now() + timedelta(hours=3)
    save_article(article, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        publish_article(article, by=editor, at=timezone.now() + timedelta(hours=1))
    assert push_service.paths() == []
    time_machine.move_to(timezone.now() + timedelta(hours=1, minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        run_due_publications(by=SCHEDULER)
    assert push_service.paths() == ["/push/reader"]
    assert push_service.received[0].problems == []


def test_an_expired_subscription_is_deleted(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    editor,
    django_capture_on_commit_callbacks,
):
    kept, _ = browser_for("reader")
    browser_for("uninstalled", expired=True)
    mark_breaking(make_article(), editor, django_capture_on_commit_callbacks)
    assert push_service.paths() == ["/push/reader", "/push/uninstalled"]
    assert list(PushSubscription.objects.all()) == [kept]
    broadcast = Broadcast.objects.get()
    assert (broadcast.sent_count, broadcast.removed_count) == (1, 1)


def test_an_unreachable_push_service_counts_a_failure(
    vapid_key,
    push_service,
    make_article,
    editor,
    django_capture_on_commit_callbacks,
):
    browser = Browser("gone")
    # Nothing listens on port 9 (discard) of this machine.
    services.subscribe(
        "http://127.0.0.1:9/push/gone",
        by=AnonymousUser(),
        p256dh=browser.p256dh,
        auth=browser.auth_secret,
    )
    mark_breaking(make_article(), editor, django_capture_on_commit_callbacks)
    assert PushSubscription.objects.get().failures == 1
    assert Broadcast.objects.get().failed_count == 1


def test_a_worker_restarted_mid_broadcast_sends_to_nobody_twice(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    editor,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    names = [f"reader-{n}" for n in range(1, 8)]
    for name in names:
        browser_for(name)
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    monkeypatch.setattr(services, "SENDERS", 1)
    real = delivery.deliver
    calls = 0

    def crashing(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise SystemError("the worker's machine went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(delivery, "deliver", crashing)
    # The task backend records the task as failed; the broadcast stays unfinished.
    mark_breaking(make_article(), editor, django_capture_on_commit_callbacks)
    broadcast = Broadcast.objects.get()
    assert broadcast.finished_at is None
    # The first batch went out; of the second, in flight, the third reader's
    # push failed with the worker (the fourth's may or may not have left).
    sent_before = set(push_service.paths())
    assert {"/push/reader-1", "/push/reader-2"} <= sent_before
    assert sent_before <= {"/push/reader-1", "/push/reader-2", "/push/reader-4"}

    monkeypatch.setattr(delivery, "deliver", real)
    later = timezone.now() + services.STALLED_AFTER + timedelta(seconds=1)
    assert services.resume_stalled_broadcasts(by=WORKER, now=later) == [broadcast.pk]
    assert services.resume_stalled_broadcasts(by=WORKER, now=later) == []

    counts = Counter(push_service.paths())
    assert max(counts.values()) == 1
    # The batch in flight at the crash is given up, never sent twice.
    assert set(counts) - {"/push/reader-4"} == {f"/push/{name}" for name in names} - {
        "/push/reader-3",
        "/push/reader-4",
    }
    broadcast.refresh_from_db()
    assert broadcast.finished_at is not None
    assert all(r.problems == [] for r in push_service.received)


def test_two_workers_on_one_broadcast_share_its_subscriptions(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    editor,
    monkeypatch,
):
    for n in range(5):
        browser_for(f"reader-{n}")
    article = make_article()
    article.breaking_until = timezone.now() + timedelta(hours=1)
    save_article(article, by=editor)
    broadcast = services.start_broadcast(article, by=WORKER)
    assert broadcast is not None
    monkeypatch.setattr(services, "BATCH_SIZE", 1)
    real = delivery.payload
    turns = 0

    def second_worker_meanwhile(*args: Any, **kwargs: Any) -> Any:
        # Between the first worker's claim of a batch and its pushes.
        nonlocal turns
        turns += 1
        if turns == 1:
            services.send_broadcast(broadcast, by=WORKER)
        return real(*args, **kwargs)

    monkeypatch.setattr(delivery, "payload", second_worker_meanwhile)
    services.send_broadcast(broadcast, by=WORKER)
    assert Counter(push_service.paths()) == {f"/push/reader-{n}": 1 for n in range(5)}
    broadcast.refresh_from_db()
    assert broadcast.sent_count == 5


def test_a_story_withdrawn_mid_broadcast_is_pushed_no_further(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    editor,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from wiesci.articles.models import Article

    for n in range(4):
        browser_for(f"reader-{n}")
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    real = delivery.payload

    def withdrawn_meanwhile(article: Any, text: str) -> Any:
        Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
        return real(article, text)

    monkeypatch.setattr(delivery, "payload", withdrawn_meanwhile)
    mark_breaking(make_article(), editor, django_capture_on_commit_callbacks)
    assert push_service.paths() == ["/push/reader-0", "/push/reader-1"]
    assert Broadcast.objects.get().finished_at is not None


def test_a_long_broadcast_goes_out_in_slices_that_queue_the_rest(
    vapid_key,
    push_service,
    browser_for,
    make_article,
    editor,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    from django_tasks.signals import task_enqueued

    from wiesci.push import tasks

    for n in range(5):
        browser_for(f"reader-{n}")
    monkeypatch.setattr(services, "BATCH_SIZE", 2)
    # No time at all: one batch per slice.
    monkeypatch.setattr(tasks, "SLICE_SECONDS", 0.0)
    queued = []

    def count(sender: Any, task_result: Any, **kwargs: Any) -> None:
        queued.append(task_result.task.name)

    task_enqueued.connect(count)
    try:
        mark_breaking(make_article(), editor, django_capture_on_commit_callbacks)
    finally:
        task_enqueued.disconnect(count)
    # Slices of two, two and one, and the last finding nobody left.
    assert queued == ["send_push_broadcast"] * 4
    assert Counter(push_service.paths()) == {f"/push/reader-{n}": 1 for n in range(5)}
    assert Broadcast.objects.get().finished_at is not None


def test_without_a_key_nothing_is_pushed_and_the_page_has_no_button(
    push_service, browser_for, make_article, editor, django_capture_on_commit_callbacks
):
    browser_for("reader")
    mark_breaking(make_article(), editor, django_capture_on_commit_callbacks)
    assert push_service.paths() == []
    assert not Broadcast.objects.exists()
    page = Client().get(reverse("push:settings")).content.decode()
    assert "data-push-subscribe" not in page
    assert polish("This portal does not send notifications yet.") in page


# --- The reader's side --------------------------------------------------------


def test_the_page_shows_the_button_and_asks_nothing_on_load(vapid_key, client, section):
    response = client.get(reverse("push:settings"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "data-push-subscribe" in page
    assert f'data-key="{vapid_key}"' in page
    assert f'<label for="push-section-{section.pk}">Wiadomości</label>' in page
    assert '<fieldset class="choices"' in page and "<legend>" in page
    assert 'aria-live="polite"' in page
    # Without JavaScript the page says the browser cannot receive them.
    assert polish("This browser cannot receive notifications.") in page
    # No inline script: the prompt can only come from push.js, on a click.
    assert "<script>" not in page and "requestPermission" not in page
    assert 'src="/static/push/push.js"' in page


def test_the_script_asks_for_permission_only_in_the_click_handler():
    from pathlib import Path

    import wiesci.push

    script = (Path(wiesci.push.__file__).parent / "static/push/push.js").read_text()
    before, _, after = script.partition("async function subscribe()")
    assert "requestPermission" not in before
    assert after.count("requestPermission") == 1
    assert 'turnOn.addEventListener("click", () => subscribe()' in after


def test_the_service_worker_is_served_at_the_root(client):
    response = client.get("/sw-push.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert 'addEventListener("push"' in body
    assert "openWindow" in body


def subscription_json(browser: Browser, endpoint: str) -> dict[str, Any]:
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth_secret},
    }


def post_json(client: Client, name: str, data: Any) -> Any:
    return client.post(
        reverse(name), data=json.dumps(data), content_type="application/json"
    )


ENDPOINT = "https://fcm.googleapis.com/fcm/send/abc123:APA91b"


def test_subscribing_stores_the_browser_and_its_sections(
    vapid_key, client, section, sport, make_reader
):
    reader = make_reader()
    client.force_login(reader)
    browser = Browser("phone")
    data = {
        "subscription": subscription_json(browser, ENDPOINT),
        "sections": [sport.pk],
    }
    response = post_json(client, "push:subscribe", data)
    assert response.status_code == 200, response.content
    assert response.json() == {"ok": True, "sections": [sport.pk]}
    subscription = PushSubscription.objects.get()
    assert (subscription.endpoint, subscription.p256dh, subscription.auth) == (
        ENDPOINT,
        browser.p256dh,
        browser.auth_secret,
    )
    assert subscription.user == reader
    assert list(subscription.sections.all()) == [sport]

    # The same browser choosing again changes its sections; none means all.
    response = post_json(client, "push:subscribe", {**data, "sections": []})
    assert response.json() == {"ok": True, "sections": []}
    assert PushSubscription.objects.get().sections.count() == 0


def test_unsubscribing_forgets_the_browser(vapid_key, client):
    browser = Browser("phone")
    post_json(
        client, "push:subscribe", {"subscription": subscription_json(browser, ENDPOINT)}
    )
    assert PushSubscription.objects.count() == 1
    response = post_json(client, "push:unsubscribe", {"endpoint": ENDPOINT})
    assert response.json() == {"ok": True}
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: "nie json", "The browser sent no subscription."),
        (lambda d: {"sections": []}, "The browser sent no subscription."),
        (
            lambda d: d["subscription"].update(endpoint="http://10.0.0.5/wewn"),
            "The push service address is not valid.",
        ),
        (
            lambda d: d["subscription"].update(endpoint="https://127.0.0.1/x"),
            "The push service address is not valid.",
        ),
        (
            lambda d: d["subscription"]["keys"].update(p256dh="AAAA"),
            "The browser's encryption keys are not valid.",
        ),
        (
            lambda d: d["subscription"]["keys"].update(auth="a" * 40),
            "The browser's encryption keys are not valid.",
        ),
        (lambda d: d.update(sections=["1"]), "Choose sections from the list."),
        (
            lambda d: d.update(sections=[987654]),
            "One of the chosen sections does not exist.",
        ),
    ],
)
def test_a_malformed_subscription_is_refused_with_a_reason(
    vapid_key, client, change, message
):
    data: Any = {"subscription": subscription_json(Browser("x"), ENDPOINT)}
    changed = change(data)
    body = data if changed is None else changed
    response = client.post(
        reverse("push:subscribe"),
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": polish(message)}
    assert not PushSubscription.objects.exists()


def test_subscribing_needs_the_csrf_token(vapid_key):
    client = Client(enforce_csrf_checks=True)
    data = {"subscription": subscription_json(Browser("x"), ENDPOINT)}
    response = post_json(client, "push:subscribe", data)
    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_subscriptions_from_one_connection_are_limited(vapid_key, client):
    for n in range(30):
        data = {"subscription": subscription_json(Browser("x"), f"{ENDPOINT}{n}")}
        assert post_json(client, "push:subscribe", data).status_code == 200
    data = {"subscription": subscription_json(Browser("x"), f"{ENDPOINT}-more")}
    response = post_json(client, "push:subscribe", data)
    assert response.status_code == 429
    assert PushSubscription.objects.count() == 30


# --- The operator's side ------------------------------------------------------


def test_the_command_prints_a_key_pair_that_works(capsys, settings):
    call_command("generate_vapid_keys")
    out = capsys.readouterr().out
    line = next(
        x for x in out.splitlines() if x.startswith("WIESCI_VAPID_PRIVATE_KEY=")
    )
    settings.VAPID_PRIVATE_KEY = line.partition("=")[2]
    public = vapid.application_server_key()
    assert public and public in out
    assert len(vapid.b64url_decode(public)) == 65
    assert check_vapid_key() == []


def test_a_pem_key_is_accepted(settings):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    assert vapid.application_server_key()
    assert check_vapid_key() == []


def test_a_malformed_key_is_reported_by_the_check_and_turns_push_off(settings):
    settings.VAPID_PRIVATE_KEY = "to-nie-jest-klucz"
    (error,) = check_vapid_key()
    assert error.id == "wiesci.push.E001"
    assert "WIESCI_VAPID_PRIVATE_KEY" in error.msg
    assert vapid.application_server_key() == ""
