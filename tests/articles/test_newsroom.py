"""Roles, transitions, the audit log, scheduling, revisions, previews, corrections."""

import subprocess
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests.conftest import run_wiesci
from wiesci.articles import access, services
from wiesci.articles.models import (
    Article,
    ArticleQuerySet,
    AuditEntry,
    Correction,
    GalleryItem,
    Label,
)
from wiesci.articles.signals import article_changed
from wiesci.core.actors import COMMAND, SCHEDULER

pytestmark = pytest.mark.django_db
Status = Article.Status


def actions(article):
    return list(article.audit.order_by("at", "pk").values_list("action", flat=True))


def change_form_data(client, article, **changes):
    """What the admin's change form of `article` posts as it stands, with `changes`.

    Values are given as a browser sends them: strings, lists of ids, and a
    pair for each date-and-time field (`published_at_0`, `published_at_1`).
    """
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    form = page.context["adminform"].form
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        widget = field.widget
        if hasattr(widget, "widgets"):
            for i, part in enumerate(widget.decompress(value)):
                data[f"{name}_{i}"] = "" if part is None else str(part)
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif value is not None:
            data[name] = str(value)
    for prefix in ("corrections", "audit"):
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


def post_change_form(client, article, **changes):
    url = reverse("admin:articles_article_change", args=[article.pk])
    return client.post(url, change_form_data(client, article, **changes), follow=True)


def draft(journalist, section, **fields):
    fields.setdefault("title", "Remont mostu na Odrze")
    fields.setdefault("lead", "Most zamknięty do piątku.")
    return services.save_article(Article(section=section, **fields), by=journalist)


def test_a_journalist_cannot_publish_an_editor_can(journalist, editor, section):
    article = draft(journalist, section)
    with pytest.raises(PermissionDenied, match="Tylko redaktorzy mogą publikować"):
        services.publish_article(article, by=journalist)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    services.publish_article(article, by=editor)
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


def test_each_transition_writes_the_audit_log(journalist, editor, section):
    article = draft(journalist, section)
    services.submit_for_review(article, by=journalist)
    services.return_to_draft(article, by=editor, note="Dopisz źródło.")
    services.submit_for_review(article, by=journalist)
    later = timezone.now() + timedelta(hours=8)
    services.publish_article(article, by=editor, at=later)
    services.return_to_draft(article, by=editor)
    services.publish_article(article, by=editor)
    services.add_correction(article, by=editor, text="Poprawiono nazwisko.")
    services.withdraw_article(article, by=editor, note="Na prośbę policji.")
    assert actions(article) == [
        "created",
        "submitted",
        "returned",
        "submitted",
        "scheduled",
        "unscheduled",
        "published",
        "corrected",
        "withdrawn",
    ]
    entries = article.audit.order_by("at", "pk")
    assert entries[0].by == journalist
    assert entries[2].by == editor and entries[2].note == "Dopisz źródło."
    assert entries.last().note == "Na prośbę policji."


def test_journalists_edit_only_their_own_drafts(journalist, editor, section):
    from tests.conftest import staff_member

    article = draft(journalist, section)
    colleague = staff_member("kolega", "Dziennikarz")
    assert access.can_edit(journalist, article)
    assert not access.can_edit(colleague, article)
    with pytest.raises(PermissionDenied):
        services.save_article(article, by=colleague)
    services.submit_for_review(article, by=journalist)
    assert not access.can_edit(journalist, Article.objects.get(pk=article.pk))
    assert access.can_edit(editor, article)
    assert list(access.visible_in_newsroom(colleague)) == []


def test_scheduled_story_reaches_the_home_page_at_its_time_with_no_command(
    client, editor, section, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    at = timezone.now() + timedelta(hours=3)
    article = services.publish_article(
        services.save_article(
            Article(title="Jutro o szóstej", lead="Lead", section=section), by=COMMAND
        ),
        by=editor,
        at=at,
    )
    assert article.status == Status.SCHEDULED
    assert "Jutro o szóstej" not in client.get("/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404
    time_machine.move_to(at + timedelta(seconds=1), tick=False)
    assert "Jutro o szóstej" in client.get("/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == 200


def due_articles(section, count):
    """`count` scheduled articles whose time has just passed."""
    articles = []
    for i in range(count):
        article = services.save_article(
            Article(title=f"Raport 998 nr {i}", lead="L", section=section), by=COMMAND
        )
        services.publish_article(
            article, at=timezone.now() + timedelta(seconds=1 + i), by=COMMAND
        )
        articles.append(article)
    Article.objects.filter(pk__in=[a.pk for a in articles]).update(
        published_at=timezone.now() - timedelta(minutes=1)
    )
    return articles


@pytest.mark.django_db(transaction=True)
def test_publication_side_effects_run_once_with_two_threads_racing(
    editor, section, monkeypatch
):
    """Both schedulers see the same due articles before either claims one."""
    articles = due_articles(section, 3)
    calls = []

    def receiver(sender, article, reason, **kwargs):
        calls.append((article.pk, reason))

    read = ArticleQuerySet.due_for_publication
    both_have_read = threading.Barrier(2)

    def read_then_wait(self, **kwargs):
        due = read(self, **kwargs)
        both_have_read.wait(timeout=10)
        return due

    monkeypatch.setattr(ArticleQuerySet, "due_for_publication", read_then_wait)
    published: list[int] = []

    def scheduler():
        try:
            published.extend(a.pk for a in services.run_due_publications(by=SCHEDULER))
        finally:
            connection.close()

    article_changed.connect(receiver)
    try:
        threads = [threading.Thread(target=scheduler) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        article_changed.disconnect(receiver)
    expected = sorted(a.pk for a in articles)
    assert sorted(published) == expected
    assert sorted(calls) == [(pk, "published") for pk in expected]
    for article in articles:
        assert actions(article).count("due") == 1
        assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


# Run in each scheduler process: get ready, wait at the barrier directory
# until both processes are there, then publish what is due.
RACER = """
import os, pathlib, time
from django.db import connection
from wiesci.articles.services import run_due_publications
from wiesci.core.actors import SCHEDULER
connection.ensure_connection()
barrier = pathlib.Path(os.environ["BARRIER"])
(barrier / os.environ["RACER"]).touch()
deadline = time.monotonic() + 30
while len(list(barrier.iterdir())) < 2 and time.monotonic() < deadline:
    time.sleep(0.0005)
print(len(run_due_publications(by=SCHEDULER)))
"""


def test_two_scheduler_processes_publish_due_articles_once(product_env, tmp_path):
    """Two scheduler processes started at one moment: each article once."""
    assert run_wiesci("migrate", "--no-input", env=product_env).returncode == 0
    setup = (
        "from datetime import timedelta; from django.utils import timezone;"
        "from wiesci.taxonomy.models import Section;"
        "from wiesci.articles.models import Article;"
        "s = Section.objects.create(name='Kronika');"
        "[Article.objects.create(title=f'Pożar {i}', slug=f'pozar-{i}', lead='L',"
        " section=s, status='scheduled',"
        " published_at=timezone.now() - timedelta(minutes=1)) for i in range(60)]"
    )
    assert (
        run_wiesci("shell", "--no-imports", "-c", setup, env=product_env).returncode
        == 0
    )
    from tests.conftest import WIESCI

    barrier = tmp_path / "barrier"
    barrier.mkdir()
    runs = [
        subprocess.Popen(
            [str(WIESCI), "shell", "--no-imports", "-c", RACER],
            env={**product_env, "BARRIER": str(barrier), "RACER": name},
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("first", "second")
    ]
    counts = [int(run.communicate(timeout=120)[0].strip()) for run in runs]
    assert sum(counts) == 60
    count = (
        "from collections import Counter;"
        "from wiesci.articles.models import AuditEntry;"
        "due = AuditEntry.objects.filter(action='due');"
        "print(due.count(), len(set(due.values_list('article', flat=True))),"
        " AuditEntry.objects.exclude(article__status='published').count())"
    )
    result = run_wiesci("shell", "--no-imports", "-c", count, env=product_env)
    assert result.stdout.split() == ["60", "60", "0"]


@pytest.mark.django_db(transaction=True)
def test_the_worker_scheduler_publishes_a_due_article(section):
    from wiesci.core.management.commands.worker import Command

    (article,) = due_articles(section, 1)

    class OneRound(threading.Event):
        """Let the scheduler loop run its jobs once, then stop."""

        rounds = 0

        def wait(self, timeout=None):
            self.rounds += 1
            return self.rounds > 1

    Command().run_periodic(OneRound(), every=10)
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED
    assert actions(article).count("due") == 1


def test_unpublished_articles_are_absent_from_every_public_surface(
    client, make_article, editor, reader, trusted
):
    from wiesci.comments import services as comments
    from wiesci.comments.moderation import CommentRefused
    from wiesci.taxonomy.models import Organisation, Place, Tag

    place = Place.objects.create(name="Rudnik", gmina="Rudnik")
    tag = Tag.objects.create(name="ukryte")
    organisation = Organisation.objects.create(name="OSP Rudnik")
    visible = make_article(title="Widoczna wiadomość")
    comment = comments.post_comment(visible, author=reader, body="Komentarz", token="v")
    hidden = {
        "draft": make_article(title="Tajny szkic", publish=False),
        "review": make_article(title="Czeka na redakcję", publish=False),
        "scheduled": make_article(
            title="Jutrzejsza wiadomość", at=timezone.now() + timedelta(days=1)
        ),
        "withdrawn": make_article(title="Wycofana wiadomość"),
        "withdrawn early": make_article(
            title="Wycofana zapowiedź", at=timezone.now() + timedelta(days=1)
        ),
    }
    Article.objects.filter(pk=hidden["review"].pk).update(status=Status.IN_REVIEW)
    services.withdraw_article(hidden["withdrawn"], by=editor)
    services.withdraw_article(hidden["withdrawn early"], by=editor)
    for article in hidden.values():
        article.places.add(place)
        article.tags.add(tag)
        article.organisations.add(organisation)
        article.authors.create(name=f"Autor {article.pk}")
        Correction.objects.create(article=article, text=f"Sprostowanie {article.title}")
    surfaces = [
        "/",
        "/najnowsze/",
        visible.section.get_absolute_url(),
        place.get_absolute_url(),
        tag.get_absolute_url(),
        organisation.get_absolute_url(),
        "/sprostowania/",
        visible.get_absolute_url(),
    ]
    pages = "".join(client.get(url).content.decode() for url in surfaces)
    assert "Widoczna wiadomość" in pages
    for name, article in hidden.items():
        assert article.title not in pages
        # Only a story readers saw is "gone"; the rest were never there.
        expected = 410 if name == "withdrawn" else 404
        assert client.get(article.get_absolute_url()).status_code == expected
        assert client.get(f"/artykul/{article.pk}/").status_code == 404
        assert (
            client.get(reverse("articles:preview", args=[article.pk])).status_code
            == 404
        )
        author = article.authors.get()
        assert (
            article.title not in client.get(author.get_absolute_url()).content.decode()
        )
        with pytest.raises(CommentRefused):
            comments.post_comment(
                article, author=reader, body="x", token=f"h{article.pk}"
            )
    client.force_login(reader)
    assert (
        client.get(reverse("articles:preview", args=[hidden["draft"].pk])).status_code
        == 404
    )
    assert client.get(reverse("comments:report", args=[comment.pk])).status_code == 200


def test_share_link_shows_a_draft_until_it_expires(
    client, journalist, editor, section, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    article = draft(journalist, section, title="Wywiad z sołtysem")
    token = services.share_article(article, by=journalist, days=3)
    url = reverse("articles:shared_preview", args=[token])
    response = client.get(url)
    assert response.status_code == 200
    assert "Wywiad z sołtysem" in response.content.decode()
    assert "Podgląd: ten artykuł nie jest publiczny" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert (
        client.get(reverse("articles:shared_preview", args=[forged])).status_code == 404
    )
    time_machine.move_to(timezone.now() + timedelta(days=3, minutes=1), tick=False)
    assert client.get(url).status_code == 404
    fresh = services.share_article(article, by=journalist, days=3)
    services.revoke_share_links(article, by=editor)
    assert (
        client.get(reverse("articles:shared_preview", args=[fresh])).status_code == 404
    )
    assert "shared" in actions(article)


def test_editors_preview_any_draft_as_readers_would_see_it(
    client, journalist, editor, section
):
    article = draft(journalist, section, title="Szkic do podglądu")
    client.force_login(editor)
    response = client.get(reverse("articles:preview", args=[article.pk]))
    assert response.status_code == 200
    assert "<h1>Szkic do podglądu</h1>" in response.content.decode()


def test_every_save_keeps_a_revision_and_one_can_be_restored(
    client, journalist, editor, section
):
    article = draft(
        journalist, section, title="Pierwsza wersja", body="<p>Stary akapit.</p>"
    )
    article.title = "Druga wersja"
    article.body = "<p>Nowy akapit.</p>"
    services.save_article(article, by=journalist)
    assert article.revisions.count() == 2
    client.force_login(editor)
    url = reverse("admin:articles_article_revisions", args=[article.pk])
    page = client.get(url).content.decode()
    # Words, not characters or lines: the changed word whole on each side.
    assert "<del>Stary</del> <ins>Nowy</ins> akapit." in page
    assert "<del>Pierwsza</del> <ins>Druga</ins> wersja" in page
    first = article.revisions.last()
    client.post(reverse("admin:articles_article_restore", args=[article.pk, first.pk]))
    article.refresh_from_db()
    assert (article.title, article.body) == ("Pierwsza wersja", "<p>Stary akapit.</p>")
    assert "restored" in actions(article)


def test_autosave_keeps_a_draft_and_never_changes_a_public_article(
    client, journalist, editor, section, make_article
):
    article = draft(journalist, section, title="Autozapis")
    client.force_login(journalist)
    url = reverse("admin:articles_article_autosave", args=[article.pk])
    answer = client.post(
        url, {"title": "Autozapis", "lead": "L", "body": "<p>Piszę…</p>"}
    )
    assert answer.status_code == 200 and "saved" in answer.json()
    assert Article.objects.get(pk=article.pk).body == "<p>Piszę…</p>"
    public = make_article(title="Na żywo", body="<p>Opublikowany tekst.</p>")
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_autosave", args=[public.pk]),
        {"title": "Na żywo", "lead": "L", "body": "<p>Nieskończona poprawka</p>"},
    )
    assert Article.objects.get(pk=public.pk).body == "<p>Opublikowany tekst.</p>"
    assert public.revisions.first().data["body"] == "<p>Nieskończona poprawka</p>"
    assert public.revisions.first().is_autosave


def test_autosave_of_a_public_article_keeps_a_sanitised_revision(
    client, editor, make_article
):
    public = make_article(title="Na żywo", body="<p>Opublikowany tekst.</p>")
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_autosave", args=[public.pk]),
        {
            "title": "Na żywo",
            "lead": "L",
            "body": '<p onclick="steal()">Poprawka<script>alert(1)</script>'
            '<img src="https://tracker.example.com/p.gif"></p>',
        },
    )
    kept = public.revisions.first()
    assert kept.is_autosave
    assert kept.data["body"] == "<p>Poprawka</p>"
    # Restoring it brings back only what may be stored; a public story asks first.
    url = reverse("admin:articles_article_restore", args=[public.pk, kept.pk])
    asked = client.post(url).content.decode()
    assert "Czytelnicy widzą ten artykuł teraz." in asked
    assert Article.objects.get(pk=public.pk).body == "<p>Opublikowany tekst.</p>"
    client.post(url, {"confirm": "1"})
    assert Article.objects.get(pk=public.pk).body == "<p>Poprawka</p>"


def test_corrections_show_under_the_title_and_on_their_page(
    client, make_article, editor
):
    article = make_article(title="Sesja rady")
    services.add_correction(
        article, by=editor, text="Sesja odbędzie się o 17:00, nie o 16:00."
    )
    services.add_correction(
        article, by=editor, text="Rada przyjęła budżet.", kind=Correction.Kind.UPDATE
    )
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Sprostowanie</strong>" in page
    assert "Sesja odbędzie się o 17:00, nie o 16:00." in page
    assert Article.objects.get(pk=article.pk).updated_at is not None
    listing = client.get("/sprostowania/").content.decode()
    assert "Rada przyjęła budżet." in listing and "Sesja rady" in listing


def test_a_fresh_install_has_the_four_editorial_labels():
    labels = dict(Label.objects.values_list("name", "is_sponsored"))
    assert labels == {
        "ZAPOWIEDŹ": False,
        "OGŁOSZENIE URZĘDOWE": False,
        "RAPORT 998": False,
        "ARTYKUŁ SPONSOROWANY": True,
    }


def sponsored_label():
    label, _created = Label.objects.get_or_create(
        slug="artykul-sponsorowany",
        defaults={"name": "ARTYKUŁ SPONSOROWANY", "is_sponsored": True},
    )
    return label


def test_ticking_sponsored_in_the_admin_adds_the_label_the_form_left_out(
    client, editor, make_article
):
    sponsored = sponsored_label()
    preview = Label.objects.get_or_create(name="ZAPOWIEDŹ")[0]
    article = make_article(title="Nowy salon meblowy")
    client.force_login(editor)
    response = post_change_form(
        client, article, is_sponsored=True, labels=[str(preview.pk)]
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert article.is_sponsored
    assert set(article.labels.all()) == {sponsored, preview}
    assert article.revisions.first().data["labels"] == sorted(
        [sponsored.pk, preview.pk]
    )


def test_a_public_story_takes_no_undescribed_main_photo_in_the_admin(
    client, editor, make_article, make_photo
):
    article = make_article(title="Dożynki w Rudniku")
    bare = make_photo(alt_text="")
    described = make_photo(alt_text="Korowód dożynkowy na rynku")
    # The gallery may hold an undescribed photo only while the story is a
    # draft; it is added as the system, past the check a person would meet.
    GalleryItem.objects.create(article=article, photo=bare, position=1)
    GalleryItem.objects.create(article=article, photo=described, position=2)
    client.force_login(editor)
    form = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert 'class="photo-choice"' in form.content.decode()
    response = post_change_form(client, article, main_photo=str(bare.pk))
    assert (
        "jego główne zdjęcie musi mieć tekst alternatywny" in response.content.decode()
    )
    article.refresh_from_db()
    assert article.main_photo_id != bare.pk
    post_change_form(client, article, main_photo=str(described.pk))
    article.refresh_from_db()
    assert article.main_photo_id == described.pk


def test_sponsored_content_always_carries_its_label(make_article, editor):
    sponsored = sponsored_label()
    article = make_article(title="Nowy salon meblowy", is_sponsored=True)
    assert sponsored in article.labels.all()
    article.labels.clear()
    services.save_article(article, by=editor)
    assert sponsored in article.labels.all()


def test_pinned_story_stays_on_top_of_the_latest_news(client, make_article):
    pinned = make_article(
        title="Przypięta: objazdy", pinned_until=timezone.now() + timedelta(hours=5)
    )
    for i in range(3):
        make_article(title=f"Nowsza {i}")
    latest = list(client.get("/").context["lists"]["latest"])
    assert latest[0] == pinned


def test_journalist_cannot_change_publication_fields_in_the_admin(
    client, journalist, section
):
    article = draft(journalist, section, title="Mój szkic")
    client.force_login(journalist)
    page = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    html = page.content.decode()
    assert 'name="is_featured"' not in html
    assert 'name="published_at_0"' not in html
    assert 'value="publish"' not in html
    assert 'value="submit"' in html


def test_workflow_buttons_publish_and_report_missing_alt_text(
    client, editor, section, make_photo
):
    article = draft(editor, section, title="Z galerią")
    services.add_to_gallery(article, [make_photo(alt_text="")], by=COMMAND)
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = client.get(url).context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and not isinstance(v, list)
    }
    data.update(
        {
            "title": "Z galerią",
            "lead": "Lead",
            "section": section.pk,
            "_transition": "publish",
            "correction_kind": "correction",
        }
    )
    for name in ("corrections-TOTAL_FORMS", "audit-TOTAL_FORMS"):
        data[name] = "0"
    for name in ("corrections-INITIAL_FORMS", "audit-INITIAL_FORMS"):
        data[name] = "0"
    response = client.post(url, data, follow=True)
    assert "nie ma tekstu alternatywnego" in response.content.decode()
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT


def test_roles_exist_with_the_right_powers():
    from django.contrib.auth.models import Group

    editor = Group.objects.get(name="Redaktor")
    journalist = Group.objects.get(name="Dziennikarz")
    assert editor.permissions.filter(codename="publish_article").exists()
    assert not journalist.permissions.filter(codename="publish_article").exists()
    assert Group.objects.filter(name="Administrator").exists()


def test_withdrawn_before_its_time_answers_404_without_its_note(
    client, make_article, editor
):
    seen = make_article(title="Objazd na Opawskiej")
    never = make_article(
        title="Tajna zapowiedź festynu", at=timezone.now() + timedelta(hours=5)
    )
    services.withdraw_article(seen, by=editor, note="Objazd odwołano.")
    services.withdraw_article(never, by=editor, note="Festyn przełożony na maj.")
    gone = client.get(seen.get_absolute_url())
    assert gone.status_code == 410
    assert "Objazd odwołano." in gone.content.decode()
    unknown = client.get(never.get_absolute_url())
    assert unknown.status_code == 404
    assert "Festyn przełożony" not in unknown.content.decode()
    assert "Tajna zapowiedź" not in unknown.content.decode()


def test_scheduled_story_withdrawn_after_its_time_answers_410(
    client, make_article, editor, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    at = timezone.now() + timedelta(hours=1)
    article = make_article(title="Zebranie wiejskie", at=at)
    time_machine.move_to(at + timedelta(minutes=5), tick=False)
    # Public from its time on, though no scheduler has run yet.
    services.withdraw_article(article, by=editor, note="Zebranie odwołane.")
    assert client.get(article.get_absolute_url()).status_code == 410


def test_moving_a_published_story_into_the_future_schedules_it_again(
    client, editor, make_article, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    article = make_article(title="Festyn w Tworkowie")
    later = timezone.localtime() + timedelta(days=1)
    later = later.replace(hour=6, minute=0, second=0, microsecond=0)
    client.force_login(editor)
    response = post_change_form(
        client,
        article,
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1="06:00:00",
    )
    when = later.strftime("%Y-%m-%d 06:00")
    assert f"zaplanowany na {when}" in response.content.decode()
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    assert article.published_at == later
    entry = article.audit.filter(action="scheduled").get()
    assert (entry.by, entry.note) == (editor, later.strftime("%Y-%m-%d 06:00"))
    schedule = client.get(reverse("admin:articles_article_schedule"))
    assert "Festyn w Tworkowie" in schedule.content.decode()
    client.logout()
    assert "Festyn w Tworkowie" not in client.get("/").content.decode()
    assert client.get(article.get_absolute_url()).status_code == 404
    calls = []

    def receiver(sender, article, reason, **kwargs):
        calls.append((article.pk, reason))

    time_machine.move_to(later + timedelta(seconds=1), tick=False)
    article_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            done = services.run_due_publications(by=SCHEDULER)
    finally:
        article_changed.disconnect(receiver)
    assert [a.pk for a in done] == [article.pk]
    assert calls == [(article.pk, "published")]
    assert client.get(article.get_absolute_url()).status_code == 200


def test_a_journalist_cannot_reschedule_a_published_story(journalist, make_article):
    article = make_article(title="Opublikowana")
    article.published_at = timezone.now() + timedelta(days=2)
    with pytest.raises(PermissionDenied):
        services.save_article(article, by=journalist)
    assert Article.objects.get(pk=article.pk).status == Status.PUBLISHED


def test_deleting_in_the_admin_keeps_the_audit_log_and_purges_pages(
    client, editor, make_article, django_capture_on_commit_callbacks
):
    article = make_article(title="Pomyłkowo dodany tekst")
    services.add_correction(article, by=editor, text="Poprawka.")
    pk, url = article.pk, article.get_absolute_url()
    calls = []

    def receiver(sender, article, reason, **kwargs):
        calls.append((article.pk, reason))

    client.force_login(editor)
    delete_url = reverse("admin:articles_article_delete", args=[pk])
    article_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(delete_url, {"post": "yes"})
    finally:
        article_changed.disconnect(receiver)
    assert response.status_code == 302
    assert not Article.objects.filter(pk=pk).exists()
    assert calls == [(pk, "deleted")]
    log = AuditEntry.objects.filter(article_number=pk).order_by("at", "pk")
    assert [entry.action for entry in log] == [
        "created",
        "published",
        "corrected",
        "deleted",
    ]
    assert {entry.article_title for entry in log} == {"Pomyłkowo dodany tekst"}
    last = log.last()
    assert last is not None
    assert (last.by, last.article) == (editor, None)
    assert client.get(url).status_code == 404


def test_bulk_deletion_goes_through_the_service_too(client, editor, make_article):
    first, second = make_article(title="Pierwszy"), make_article(title="Drugi")
    client.force_login(editor)
    client.post(
        reverse("admin:articles_article_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [first.pk, second.pk],
            "post": "yes",
        },
    )
    assert not Article.objects.filter(pk__in=[first.pk, second.pk]).exists()
    deleted = AuditEntry.objects.filter(action="deleted")
    assert sorted(deleted.values_list("article_title", flat=True)) == [
        "Drugi",
        "Pierwszy",
    ]
    assert {entry.by for entry in deleted} == {editor}


def test_a_journalist_cannot_delete_an_article(journalist, section):
    article = draft(journalist, section, title="Mój szkic")
    with pytest.raises(PermissionDenied, match="Tylko redaktorzy mogą usuwać"):
        services.delete_article(article, by=journalist)
    assert Article.objects.filter(pk=article.pk).exists()


def test_the_audit_log_screen_lists_a_deleted_articles_entries(
    client, editor, make_article
):
    article = make_article(title="Tekst do usunięcia")
    services.delete_article(article, by=editor)
    client.force_login(editor)
    page = client.get(reverse("admin:articles_auditentry_changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tekst do usunięcia" in html
    assert "usunięty" in html


def test_the_schedule_flags_an_article_past_its_time_and_not_finished(
    client, editor, make_article
):
    late = make_article(title="Zaległa zapowiedź", at=timezone.now() + timedelta(1))
    Article.objects.filter(pk=late.pk).update(
        published_at=timezone.now() - timedelta(minutes=10)
    )
    make_article(title="Jutrzejszy raport", at=timezone.now() + timedelta(days=1))
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_schedule")).content.decode()
    assert "1 artykuł minął swój czas" in page
    rows = {
        title: row
        for row in page.split("<tr")[1:]
        for title in ("Zaległa zapowiedź", "Jutrzejszy raport")
        if title in row
    }
    assert 'class="schedule__overdue"' in rows["Zaległa zapowiedź"]
    assert "zaległy" in rows["Zaległa zapowiedź"]
    assert "schedule__overdue" not in rows["Jutrzejszy raport"]
    assert "zaległy" not in rows["Jutrzejszy raport"]
    services.run_due_publications(by=SCHEDULER)
    page = client.get(reverse("admin:articles_article_schedule")).content.decode()
    assert "Zaległa zapowiedź" not in page
    assert "minął swój czas" not in page


def test_scheduling_in_the_admin_reports_the_time_in_warsaw(client, editor, section):
    article = draft(editor, section, title="Dożynki w Krowiarkach")
    client.force_login(editor)
    tomorrow = (timezone.localtime() + timedelta(days=1)).date()
    response = post_change_form(
        client,
        article,
        published_at_0=tomorrow.isoformat(),
        published_at_1="06:00:00",
        _transition="publish",
    )
    article.refresh_from_db()
    assert article.status == Status.SCHEDULED
    assert timezone.localtime(article.published_at).hour == 6
    assert f"Zaplanowano na {tomorrow.isoformat()} 06:00." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    "title",
    [
        "Pożar stodoły [FOTO]",
        "[WIDEO] Pożar stodoły",
        "Pożar stodoły [FOTO i WIDEO 2]",
        "Pożar stodoły [foto + wideo]",
        "[Zapowiedź] Festyn w Rudach",
        "Ludzie znad Odry [CZ. 2]",
    ],
)
def test_a_marker_typed_into_the_title_is_refused_with_a_reason(
    client, editor, make_article, title
):
    article = make_article(title="Pożar stodoły")
    client.force_login(editor)
    response = post_change_form(client, article, title=title)
    html = response.content.decode()
    assert "w tytule: znaczniki takie jak [FOTO]" in html
    assert "system dodaje sam" in html
    article.refresh_from_db()
    assert (article.title, article.slug) == ("Pożar stodoły", "pozar-stodoly")


def test_brackets_that_are_no_marker_stay_in_the_title(client, editor, make_article):
    article = make_article(title="Sesja rady")
    client.force_login(editor)
    post_change_form(client, article, title="Sesja rady [relacja na żywo]")
    article.refresh_from_db()
    assert article.title == "Sesja rady [relacja na żywo]"


def test_the_corrections_page_shows_titles_with_their_markers(
    client, make_article, make_photo, editor
):
    article = make_article(title="Festyn w Rudach")
    article.labels.add(Label.objects.get_or_create(name="ZAPOWIEDŹ")[0])
    services.add_to_gallery(article, [make_photo()], by=COMMAND)
    services.add_correction(article, by=editor, text="Festyn zaczyna się o 15:00.")
    page = client.get("/sprostowania/").content.decode()
    assert '<span class="marker marker--label">[ZAPOWIEDŹ]</span> Festyn w Rudach' in (
        page
    )
    assert 'Festyn w Rudach <span class="marker">[FOTO]</span>' in page


def test_the_body_editor_browses_the_articles_own_gallery(
    client, editor, make_article, make_photo
):
    from django.core.files.storage import default_storage

    article = make_article(title="Otwarcie ronda")
    other = make_article(title="Inny artykuł")
    own = make_photo(alt_text="Rondo z lotu ptaka", caption="Nowe rondo")
    services.add_to_gallery(article, [own], by=COMMAND)
    services.add_to_gallery(other, [make_photo(alt_text="Cudze zdjęcie")], by=COMMAND)
    client.force_login(editor)
    picker = reverse("admin:articles_article_image_picker", args=[article.pk])
    form = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert f'"pickerUrl":"{picker}"' in form.content.decode().replace("&quot;", '"')
    page = client.get(picker + "?CKEditorFuncNum=-1").content.decode()
    address = default_storage.url(own.renditions["article"]["files"]["jpeg"])
    assert f'data-src="{address}"' in page
    assert 'data-alt="Rondo z lotu ptaka"' in page
    assert "Cudze zdjęcie" not in page
    # What the picker offers is what the body keeps on saving.
    article.body = f'<figure><img src="{address}" alt="Rondo"></figure>'
    services.save_article(article, by=editor)
    assert address in Article.objects.get(pk=article.pk).body


def test_a_journalist_cannot_browse_someone_elses_gallery(
    client, journalist, make_article
):
    article = make_article(title="Cudzy artykuł")
    client.force_login(journalist)
    picker = reverse("admin:articles_article_image_picker", args=[article.pk])
    assert client.get(picker).status_code == 404
