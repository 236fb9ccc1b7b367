"""Notice and action open to anyone, statements of reasons, appeals and the
yearly transparency count (Digital Services Act, Articles 16, 17, 20)."""

import csv
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import staff_member
from wiesci.comments import services
from wiesci.comments.models import Appeal, Comment, RemovalReason, Report
from wiesci.comments.moderation import CommentRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(make_article, reader, trusted):
    article = make_article()
    return services.post_comment(
        article, author=reader, body="Sąsiad spod siódemki kradnie prąd.", token="k1"
    )


def report_anonymously(client, comment, **extra):
    data = {"reason": "personal", "good_faith": "on", **extra}
    return client.post(reverse("comments:report", args=[comment.pk]), data)


def test_an_anonymous_report_reaches_the_queue_at_once(client, comment, editor):
    page = client.get(comment.article.get_absolute_url()).content.decode()
    assert reverse("comments:report", args=[comment.pk]) in page
    response = report_anonymously(client, comment, contact="ktos@example.pl")
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.reporter is None
    assert report.fingerprint
    assert report.contact == "ktos@example.pl"
    # One report is far from hiding it, but the newsroom sees it now.
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    desk = Client()
    desk.force_login(editor)
    queue = desk.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert "Sąsiad spod siódemki" in queue


def test_the_same_address_reports_a_comment_once(client, comment):
    report_anonymously(client, comment)
    report_anonymously(client, comment, reason="spam")
    assert Report.objects.count() == 1


def test_anonymous_reports_are_rate_limited_with_a_polish_message(
    client, comment, make_reader, settings
):
    settings.WIESCI_REPORTS_PER_HOUR = 1
    report_anonymously(client, comment)
    other = services.post_comment(
        comment.article, author=make_reader(), body="Drugi komentarz.", token="k2"
    )
    response = report_anonymously(client, other)
    assert response.status_code == 429
    assert "Wysłano wiele zgłoszeń w krótkim czasie" in response.content.decode()
    assert Report.objects.count() == 1


def test_a_report_needs_the_good_faith_statement(client, comment):
    response = client.post(
        reverse("comments:report", args=[comment.pk]), {"reason": "spam"}
    )
    assert response.status_code == 200
    assert "Potwierdź, że zgłaszasz w dobrej wierze." in response.content.decode()
    assert not Report.objects.exists()


def test_the_most_reported_comment_leads_the_queue(
    client, comment, make_reader, editor
):
    quieter = services.post_comment(
        comment.article,
        author=make_reader(),
        body="Mniej zgłaszany.",
        token="k3",
    )
    services.report_comment(quieter, by=make_reader(), reason="spam")
    for _ in range(2):
        services.report_comment(comment, by=make_reader(), reason="personal")
    desk = Client()
    desk.force_login(editor)
    queue = desk.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert queue.index("Sąsiad spod siódemki") < queue.index("Mniej zgłaszany.")


def test_a_reporter_is_told_the_outcome(
    client, comment, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_anonymously(client, comment, contact="ktos@example.pl")
        mail.outbox.clear()
        reason = RemovalReason.objects.get_or_create(
            name="Dane osobowe",
            defaults={"explanation": "Komentarz ujawniał dane sąsiada."},
        )[0]
        services.remove_comment(comment, by=editor, reason=reason)
    told = [m for m in mail.outbox if m.to == ["ktos@example.pl"]]
    assert len(told) == 1
    assert "Redakcja usunęła komentarz." in told[0].body
    report = Report.objects.get()
    assert (report.outcome, report.resolved_by) == ("removed", editor)


@pytest.fixture
def removed(comment, editor, django_capture_on_commit_callbacks):
    reason = RemovalReason.objects.get_or_create(
        name="Dane osobowe",
        defaults={"explanation": "Komentarz ujawniał dane sąsiada."},
    )[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_comment(comment, by=editor, reason=reason)
    return comment


def test_the_statement_of_reasons_names_the_appeal_route(removed, reader):
    (notice,) = [m for m in mail.outbox if m.to == [reader.email]]
    assert "Dane osobowe" in notice.body
    assert reverse("comments:appeal", args=[removed.pk]) in notice.body
    assert "odwołać" in notice.body
    author = Client()
    author.force_login(reader)
    page = author.get(removed.article.get_absolute_url()).content.decode()
    assert reverse("comments:appeal", args=[removed.pk]) in page


def test_an_appeal_is_decided_by_a_second_editor(
    removed, reader, editor, django_capture_on_commit_callbacks
):
    second = staff_member("zastepca", "Redaktor")
    author = Client()
    author.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = author.post(
            reverse("comments:appeal", args=[removed.pk]),
            {"text": "To informacja publiczna, nie dane osobowe."},
        )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.removed_by == editor
    with pytest.raises(PermissionDenied, match="inny moderator"):
        services.decide_appeal(appeal, by=editor, restore=True)
    assert any(m.to == [second.email] for m in mail.outbox)
    assert not any(
        m.to == [editor.email] and "odwołanie" in m.subject.lower() for m in mail.outbox
    )
    desk = Client()
    desk.force_login(second)
    url = reverse("admin:comments_appeal_change", args=[appeal.pk])
    assert "To informacja publiczna" in desk.get(url).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(
            url,
            {"decision": "restore", "decision_note": "Chodzi o dane firmy."},
            follow=True,
        )
    assert "Odwołanie rozstrzygnięte" in response.content.decode()
    appeal.refresh_from_db()
    removed.refresh_from_db()
    assert (appeal.status, appeal.decided_by) == ("reversed", second)
    assert removed.status == Comment.Status.APPROVED
    (outcome,) = mail.outbox
    assert outcome.to == [reader.email]
    assert "komentarz jest znów widoczny" in outcome.body
    assert "Chodzi o dane firmy." in outcome.body


def test_the_removing_editor_is_refused_in_the_admin_too(removed, reader, editor):
    services.appeal_removal(removed, by=reader, text="Proszę o ponowne spojrzenie.")
    appeal = Appeal.objects.get()
    desk = Client()
    desk.force_login(editor)
    url = reverse("admin:comments_appeal_change", args=[appeal.pk])
    response = desk.post(url, {"decision": "uphold"}, follow=True)
    assert "inny moderator" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.PENDING


def test_only_the_author_may_appeal_and_only_once_at_a_time(
    removed, reader, make_reader
):
    with pytest.raises(PermissionDenied):
        services.appeal_removal(removed, by=make_reader(), text="Nie mój, ale…")
    services.appeal_removal(removed, by=reader, text="Pierwsze odwołanie.")
    with pytest.raises(CommentRefused, match="już czeka"):
        services.appeal_removal(removed, by=reader, text="Drugie.")


def test_the_transparency_count_exports_as_csv(client, removed, reader, editor):
    services.appeal_removal(removed, by=reader, text="Odwołuję się.")
    second = staff_member("zastepca", "Redaktor")
    services.decide_appeal(Appeal.objects.get(), by=second, restore=False)
    Report.objects.create(comment=removed, fingerprint="abc", reason="spam")
    desk = Client()
    desk.force_login(editor)
    year = timezone.localdate().year
    response = desk.get(
        reverse("admin:comments_transparency"), {"rok": str(year), "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = dict(csv.reader(io.StringIO(response.content.decode())))
    assert rows["Zgłoszenia"] == "1"
    assert rows["… od anonimowych czytelników"] == "1"
    assert rows["Komentarze usunięte przez redakcję"] == "1"
    assert rows["Odwołania"] == "1"
    assert rows["Odwołania: usunięcie utrzymane"] == "1"
    assert rows["Odwołania: usunięcie cofnięte"] == "0"
    page = desk.get(reverse("admin:comments_transparency")).content.decode()
    assert "Odwołania: usunięcie utrzymane" in page
    readers_view = Client()
    readers_view.force_login(reader)
    assert readers_view.get(reverse("admin:comments_transparency")).status_code == 302
