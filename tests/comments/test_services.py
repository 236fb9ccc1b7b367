"""The comment policy: who posts, what waits, what is refused and why, in Polish."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from wiesci.accounts.services import ban_reader
from wiesci.articles.models import Article
from wiesci.comments import access, services
from wiesci.comments.models import Comment, ModerationSettings, RemovalReason
from wiesci.comments.moderation import CommentRefused
from wiesci.core.actors import COMMAND

pytestmark = pytest.mark.django_db

counter = iter(range(1_000_000))


def post(article, author, body="Dobry artykuł.", **kwargs):
    kwargs.setdefault("token", f"t{next(counter)}")
    return services.post_comment(article, author=author, body=body, **kwargs)


@pytest.fixture
def no_pace(settings):
    """For tests about something else than how often readers post."""
    settings.WIESCI_COMMENT_INTERVAL = 0
    settings.WIESCI_COMMENT_INTERVAL_NEW = 0


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def count(article):
    return Article.objects.get(pk=article.pk).comment_count


def test_post_moderation_shows_a_trusted_readers_comment_at_once(
    make_article, reader, trusted
):
    article = make_article()
    comment = post(article, reader)
    assert comment.status == Comment.Status.APPROVED
    assert count(article) == 1


def test_post_moderation_is_the_default_even_for_a_first_comment(
    make_article, make_reader
):
    article = make_article()
    comment = post(article, make_reader(days_old=0), "Dzień dobry, sąsiedzi!")
    assert comment.status == Comment.Status.APPROVED
    assert count(article) == 1


def test_a_new_readers_first_comment_waits_for_an_editor(
    make_article, reader, editor, no_pace, holds_first
):
    article = make_article()
    first = post(article, reader)
    assert (first.status, first.held_because) == ("pending", "new_reader")
    assert count(article) == 0
    services.approve_comment(first, by=editor)
    assert count(article) == 1
    assert post(article, reader, "Drugi komentarz.").status == Comment.Status.APPROVED


def test_pre_moderation_per_site_and_per_article(
    make_article, reader, trusted, no_pace
):
    held = make_article(comments_premoderated=True)
    assert post(held, reader).held_because == "premoderation"
    policy = ModerationSettings.current()
    policy.premoderate_all = True
    policy.save()
    other = make_article()
    assert (
        post(
            other,
            reader,
            "Inny tekst.",
        ).status
        == Comment.Status.PENDING
    )


def test_more_than_two_links_wait(make_article, reader, trusted, no_pace):
    article = make_article()
    body = "Zobacz https://a.example.pl i https://b.example.pl oraz www.c.example.pl"
    assert post(article, reader, body).held_because == "links"
    assert post(
        article, reader, "Tylko https://a.example.pl i www.b.pl", token="x"
    ).status == ("approved")


@pytest.mark.parametrize(
    "body",
    [
        "Piszcie: rada@example.pl, biuro@example.pl albo sekretariat@example.pl",
        "Zobaczcie example.com, example.org i www.raciborz.pl",
        "Strony: raciborz.com, https://a.example.pl, kontakt@example.pl",
    ],
)
def test_three_links_of_any_kind_the_page_makes_clickable_wait(
    make_article, reader, trusted, body
):
    comment = post(make_article(), reader, body)
    assert (comment.status, comment.held_because) == ("pending", "links")


def test_two_clickable_links_and_plain_domains_do_not_wait(
    make_article, reader, trusted
):
    # urlize leaves .pl domains without a scheme or "www." as text.
    body = "Zobacz example.com i kontakt@example.pl, a także raciborz.pl"
    assert post(make_article(), reader, body).status == Comment.Status.APPROVED


def test_an_approved_comment_edited_to_carry_many_links_waits_again(
    make_article, reader, trusted
):
    article = make_article()
    comment = post(article, reader, "Zwykły komentarz.")
    assert count(article) == 1
    services.edit_comment(
        comment, by=reader, body="odra.com rada.org c@example.pl https://d.example.pl"
    )
    comment.refresh_from_db()
    assert (comment.status, comment.held_because) == ("pending", "links")
    assert count(article) == 0


def test_an_approved_comment_edited_under_pre_moderation_waits_again(
    make_article, reader, trusted
):
    article = make_article()
    comment = post(article, reader, "Zwykły komentarz.")
    policy = ModerationSettings.current()
    policy.premoderate_all = True
    policy.save()
    services.edit_comment(comment, by=reader, body="Zmieniony komentarz.")
    comment.refresh_from_db()
    assert (comment.status, comment.held_because) == ("pending", "premoderation")


def test_a_comment_hidden_by_reports_stays_hidden_after_an_edit(
    make_article, reader, make_reader, trusted
):
    article = make_article()
    comment = post(article, reader, "Sporny komentarz.")
    for _ in range(3):
        services.report_comment(comment, by=make_reader(), reason="offensive")
    services.edit_comment(comment, by=reader, body="Już grzeczny komentarz.")
    comment.refresh_from_db()
    assert (comment.status, comment.held_because) == ("pending", "reports")


def test_an_edit_longer_than_the_limit_is_refused_and_keeps_the_text(
    make_article, reader, trusted
):
    comment = post(make_article(), reader, "Krótki.")
    with pytest.raises(CommentRefused, match="Komentarz jest za długi: 3001 znaków"):
        services.edit_comment(comment, by=reader, body="x" * 3001)
    assert Comment.objects.get(pk=comment.pk).body == "Krótki."


def test_a_banned_reader_cannot_edit_their_comment(make_article, reader, trusted):
    comment = post(make_article(), reader, "Przed banem.")
    ban_reader(
        reader, until=timezone.now() + timedelta(days=3), reason="obelgi", by=COMMAND
    )
    assert not access.can_edit(comment, reader)
    with pytest.raises(CommentRefused, match="Nie możesz komentować do"):
        services.edit_comment(comment, by=reader, body="Po banie.")
    assert Comment.objects.get(pk=comment.pk).body == "Przed banem."


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("unverified", "Najpierw potwierdź swój adres e-mail"),
        ("banned", "Nie możesz komentować do"),
        ("closed", "Komentarze pod tym artykułem są zamknięte."),
        ("old", "Komentarze pod tym artykułem są zamknięte."),
        ("draft", "Komentarze pod tym artykułem są zamknięte."),
        ("too_long", "Komentarz jest za długi: 3001 znaków, limit to 3000."),
        ("empty", "Napisz coś przed wysłaniem."),
    ],
)
def test_refusals_explain_themselves_in_polish(
    make_article, make_reader, trusted, setup, message
):
    author = make_reader(verified=setup != "unverified")
    article = make_article(
        publish=setup != "draft",
        comments_open=setup != "closed",
        at=timezone.now() - timedelta(days=31) if setup == "old" else None,
    )
    if setup == "banned":
        ban_reader(
            author,
            until=timezone.now() + timedelta(days=3),
            reason="obelgi",
            by=COMMAND,
        )
    body = {"too_long": "x" * 3001, "empty": "   "}.get(setup, "Treść")
    with pytest.raises(CommentRefused, match=message):
        post(article, author, body)
    assert not Comment.objects.exists()


def test_banned_reader_is_told_until_when_and_why(make_article, reader, trusted):
    ban_reader(
        reader,
        until=timezone.now() + timedelta(days=7),
        reason="Wulgaryzmy.",
        by=COMMAND,
    )
    with pytest.raises(
        CommentRefused, match=r"do \d+ \w+ \d{4}, \d\d:\d\d\. Powód: Wulgaryzmy"
    ):
        post(make_article(), reader)


def test_new_accounts_wait_30_seconds_and_older_ones_10(
    make_article, make_reader, trusted, clock
):
    article = make_article()
    newcomer, regular = make_reader(days_old=2), make_reader(days_old=60)
    post(article, newcomer, "Pierwszy.")
    post(article, regular, "Pierwszy.")
    clock.shift(timedelta(seconds=12))
    with pytest.raises(CommentRefused, match="Odczekaj jeszcze 18 sekund"):
        post(article, newcomer, "Drugi.")
    assert post(article, regular, "Drugi.").pk
    clock.shift(timedelta(seconds=19))
    assert post(article, newcomer, "Drugi.").pk


def test_the_same_text_again_within_five_minutes_is_refused(
    make_article, reader, trusted, clock
):
    article = make_article()
    post(article, reader, "Brawo dla strażaków!")
    clock.shift(timedelta(minutes=2))
    with pytest.raises(CommentRefused, match="ten sam tekst"):
        post(article, reader, "Brawo dla strażaków!")
    clock.shift(timedelta(minutes=4))
    assert post(article, reader, "Brawo dla strażaków!").pk


def test_day_one_accounts_have_a_daily_cap(
    make_article, make_reader, trusted, clock, settings
):
    settings.WIESCI_COMMENT_DAY_ONE_CAP = 3
    article = make_article()
    newcomer = make_reader(days_old=0)
    for i in range(3):
        post(article, newcomer, f"Komentarz {i}")
        clock.shift(timedelta(seconds=31))
    with pytest.raises(CommentRefused, match="w pierwszym dniu 3 komentarze"):
        post(article, newcomer, "Czwarty")


def test_a_resent_form_makes_one_comment(make_article, reader, trusted):
    article = make_article()
    first = post(article, reader, token="formularz-1")
    again = post(article, reader, token="formularz-1")
    assert first == again
    assert Comment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_of_one_form_store_one_comment(
    make_article, reader, trusted
):
    article = make_article()
    barrier = threading.Barrier(20)
    results, errors = [], []

    def send():
        try:
            barrier.wait(timeout=10)
            results.append(
                post(article, reader, "Jeden raz.", token="podwojne-klikniecie").pk
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(results) == 20
    assert len(set(results)) == 1
    assert Comment.objects.count() == 1
    assert count(article) == 1


def test_html_and_script_are_kept_as_text(make_article, reader, trusted):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    comment = post(make_article(), reader, payload)
    assert comment.body == payload


def test_replies_go_one_level_deep(make_article, reader, make_reader, trusted, no_pace):
    article = make_article()
    top = post(article, reader, "Pytanie?")
    answer = post(article, make_reader(), "Odpowiedź.", parent=top)
    reply_to_answer = post(article, make_reader(), "A ja dodam.", parent=answer)
    assert answer.parent == top
    assert reply_to_answer.parent == top


def test_authors_edit_within_15_minutes_and_delete_their_own(
    make_article, reader, trusted, clock
):
    article = make_article()
    comment = post(article, reader, "Literówka w tekscie.")
    services.edit_comment(comment, by=reader, body="Literówka w tekście.")
    assert comment.edited_at is not None
    clock.shift(timedelta(minutes=16))
    with pytest.raises(Exception, match="nie można już edytować"):
        services.edit_comment(comment, by=reader, body="Za późno.")
    services.delete_own_comment(comment, by=reader)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.DELETED
    assert count(article) == 0


def test_reports_from_distinct_readers_hide_a_comment_and_tell_editors(
    make_article,
    reader,
    make_reader,
    editor,
    trusted,
    django_capture_on_commit_callbacks,
):
    article = make_article()
    comment = post(article, reader, "Sporny komentarz.")
    reporters = [make_reader() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        services.report_comment(comment, by=reporters[0], reason="offensive")
        services.report_comment(
            comment, by=reporters[0], reason="offensive"
        )  # twice: once
        services.report_comment(comment, by=reporters[1], reason="spam")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    with django_capture_on_commit_callbacks(execute=True):
        services.report_comment(comment, by=reporters[2], reason="personal")
    comment.refresh_from_db()
    assert (comment.status, comment.held_because) == ("pending", "reports")
    assert count(article) == 0
    assert len(mail.outbox) == 3
    assert mail.outbox[-1].to == ["redaktorka@wiesci.example.pl"]
    assert mail.outbox[-1].subject == "Zgłoszono komentarz"
    assert "/admin/comments/comment/" in mail.outbox[-1].body


def test_removal_tells_the_author_why(
    make_article, reader, editor, trusted, django_capture_on_commit_callbacks
):
    comment = post(make_article(title="Sesja rady"), reader, "Obraźliwy tekst.")
    reason = RemovalReason.objects.get(name="Obraźliwe treści")
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_comment(
            comment, by=editor, reason=reason, note="Prosimy o kulturę."
        )
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.REMOVED
    (message,) = mail.outbox
    assert message.to == [reader.email]
    assert message.subject == "Twój komentarz został usunięty"
    assert "Sesja rady" in message.body
    assert "Obraźliwe treści" in message.body
    assert reason.explanation in message.body
    assert "Prosimy o kulturę." in message.body


def test_only_moderators_moderate(make_article, reader, make_reader, trusted):
    comment = post(make_article(), reader)
    with pytest.raises(Exception, match="Nie możesz moderować"):
        services.approve_comment(comment, by=make_reader())


@pytest.mark.parametrize("decision", ["remove", "reject"])
def test_an_author_cannot_delete_a_comment_the_newsroom_took_down(
    make_article, reader, editor, trusted, decision
):
    comment = post(make_article(), reader, "Obraźliwy tekst.")
    reason = RemovalReason.objects.get(name="Obraźliwe treści")
    if decision == "remove":
        services.remove_comment(comment, by=editor, reason=reason, note="Kultura.")
    else:
        services.reject_comment(comment, by=editor)
    with pytest.raises(CommentRefused, match="Redakcja usunęła już ten komentarz"):
        services.delete_own_comment(comment, by=reader)
    comment = Comment.objects.get(pk=comment.pk)
    assert comment.status == (
        Comment.Status.REMOVED if decision == "remove" else Comment.Status.REJECTED
    )
    if decision == "remove":
        assert (comment.removal_reason, comment.removal_note) == (reason, "Kultura.")


def test_an_author_cannot_delete_a_comment_removed_after_their_page_loaded(
    make_article, reader, editor, trusted
):
    comment = post(make_article(), reader, "Obraźliwy tekst.")
    stale = Comment.objects.get(pk=comment.pk)
    reason = RemovalReason.objects.get(name="Obraźliwe treści")
    services.remove_comment(comment, by=editor, reason=reason)
    with pytest.raises(CommentRefused, match="Redakcja usunęła już ten komentarz"):
        services.delete_own_comment(stale, by=reader)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.REMOVED


@pytest.mark.parametrize("action", ["approve", "reject", "remove"])
def test_a_comment_the_author_deleted_cannot_be_moderated_back(
    make_article, reader, editor, trusted, action
):
    article = make_article()
    comment = post(article, reader, "Jednak nie.")
    queued = Comment.objects.get(pk=comment.pk)  # as the moderation queue loaded it
    services.delete_own_comment(comment, by=reader)
    with pytest.raises(CommentRefused, match="Autor usunął ten komentarz"):
        if action == "remove":
            services.remove_comment(
                queued, by=editor, reason=RemovalReason.objects.all()[0]
            )
        else:
            getattr(services, f"{action}_comment")(queued, by=editor)
    assert Comment.objects.get(pk=comment.pk).status == Comment.Status.DELETED
    assert count(article) == 0


@pytest.mark.parametrize("state", ["pending", "removed", "deleted", "withdrawn"])
def test_readers_report_only_comments_shown_on_the_site(
    make_article, reader, make_reader, editor, trusted, state
):
    from wiesci.articles import services as articles

    article = make_article()
    comment = post(article, reader, "Komentarz.")
    if state == "pending":
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
    elif state == "removed":
        services.remove_comment(
            comment, by=editor, reason=RemovalReason.objects.all()[0]
        )
    elif state == "deleted":
        services.delete_own_comment(comment, by=reader)
    else:
        articles.withdraw_article(article, by=editor, note="Błąd w tekście.")
    comment = Comment.objects.select_related("article").get(pk=comment.pk)
    with pytest.raises(CommentRefused, match="Możesz zgłosić tylko komentarz"):
        services.report_comment(comment, by=make_reader(), reason="spam")
    assert not comment.reports.exists()


@pytest.mark.parametrize(
    ("cap", "words"),
    [
        (1, "1 komentarz."),
        (3, "3 komentarze."),
        (5, "5 komentarzy."),
        (20, "20 komentarzy."),
        (22, "22 komentarze."),
    ],
)
def test_the_daily_cap_is_told_with_the_right_polish_plural(
    make_article, make_reader, trusted, clock, settings, cap, words
):
    settings.WIESCI_COMMENT_DAY_ONE_CAP = cap
    article = make_article()
    newcomer = make_reader(days_old=0)
    for i in range(cap):
        post(article, newcomer, f"Komentarz {i}")
        clock.shift(timedelta(seconds=31))
    with pytest.raises(CommentRefused) as refused:
        post(article, newcomer, "Jeden za dużo")
    assert refused.value.message == (
        f"Nowe konta mogą opublikować w pierwszym dniu {words} Wróć jutro."
    )
