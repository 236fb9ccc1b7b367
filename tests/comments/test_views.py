"""Comments through the pages readers use."""

import re

import pytest
from django.urls import reverse

from wiesci.comments.models import Comment
from wiesci.core.actors import COMMAND

pytestmark = pytest.mark.django_db


def form_token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_reader_posts_and_sees_the_comment_with_links_made_safe(
    client, make_article, reader, trusted
):
    article = make_article()
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Dodaj komentarz" in page
    body = "Byłem tam.\n\nZdjęcia: https://zdjecia.example.pl/festyn"
    response = client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": body, "token": form_token(page)},
    )
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"] == f"{article.get_absolute_url()}#komentarz-{comment.pk}"
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Komentarze (1)" in page
    assert "<p>Byłem tam.</p>" in page
    assert 'href="https://zdjecia.example.pl/festyn" rel="nofollow ugc"' in page
    assert "Sąsiad z Ocic" in page
    assert "sasiad@example.pl" not in page


def test_html_in_a_comment_is_shown_as_text(client, make_article, reader, trusted):
    article = make_article()
    payload = (
        '<script>alert("x")</script><a href="javascript:alert(1)" onclick=x>klik</a>'
    )
    client.force_login(reader)
    client.post(
        reverse("comments:post", args=[article.slug]), {"body": payload, "token": "t1"}
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<script>alert("x")</script>' not in page
    assert '<a href="javascript' not in page


def test_a_refused_comment_keeps_its_text_and_says_why(
    client, make_article, reader, trusted
):
    article = make_article()
    client.force_login(reader)
    long_text = "Bardzo długi komentarz. " * 200
    response = client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": long_text, "token": "t1"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Komentarz jest za długi" in page
    assert long_text.strip()[:200] in page
    assert not Comment.objects.exists()


def test_posting_too_fast_answers_429(client, make_article, reader, trusted):
    article = make_article()
    client.force_login(reader)
    url = reverse("comments:post", args=[article.slug])
    client.post(url, {"body": "Raz", "token": "t1"})
    response = client.post(url, {"body": "Dwa", "token": "t2"})
    assert response.status_code == 429
    assert "Komentujesz zbyt szybko" in response.content.decode()


def test_anonymous_posts_are_sent_to_log_in(client, make_article):
    article = make_article()
    response = client.post(
        reverse("comments:post", args=[article.slug]), {"body": "x", "token": "t"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Comment.objects.exists()


def test_a_pending_comment_is_shown_to_its_author_alone_marked_as_waiting(
    client, make_article, reader, make_reader, holds_first
):
    article = make_article()
    client.force_login(reader)
    response = client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "Pierwszy raz tutaj.", "token": "t1"},
        follow=True,
    )
    page = response.content.decode()
    assert "Komentarz pojawi się po akceptacji redakcji." in page
    assert "Pierwszy raz tutaj." in page
    assert "czeka na akceptację redakcji" in page
    assert "Komentarze (0)" in page
    client.force_login(make_reader())
    assert (
        "Pierwszy raz tutaj."
        not in client.get(article.get_absolute_url()).content.decode()
    )
    client.logout()
    assert (
        "Pierwszy raz tutaj."
        not in client.get(article.get_absolute_url()).content.decode()
    )


def test_reader_reports_and_edits_through_the_pages(
    client, make_article, reader, make_reader, trusted
):
    article = make_article()
    client.force_login(reader)
    client.post(
        reverse("comments:post", args=[article.slug]), {"body": "Tekst", "token": "a"}
    )
    comment = Comment.objects.get()
    response = client.post(
        reverse("comments:edit", args=[comment.pk]), {"body": "Tekst poprawiony"}
    )
    assert response.status_code == 302
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Tekst poprawiony" in page
    assert "edytowano" in page
    client.force_login(make_reader())
    response = client.post(
        reverse("comments:report", args=[comment.pk]),
        {"reason": "spam", "good_faith": "on"},
        follow=True,
    )
    assert "Redakcja przyjrzy się temu komentarzowi." in response.content.decode()
    assert comment.reports.count() == 1


def test_comments_of_a_deleted_account_stay_anonymous(
    client, make_article, reader, trusted
):
    article = make_article()
    client.force_login(reader)
    client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "Zostaję.", "token": "a"},
    )
    response = client.post(
        reverse("accounts:delete"), {"password": "Odra-1997-powodz"}, follow=True
    )
    assert "Twoje konto zostało usunięte." in response.content.decode()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Zostaję." in page
    assert "Konto usunięte" in page
    assert "Sąsiad z Ocic" not in page


def test_article_page_queries_do_not_grow_with_comments(
    client, make_article, make_reader, trusted, django_assert_max_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wiesci.comments import services

    article = make_article()

    def queries() -> int:
        cache.clear()  # cold fragments: the most a page can cost
        with CaptureQueriesContext(connection) as captured:
            client.get(article.get_absolute_url())
        return len(captured)

    first = make_reader()
    services.post_comment(article, author=first, body="Jeden", token="a")
    queries()
    few = queries()
    for i in range(30):
        services.post_comment(
            article, author=make_reader(), body=f"Głos {i}", token=f"b{i}"
        )
    assert queries() == few


def test_banned_reader_cannot_edit_through_the_page(
    client, make_article, reader, trusted
):
    from datetime import timedelta

    from django.utils import timezone

    from wiesci.accounts.services import ban_reader
    from wiesci.comments import services

    comment = services.post_comment(
        make_article(), author=reader, body="Przed banem.", token="a"
    )
    ban_reader(
        reader, until=timezone.now() + timedelta(days=2), reason="Obelgi.", by=COMMAND
    )
    client.force_login(reader)
    url = reverse("comments:edit", args=[comment.pk])
    for response in (client.get(url), client.post(url, {"body": "Po banie."})):
        assert response.status_code == 403
        assert "Nie możesz komentować do" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).body == "Przed banem."


def test_an_edit_adding_links_tells_the_reader_it_waits_again(
    client, make_article, reader, trusted
):
    from wiesci.comments import services

    article = make_article()
    comment = services.post_comment(article, author=reader, body="Tekst", token="a")
    client.force_login(reader)
    response = client.post(
        reverse("comments:edit", args=[comment.pk]),
        {"body": "odra.com rada.org biuro@example.pl"},
        follow=True,
    )
    page = response.content.decode()
    assert "pojawi się ponownie po akceptacji" in page
    # Its author still sees it, marked as waiting; nobody else does.
    assert "czeka na akceptację redakcji" in page
    client.logout()
    assert "rada.org" not in client.get(article.get_absolute_url()).content.decode()


def test_the_delete_page_of_a_removed_comment_says_it_stays_removed(
    client, make_article, reader, editor, trusted
):
    from wiesci.comments import services
    from wiesci.comments.models import RemovalReason

    comment = services.post_comment(
        make_article(), author=reader, body="Obelga", token="a"
    )
    services.remove_comment(comment, by=editor, reason=RemovalReason.objects.all()[0])
    client.force_login(reader)
    url = reverse("comments:delete", args=[comment.pk])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 400
        assert "Redakcja usunęła już ten komentarz" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.REMOVED


def test_a_comment_not_shown_on_the_site_cannot_be_opened_for_a_report(
    client, make_article, reader, make_reader
):
    from wiesci.comments import services

    comment = services.post_comment(
        make_article(), author=reader, body="Czeka na redakcję", token="a"
    )
    comment.status = Comment.Status.PENDING
    comment.save()
    client.force_login(make_reader())
    url = reverse("comments:report", args=[comment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "spam"}).status_code == 404
    assert not comment.reports.exists()


def test_the_author_sees_their_removed_comment_in_place_with_the_reasons(
    client, make_article, reader, make_reader, editor, trusted
):
    from wiesci.comments import services
    from wiesci.comments.models import RemovalReason

    article = make_article()
    comment = services.post_comment(
        article, author=reader, body="Ten sąsiad to oszust!", token="a"
    )
    services.post_comment(
        article, author=make_reader(), body="Widoczny komentarz", token="b"
    )
    reason = RemovalReason.objects.get(name="Nieprawdziwe zarzuty")
    services.remove_comment(comment, by=editor, reason=reason, note="Bez dowodów.")

    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'id="komentarz-{comment.pk}"' in page
    assert "Twój komentarz został usunięty" in page
    assert "Powód: Nieprawdziwe zarzuty." in page
    assert reason.explanation in page
    assert "Uwaga moderatora: Bez dowodów." in page
    assert "Komentarze (1)" in page

    for viewer in (make_reader(), None):
        if viewer is None:
            client.logout()
        else:
            client.force_login(viewer)
        page = client.get(article.get_absolute_url()).content.decode()
        assert "Widoczny komentarz" in page
        assert "Ten sąsiad to oszust!" not in page
        assert f'id="komentarz-{comment.pk}"' not in page
        assert "został usunięty" not in page
        assert "Bez dowodów." not in page


def test_banned_reader_cannot_post_and_is_told_why(client, make_article, reader):
    from datetime import timedelta

    from django.utils import timezone

    from wiesci.accounts.services import ban_reader

    article = make_article()
    ban_reader(
        reader, until=timezone.now() + timedelta(days=2), reason="Obelgi.", by=COMMAND
    )
    client.force_login(reader)
    response = client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "Mimo blokady", "token": "t1"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nie możesz komentować do" in page
    assert "Powód: Obelgi." in page
    assert "Mimo blokady</textarea>" in page  # given back, not lost
    assert not Comment.objects.exists()


def test_unverified_reader_cannot_post_and_is_told_why(
    client, make_article, make_reader
):
    article = make_article()
    client.force_login(make_reader(verified=False))
    response = client.post(
        reverse("comments:post", args=[article.slug]),
        {"body": "Bez potwierdzenia", "token": "t1"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Najpierw potwierdź swój adres e-mail" in page
    assert "Bez potwierdzenia</textarea>" in page
    assert not Comment.objects.exists()


def test_anonymous_readers_stop_being_invited_once_comments_close_by_themselves(
    client, make_article, time_machine
):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    time_machine.move_to(now, tick=False)
    # Comments close 30 days after publication: three minutes from now.
    article = make_article(at=now - timedelta(days=30) + timedelta(minutes=3))
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Aby dodać komentarz musisz być zalogowany" in page
    time_machine.shift(timedelta(minutes=5))  # well within the fragment's 10 minutes
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Komentarze pod tym artykułem są zamknięte." in page
    assert "Aby dodać komentarz musisz być zalogowany" not in page
