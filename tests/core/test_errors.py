"""Every error a reader can meet answers in Polish, with its reason if it has one."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def polish_page(response, status: int, *texts: str) -> str:
    page = str(response.content.decode())
    assert response.status_code == status
    assert '<html lang="pl">' in page
    for text in texts:
        assert text in page, text
    for english in ("Forbidden", "Bad Request", "Server Error", "Not Found"):
        assert english not in page, english
    return page


def test_an_unknown_host_gets_a_polish_400(client):
    response = client.get("/", HTTP_HOST="obcy.example.com")
    polish_page(response, 400, "Nieprawidłowe żądanie")


def test_editing_someone_elses_comment_gets_a_polish_403_with_the_reason(
    client, make_article, reader, make_reader
):
    from wiesci.comments import services

    comment = services.post_comment(
        make_article(), author=make_reader(), body="Mój komentarz", token="x"
    )
    client.force_login(reader)
    response = client.get(reverse("comments:edit", args=[comment.pk]))
    polish_page(response, 403, "Możesz edytować tylko własne komentarze.")


def test_editing_ones_comment_too_late_gets_a_polish_403_with_the_reason(
    client, make_article, reader
):
    from wiesci.comments import services
    from wiesci.comments.models import Comment

    comment = services.post_comment(
        make_article(), author=reader, body="Mój komentarz", token="x"
    )
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    client.force_login(reader)
    response = client.get(reverse("comments:edit", args=[comment.pk]))
    polish_page(response, 403, "Tego komentarza nie można już edytować.")


def test_a_form_sent_without_its_token_gets_a_polish_403(make_article, reader):
    careful = Client(enforce_csrf_checks=True)
    careful.force_login(reader)
    article = make_article()
    response = careful.post(
        reverse("comments:post", args=[article.slug]), {"body": "Dzień dobry"}
    )
    polish_page(response, 403, "Formularz wygasł")


def test_an_unknown_address_gets_a_polish_404(client):
    polish_page(client.get("/nie-ma-takiej-strony/"), 404, "Nie znaleziono strony")


def test_a_withdrawn_article_gets_a_polish_410_with_the_newsrooms_note(
    client, make_article, editor
):
    from wiesci.articles import services

    article = make_article()
    services.withdraw_article(article, by=editor, note="Tekst zawierał błędy.")
    response = client.get(article.get_absolute_url())
    polish_page(response, 410, "Ten artykuł został wycofany", "Tekst zawierał błędy.")


def test_too_many_attempts_get_a_polish_429(client):
    url = reverse("account_signup")
    for i in range(21):  # allauth allows 20 sign-up attempts a minute
        response = client.post(url, {"email": f"bot{i}@example.pl"})
    polish_page(response, 429, "Zbyt wiele prób", "Odczekaj kilka minut")


def test_a_server_error_gets_a_polish_500(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    polish_page(response, 500, "Coś poszło nie tak")
