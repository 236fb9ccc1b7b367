"""Review that talks: a note with every return, the people concerned told by
e-mail, a diff by words."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from wiesci.articles import services
from wiesci.articles.diffing import word_diff
from wiesci.articles.models import Article

pytestmark = pytest.mark.django_db


def draft(by, section, title="Zamknięty most w Rudniku"):
    return services.save_article(
        Article(title=title, lead="Lead.", section=section), by=by
    )


def test_a_submission_is_mailed_to_the_editors_not_to_its_author(
    journalist, editor, section, django_capture_on_commit_callbacks
):
    article = draft(journalist, section)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_for_review(article, by=journalist)
    (message,) = mail.outbox
    assert message.to == [editor.email]
    assert message.subject == "Do akceptacji: „Zamknięty most w Rudniku”"
    # Who sent it, by name.
    assert f"(przysyła: {journalist})" in message.body
    assert reverse("admin:articles_article_change", args=[article.pk]) in message.body


def test_a_return_needs_a_note_which_reaches_the_author(
    journalist, editor, section, django_capture_on_commit_callbacks
):
    article = draft(journalist, section)
    services.submit_for_review(article, by=journalist)
    with pytest.raises(ValidationError, match="co poprawić"):
        services.return_to_draft(article, by=editor, note="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.return_to_draft(article, by=editor, note="Dodaj objazd przez Brzezie.")
    (message,) = mail.outbox
    assert message.to == [journalist.email]
    assert "Dodaj objazd przez Brzezie." in message.body
    client = Client()
    client.force_login(journalist)
    form = client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "Dodaj objazd przez Brzezie." in form.content.decode()


def test_the_author_hears_of_the_schedule_and_the_publication(
    journalist, editor, section, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    article = draft(journalist, section)
    services.submit_for_review(article, by=journalist)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_article(
            article, by=editor, at=timezone.now() + timedelta(hours=3)
        )
    assert [m.to for m in mail.outbox] == [[journalist.email]]
    assert mail.outbox[0].subject.startswith("Zaplanowano publikację")
    mail.outbox.clear()
    services.return_to_draft(article, by=editor)  # off the schedule: no note needed
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_article(article, by=editor)
    assert [m.to for m in mail.outbox] == [[journalist.email]]
    assert mail.outbox[0].subject.startswith("Opublikowano")


def test_an_editor_returns_a_story_with_a_note_from_the_form(
    journalist, editor, section
):
    article = draft(journalist, section)
    services.submit_for_review(article, by=journalist)
    client = Client()
    client.force_login(editor)
    url = reverse("admin:articles_article_change", args=[article.pk])
    page = client.get(url).content.decode()
    assert 'name="review_note"' in page
    form = {
        "title": article.title,
        "slug": article.slug,
        "lead": article.lead,
        "body": "",
        "section": section.pk,
        "comments_open": "on",
        "_transition": "return",
        "review_note": "Sprawdź godzinę otwarcia.",
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "audit-TOTAL_FORMS": "0",
        "audit-INITIAL_FORMS": "0",
    }
    client.post(url, form)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.audit.order_by("-at", "-pk").first().note == (
        "Sprawdź godzinę otwarcia."
    )


def test_the_diff_shows_whole_words_and_shortens_what_did_not_change():
    before = "<p>" + " ".join(f"słowo{n}" for n in range(60)) + " koniec.</p>"
    after = before.replace("słowo30", "wyraz30")
    diff = str(word_diff(before, after))
    assert "<del>słowo30</del> <ins>wyraz30</ins>" in diff
    assert "słowo0 " not in diff  # far from the change: shortened
    assert "…" in diff
    assert "słowo29" in diff and "słowo31" in diff


def test_the_diff_escapes_what_it_shows():
    diff = str(word_diff("<p>a &lt;b&gt;</p>", "<p>a &lt;c&gt;</p>"))
    assert "<b>" not in diff and "<c>" not in diff


def test_photos_dropped_on_the_article_form_join_its_gallery(
    client, journalist, section
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.articles.test_newsroom import change_form_data
    from tests.conftest import image_bytes

    article = draft(journalist, section)
    client.force_login(journalist)
    url = reverse("admin:articles_article_change", args=[article.pk])
    assert 'class="photo-drop"' in client.get(url).content.decode()
    data = change_form_data(client, article)
    data["new_photos"] = [
        SimpleUploadedFile("most.jpg", image_bytes(), content_type="image/jpeg"),
        SimpleUploadedFile("zepsuty.jpg", b"to nie jest zdjecie"),
    ]
    response = client.post(url, data, follow=True)
    page = response.content.decode()
    assert "Dodano 1 zdjęcie" in page
    assert "zepsuty.jpg" in page
    article.refresh_from_db()
    assert article.gallery_items.count() == 1
    assert article.main_photo_id == article.gallery_items.get().photo_id


def test_a_new_article_offers_no_one_elses_photos_as_its_main_photo(
    client, editor, make_photo
):
    make_photo(alt_text="Portret autorki")
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert "Portret autorki" not in page
    assert 'class="photo-drop"' in page
