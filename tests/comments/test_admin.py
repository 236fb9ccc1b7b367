"""The moderation queue in the admin."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from wiesci.comments import services
from wiesci.comments.models import Comment, RemovalReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(client, editor):
    client.force_login(editor)
    return client


def test_queue_opens_on_waiting_comments(
    queue, make_article, reader, make_reader, holds_first
):
    article = make_article()
    services.post_comment(
        article, author=reader, body="Czekam na akceptację", token="a"
    )
    page = queue.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert "Czekam na akceptację" in page
    assert "pierwszy komentarz nowego czytelnika" in page


def test_remove_with_a_reason_from_the_queue(
    queue, make_article, reader, trusted, django_capture_on_commit_callbacks
):
    comment = services.post_comment(
        make_article(), author=reader, body="Spam!", token="a"
    )
    url = reverse("admin:comments_comment_changelist") + "?status=all"
    data = {"action": "remove", ACTION_CHECKBOX_NAME: [comment.pk]}
    form = queue.post(url, data)
    assert "powód usunięcia" in form.content.decode()
    reason = RemovalReason.objects.get(name="Spam lub reklama")
    with django_capture_on_commit_callbacks(execute=True):
        queue.post(
            url, {**data, "confirm": "1", "reason": reason.pk, "note": "Reklama."}
        )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REMOVED
    assert comment.removal_reason == reason
    assert "Spam lub reklama" in mail.outbox[0].body


def test_ban_from_the_queue_stops_the_reader(queue, make_article, reader, trusted):
    article = make_article()
    comment = services.post_comment(article, author=reader, body="Obelgi", token="a")
    url = reverse("admin:comments_comment_changelist") + "?status=all"
    data = {"action": "ban_authors", ACTION_CHECKBOX_NAME: [comment.pk], "confirm": "1"}
    queue.post(url, {**data, "days": "7", "reason": "Obelgi wobec sąsiadów."})
    reader.refresh_from_db()
    assert reader.is_banned
    assert reader.banned_until > timezone.now() + timedelta(days=6)
    queue.post(url, {**data, "days": "", "reason": "Na stałe."})
    reader.refresh_from_db()
    assert reader.banned_until > timezone.now() + timedelta(days=3650)


def test_social_log_in_appears_only_once_configured(client):
    from allauth.socialaccount.models import SocialApp
    from django.contrib.sites.models import Site

    login = reverse("account_login")
    assert "Google" not in client.get(login).content.decode()
    app = SocialApp.objects.create(
        provider="google", name="Google", client_id="id", secret="s"
    )
    app.sites.add(Site.objects.get_current())
    assert "Google" in client.get(login).content.decode()


def test_approving_a_deleted_comment_from_the_queue_warns_and_keeps_it_deleted(
    queue, make_article, reader, make_reader, trusted
):
    comment = services.post_comment(
        make_article(), author=reader, body="Jednak nie", token="a"
    )
    other = services.post_comment(
        make_article(), author=make_reader(), body="Inny", token="b"
    )
    Comment.objects.filter(pk=other.pk).update(status=Comment.Status.PENDING)
    services.delete_own_comment(comment, by=reader)
    url = reverse("admin:comments_comment_changelist") + "?status=all"
    response = queue.post(
        url,
        {"action": "approve", ACTION_CHECKBOX_NAME: [comment.pk, other.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Autor usunął ten komentarz" in page
    assert "Zatwierdzono 1 komentarz." in page
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.DELETED
    assert Comment.objects.get(pk=other.pk).status == Comment.Status.APPROVED
