"""Live coverage: updates on the article page, the readers' poll, the desk."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import image_bytes
from wiesci.core.actors import COMMAND
from wiesci.live import services
from wiesci.live.models import MAX_UPDATE_CHARACTERS, POLL_UPDATES, LogEntry, Update

pytestmark = pytest.mark.django_db


@pytest.fixture
def coverage(make_article, django_capture_on_commit_callbacks) -> Any:
    article = make_article(title="Wysoka woda na Odrze")
    with django_capture_on_commit_callbacks(execute=True):
        live = services.start_coverage(
            article,
            by=COMMAND,
            key_facts="Stan alarmowy w Miedoni\nMost Zamkowy zamknięty",
        )
    return live


def post(coverage: Any, text: str, *, by: Any = COMMAND, **more: Any) -> Update:
    return services.add_update(coverage, by=by, text=text, **more)


def updates_on(html: str) -> list[str]:
    return re.findall(r'<li class="live__update" id="(wpis-\d+)"', html)


def test_the_page_shows_key_facts_and_updates_newest_first_each_with_its_address(
    client, coverage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = post(coverage, "Woda przybiera o 5 cm na godzinę.")
        second = post(coverage, "Strażacy układają worki na ul. Rybnickiej.")
    html = client.get(coverage.article.get_absolute_url()).content.decode()
    assert "<title>[NA ŻYWO] Wysoka woda na Odrze" in html
    assert "<li>Most Zamkowy zamknięty</li>" in html
    assert updates_on(html) == [f"wpis-{second.pk}", f"wpis-{first.pk}"]
    assert f'href="#wpis-{first.pk}"' in html
    # Readers without JavaScript are told to reload; with it, the page polls.
    assert "odśwież" in html.lower()
    assert f'data-live-poll="/na-zywo/{coverage.pk}/"' in html


def test_a_readers_poll_is_304_until_an_update_and_then_carries_it(
    server, coverage, django_capture_on_commit_callbacks
):
    url = coverage.poll_url()
    first = server(url)
    assert (first.status, first.headers["x-cache"]) == (200, "MISS")
    assert json.loads(first.body)["updates"] == []
    # Browsers ask every time and revalidate; proxies keep it only briefly.
    control = first.headers["cache-control"]
    assert "max-age=0" in control and "s-maxage=2" in control
    assert "stale-while-revalidate=2" in control
    same = server(url, if_none_match=first.headers["etag"])
    assert same.status == 304
    with django_capture_on_commit_callbacks(execute=True):
        update = post(coverage, "Wał w Brzeziu przesiąka, trwa ewakuacja.")
    changed = server(url, if_none_match=first.headers["etag"])
    assert changed.status == 200
    data = json.loads(changed.body)
    assert [item["id"] for item in data["updates"]] == [update.pk]
    assert "Wał w Brzeziu przesiąka" in data["updates"][0]["html"]
    assert data["live"] is True
    # The article page is fresh too: its copy was purged with the poll.
    page = server(coverage.article.get_absolute_url())
    assert "Wał w Brzeziu przesiąka" in page.text


def test_the_poll_is_one_answer_for_every_reader(server, coverage, reader, client):
    client.force_login(reader)
    session = client.cookies["sessionid"].value
    anonymous = server(coverage.poll_url())
    logged_in = server(coverage.poll_url(), cookie=f"sessionid={session}")
    assert logged_in.headers["x-cache"] == "HIT"
    assert logged_in.body == anonymous.body


def test_the_poll_carries_the_newest_updates_only(coverage):
    for number in range(POLL_UPDATES + 3):
        post(coverage, f"Komunikat numer {number}.")
    data = Client().get(coverage.poll_url()).json()
    assert len(data["updates"]) == POLL_UPDATES
    assert f"Komunikat numer {POLL_UPDATES + 2}." in data["updates"][0]["html"]


def test_coverage_of_an_unpublished_article_is_not_public(make_article, client):
    draft = make_article(publish=False, title="Szkic relacji")
    live = services.start_coverage(draft, by=COMMAND)
    post(live, "Jeszcze nie dla czytelników.")
    assert client.get(live.poll_url()).status_code == 404


def test_ended_coverage_drops_the_marker_and_keeps_its_updates(
    client, coverage, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(coverage, "Fala kulminacyjna minęła Racibórz.")
        services.end_coverage(coverage, by=COMMAND)
    html = client.get(coverage.article.get_absolute_url()).content.decode()
    assert "[NA ŻYWO]" not in html
    assert "Fala kulminacyjna minęła Racibórz." in html
    assert "data-live-poll" in html and 'data-live="0"' in html
    assert "live.js" not in html
    assert client.get(coverage.poll_url()).json()["live"] is False
    # The lists lose the marker too.
    assert "[NA ŻYWO]" not in client.get(reverse("articles:home")).content.decode()


def test_an_empty_or_too_long_update_is_refused_in_polish(coverage):
    with pytest.raises(ValidationError) as empty:
        post(coverage, "   ")
    assert "Napisz wpis" in str(empty.value)
    with pytest.raises(ValidationError) as long:
        post(coverage, "a" * (MAX_UPDATE_CHARACTERS + 1))
    assert f"najwyżej {MAX_UPDATE_CHARACTERS} znaków" in str(long.value)
    assert not Update.objects.exists()


def test_journalists_post_and_edit_their_own_editors_run_the_coverage(
    coverage, journalist, editor
):
    from wiesci.accounts.models import User

    mine = post(coverage, "Relacjonuję z wału.", by=journalist)
    assert mine.byline == journalist.get_full_name()
    services.edit_update(mine, by=journalist, text="Relacjonuję z wału w Brzeziu.")
    other = staff_member_like(journalist, User)
    with pytest.raises(services.NotAllowed):
        services.edit_update(mine, by=other, text="Nie moje.")
    with pytest.raises(services.NotAllowed):
        services.delete_update(mine, by=journalist)
    with pytest.raises(services.NotAllowed):
        services.end_coverage(coverage, by=journalist)
    services.delete_update(mine, by=editor)
    services.end_coverage(coverage, by=editor)
    log = list(coverage.log.order_by("at", "pk").values_list("action", "by"))
    assert log == [
        (LogEntry.Action.STARTED, None),  # the command, named by by_system
        (LogEntry.Action.ADDED, journalist.pk),
        (LogEntry.Action.EDITED, journalist.pk),
        (LogEntry.Action.DELETED, editor.pk),
        (LogEntry.Action.ENDED, editor.pk),
    ]
    assert coverage.log.order_by("at", "pk").first().by_system == "command"


def staff_member_like(user: Any, model: Any) -> Any:
    """Another member of `user`'s newsroom role."""
    other = model.objects.create_user("druga-reporterka", "druga@example.pl", "x")
    other.is_staff = True
    other.save()
    other.groups.set(user.groups.all())
    return other


def test_the_desk_posts_an_update_with_a_photo_from_a_phone(
    coverage, journalist, django_capture_on_commit_callbacks
):
    desk = Client()
    desk.force_login(journalist)
    url = reverse("admin:live_coverage_change", args=[coverage.pk])
    assert desk.get(url).status_code == 200
    photo = io.BytesIO(image_bytes())
    photo.name = "z-walu.jpg"
    with django_capture_on_commit_callbacks(execute=True):
        answer = desk.post(
            url,
            {
                "action": "post",
                "text": "Worki z piaskiem na Bulwarach.",
                "photo": photo,
                "alt_text": "Strażacy układają worki z piaskiem",
            },
        )
    assert answer.status_code == 302
    update = Update.objects.get()
    assert update.photo is not None and update.photo.renditions
    assert update.photo.alt_text == "Strażacy układają worki z piaskiem"
    page = Client().get(coverage.article.get_absolute_url()).content.decode()
    assert "Worki z piaskiem na Bulwarach." in page
    assert 'alt="Strażacy układają worki z piaskiem"' in page


def test_a_bad_upload_on_the_desk_keeps_the_text_and_says_why(coverage, journalist):
    desk = Client()
    desk.force_login(journalist)
    url = reverse("admin:live_coverage_change", args=[coverage.pk])
    fake = io.BytesIO(b"To nie jest zdjecie, tylko tekst.")
    fake.name = "zdjecie.jpg"
    answer = desk.post(
        url,
        {
            "action": "post",
            "text": "Tekst, którego nie wolno zgubić.",
            "photo": fake,
            "alt_text": "Opis",
        },
    )
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "Tekst, którego nie wolno zgubić." in html
    assert 'class="errorlist' in html
    assert not Update.objects.exists()


def test_starting_coverage_twice_or_on_a_withdrawn_story_is_refused(
    coverage, make_article
):
    from wiesci.articles import services as articles

    with pytest.raises(ValidationError):
        services.start_coverage(coverage.article, by=COMMAND)
    withdrawn = make_article(title="Wycofany")
    articles.withdraw_article(withdrawn, by=COMMAND, note="Błąd.")
    with pytest.raises(ValidationError):
        services.start_coverage(withdrawn, by=COMMAND)


def test_the_page_and_the_poll_cost_the_same_queries_however_many_updates(
    coverage, make_photo
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cold(url: str) -> int:
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(url).status_code == 200
        return len(queries)

    post(coverage, "Pierwszy wpis.", photo=make_photo())
    page, poll = coverage.article.get_absolute_url(), coverage.poll_url()
    cold(page)  # what a process works out once (the catalogues, the clock)
    few = cold(page), cold(poll)
    for number in range(6):
        post(coverage, f"Wpis {number}.", photo=make_photo())
    assert (cold(page), cold(poll)) == few


def test_an_editor_starts_coverage_from_the_newsroom_and_journalists_edit_their_own(
    make_article, editor, journalist, django_capture_on_commit_callbacks
):
    article = make_article(title="Pożar w Nędzy")
    newsroom = Client()
    newsroom.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        answer = newsroom.post(
            reverse("admin:live_coverage_add"),
            {"article": article.pk, "key_facts": "Droga 919 zamknięta"},
        )
    assert answer.status_code == 302
    coverage = article.live_coverage
    assert coverage.is_live and coverage.facts == ["Droga 919 zamknięta"]
    assert answer["Location"] == reverse(
        "admin:live_coverage_change", args=[article.pk]
    )
    assert "[NA ŻYWO]" in Client().get(article.get_absolute_url()).content.decode()

    mine = post(coverage, "Na miejscu trzy zastępy straży.", by=journalist)
    desk = Client()
    desk.force_login(journalist)
    edit = reverse("admin:live_coverage_update", args=[coverage.pk, mine.pk])
    answer = desk.post(edit, {"text": "Na miejscu pięć zastępów straży."})
    assert answer.status_code == 302
    mine.refresh_from_db()
    assert mine.text == "Na miejscu pięć zastępów straży." and mine.edited_at
    theirs = post(coverage, "Wpis redaktorki.", by=editor)
    other = reverse("admin:live_coverage_update", args=[coverage.pk, theirs.pk])
    assert desk.get(other).status_code == 403
    # A journalist cannot end the coverage from the desk either.
    desk.post(
        reverse("admin:live_coverage_change", args=[coverage.pk]), {"action": "end"}
    )
    coverage.refresh_from_db()
    assert coverage.is_live
