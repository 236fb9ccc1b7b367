"""The newsroom's first screen: what waits for whom, one click from each."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wiesci.articles import services
from wiesci.articles.models import Article
from wiesci.comments import services as comments

pytestmark = pytest.mark.django_db


def draft(by, title, section):
    return services.save_article(
        Article(title=title, lead="Lead.", section=section), by=by
    )


def desk(user):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_editor_sees_what_waits_for_review_with_a_link(editor, journalist, section):
    article = draft(journalist, "Most w Rudniku zamknięty", section)
    services.submit_for_review(article, by=journalist)
    page = desk(editor)
    assert "Czekają na akceptację" in page
    assert reverse("admin:articles_article_change", args=[article.pk]) in page
    assert "Most w Rudniku zamknięty" in page


def test_a_journalist_sees_their_returned_draft_with_the_note(
    editor, journalist, section
):
    article = draft(journalist, "Dożynki w Krzanowicach", section)
    services.submit_for_review(article, by=journalist)
    services.return_to_draft(article, by=editor, note="Dopisz, kto organizował.")
    page = desk(journalist)
    assert "Moje szkice" in page
    assert "Zwrócony: Dopisz, kto organizował." in page
    # Moderation is not a journalist's job.
    assert "Zgłoszone komentarze" not in page


def test_reported_comments_reach_the_moderators_dashboard(
    editor, make_article, reader, make_reader, trusted
):
    article = make_article()
    comment = comments.post_comment(
        article, author=reader, body="Komentarz do sprawdzenia.", token="t"
    )
    comments.report_comment(comment, by=make_reader(), reason="spam")
    page = desk(editor)
    assert "Zgłoszone komentarze" in page
    assert "Komentarz do sprawdzenia." in page
    assert reverse("admin:comments_comment_change", args=[comment.pk]) in page


def test_the_mine_filter_lists_only_the_viewers_drafts(editor, journalist, section):
    draft(journalist, "Szkic reportera", section)
    draft(editor, "Szkic redaktorki", section)
    client = Client()
    client.force_login(editor)
    page = client.get(
        reverse("admin:articles_article_changelist"),
        {"status__exact": "draft", "moje": "1"},
    ).content.decode()
    assert "Szkic redaktorki" in page
    assert "Szkic reportera" not in page


def test_the_dashboard_costs_the_same_queries_however_much_waits(
    editor, journalist, section, make_article, reader, make_reader, trusted
):
    client = Client()
    client.force_login(editor)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:index")).status_code == 200
        return len(captured)

    def add_work(number: int) -> None:
        article = draft(journalist, f"Tekst {number}", section)
        services.submit_for_review(article, by=journalist)
        published = make_article(title=f"Artykuł {number}")
        comment = comments.post_comment(
            published,
            author=make_reader(),
            body=f"Komentarz {number}",
            token=f"t{number}",
        )
        comments.report_comment(comment, by=make_reader(), reason="spam")

    add_work(0)
    queries()  # the first request fills per-process caches (content types)
    few = queries()
    for number in range(1, 12):
        add_work(number)
    assert queries() == few


def test_the_author_sees_on_the_dashboard_that_their_story_went_out(
    editor, journalist, section
):
    article = draft(journalist, "Nowy chodnik w Ocicach", section)
    services.submit_for_review(article, by=journalist)
    services.publish_article(article, by=editor)
    page = desk(journalist)
    assert "Ostatnio przy Twoich tekstach" in page
    assert "opublikowany" in page
    # Their own steps are not news to them.
    assert "wysłany do akceptacji" not in page
