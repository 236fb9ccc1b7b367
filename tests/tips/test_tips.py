"""Readers' tips: the form without an account, private files, the newsroom's
inbox, and a tip turned into an article draft."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.core import mail, signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext, ngettext
from PIL import Image

from tests.conftest import image_bytes, staff_member
from tests.photos.test_processing import GPS_IFD, camera_jpeg
from tests.photos.test_video import phone_mp4
from wiesci.articles.models import Article
from wiesci.core.actors import COMMAND
from wiesci.core.storage import private_files
from wiesci.tips import challenge, letters, services
from wiesci.tips.models import Tip, TipAttachment, TipEvent

pytestmark = pytest.mark.django_db

SUBMIT = reverse("tips:submit")
TEXT = "Na ul. Opawskiej zderzyły się dwa samochody.\n\nStoi policja, jest korek."


@pytest.fixture
def tip_editor(db: None) -> Any:
    return staff_member("redaktorka", "Redaktor")


@pytest.fixture
def tip_journalist(db: None) -> Any:
    return staff_member("reporter", "Dziennikarz")


@pytest.fixture(autouse=True)
def _no_tip_files_yet() -> None:
    """Files of earlier tests' tips stay on disk; start each test without them."""
    import shutil

    shutil.rmtree(Path(settings.PRIVATE_ROOT) / "tips", ignore_errors=True)


@pytest.fixture
def clock(time_machine: Any) -> Any:
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def said(response: Any, message: str) -> bool:
    """Whether the page shows the catalogue's wording of `message`."""
    return escape(gettext(message)) in response.content.decode()


def fresh_form(client: Client, clock: Any) -> dict[str, str]:
    """The form's question, answered right, a while after the page opened."""
    page = client.get(SUBMIT).content.decode()
    found = re.search(r'name="challenge" value="([^"]+)"', page)
    assert found is not None
    token = found.group(1)
    answer = signing.loads(token, salt=challenge.SALT)["a"]
    clock.shift(10)
    return {"challenge": token, "answer": str(answer)}


def photo(name: str = "zdjecie.jpg", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or camera_jpeg(), "image/jpeg")


def send(
    client: Client,
    clock: Any,
    capture: Any,
    *,
    files: dict[str, Any] | None = None,
    answered: dict[str, str] | None = None,
    **fields: Any,
) -> Any:
    data: dict[str, Any] = {
        "text": TEXT,
        "place": "Racibórz, ul. Opawska",
        "happened": "dziś ok. 14:30",
        "name": "Anna Kowalczyk",
        "email": "anna@example.pl",
        "phone": "600 100 200",
        "accept_terms": "on",
        "credit_consent": "on",
        "website": "",
        **(answered or fresh_form(client, clock)),
        **fields,
    }
    data = {key: value for key, value in data.items() if value is not None}
    with capture(execute=True):
        return client.post(SUBMIT, {**data, **(files or {})})


def stored_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def tip_with_photos(
    client: Client, clock: Any, capture: Any, *, consent: bool = True
) -> Tip:
    response = send(
        client,
        clock,
        capture,
        files={"photos": [photo("a.jpg"), photo("b.jpg")]},
        credit_consent="on" if consent else None,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Tip.objects.get()


# --- The form -------------------------------------------------------------------


def test_a_tip_with_two_gps_photos_is_kept_privately_and_confirmed(
    client, clock, django_capture_on_commit_callbacks
):
    public_before = set(stored_under(Path(settings.MEDIA_ROOT)))
    tip = tip_with_photos(client, clock, django_capture_on_commit_callbacks)
    assert (tip.text, tip.place, tip.happened) == (
        TEXT,
        "Racibórz, ul. Opawska",
        "dziś ok. 14:30",
    )
    assert tip.status == Tip.Status.NEW and tip.credit == "Anna Kowalczyk"
    assert tip.terms_text == letters.terms_text()
    assert tip.credit_consent_text == letters.credit_consent_text()
    attachments = list(tip.attachments.all())
    assert [a.kind for a in attachments] == ["photo", "photo"]
    for attachment in attachments:
        path = Path(private_files.path(attachment.file.name))
        assert path.is_file()
        assert Path(settings.PRIVATE_ROOT) in path.parents
        assert Path(settings.MEDIA_ROOT) not in path.parents
        # Kept as sent, GPS and all: only the newsroom's previews are clean.
        with Image.open(path) as original:
            assert original.getexif().get_ifd(GPS_IFD)
    # Nothing of the tip among the public files, which other tests may share.
    assert set(stored_under(Path(settings.MEDIA_ROOT))) == public_before
    assert TipEvent.objects.get(tip=tip).action == TipEvent.Action.RECEIVED

    (message,) = mail.outbox
    assert message.to == ["anna@example.pl"]
    assert tip.reference in message.subject and tip.reference in message.body
    portal = Site.objects.get_current().name
    assert portal in message.subject and portal in message.body
    assert message.attachments == []
    assert TEXT.split("\n")[0] not in message.body  # nothing of the tip goes back
    (html, mimetype), *_ = message.alternatives  # type: ignore[attr-defined]
    assert mimetype == "text/html" and tip.reference in str(html)

    thanks = client.get(
        reverse("tips:thanks")
        + "?nr="
        + signing.dumps(tip.reference, salt="wiesci.tips.thanks")
    )
    assert thanks.status_code == 200
    assert tip.reference in thanks.content.decode()


def test_the_form_redirects_to_the_thanks_page_with_the_number(
    client, clock, django_capture_on_commit_callbacks
):
    response = send(client, clock, django_capture_on_commit_callbacks, email="")
    assert response.status_code == 302
    page = client.get(response["Location"])
    tip = Tip.objects.get()
    assert tip.reference in page.content.decode()
    assert mail.outbox == []  # no address, no mail


def test_the_form_needs_no_login_and_is_never_cached(client):
    response = client.get(SUBMIT)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "<legend>" in page and 'name="website"' in page


def nothing_stored() -> bool:
    return (
        not Tip.objects.exists()
        and not TipAttachment.objects.exists()
        and stored_under(Path(settings.PRIVATE_ROOT) / "tips") == []
    )


def kept_what_was_typed(response: Any) -> bool:
    page = response.content.decode()
    return all(
        escape(value) in page
        for value in ("Na ul. Opawskiej", "dziś ok. 14:30", "anna@example.pl")
    )


def test_a_wrong_answer_is_refused_keeping_the_text(
    client, clock, django_capture_on_commit_callbacks
):
    answered = fresh_form(client, clock)
    answered["answer"] = str(int(answered["answer"]) + 1)
    response = send(
        client,
        clock,
        django_capture_on_commit_callbacks,
        answered=answered,
        files={"photos": [photo()]},
    )
    assert response.status_code == 400
    assert said(
        response,
        "The answer to the question is not right. Answer the new question and "
        "send the form again.",
    )
    assert kept_what_was_typed(response)
    # Files cannot come back in a form: the reader is told to choose them again.
    assert said(
        response,
        "Choose your photos or video again: a browser does not keep files when "
        "a form comes back.",
    )
    # A new question, with a new token.
    assert answered["challenge"] not in response.content.decode()
    assert nothing_stored()
    assert mail.outbox == []


def test_the_answer_may_be_written_in_words(
    client, clock, django_capture_on_commit_callbacks
):
    answered = fresh_form(client, clock)
    answered["answer"] = str(challenge.NUMBERS[int(answered["answer"])]).upper()
    response = send(
        client, clock, django_capture_on_commit_callbacks, answered=answered
    )
    assert response.status_code == 302


def test_a_token_is_good_for_one_tip_only(
    client, clock, django_capture_on_commit_callbacks
):
    answered = fresh_form(client, clock)
    first = send(client, clock, django_capture_on_commit_callbacks, answered=answered)
    assert first.status_code == 302
    again = send(client, clock, django_capture_on_commit_callbacks, answered=answered)
    assert again.status_code == 400
    assert said(
        again,
        "This form has already been sent once. Answer the new question and send "
        "it again.",
    )
    assert kept_what_was_typed(again)
    assert Tip.objects.count() == 1


def test_a_form_sent_at_once_or_too_late_is_refused(
    client, clock, django_capture_on_commit_callbacks
):
    page = client.get(SUBMIT).content.decode()
    token = re.search(r'name="challenge" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = str(signing.loads(token, salt=challenge.SALT)["a"])
    quick = send(
        client,
        clock,
        django_capture_on_commit_callbacks,
        answered={"challenge": token, "answer": answer},
    )
    assert quick.status_code == 400
    assert said(
        quick,
        "The form was sent too quickly to have been filled in by a person. "
        "Answer the new question and send it again.",
    )
    stale = fresh_form(client, clock)
    clock.shift(3 * 60 * 60)
    late = send(client, clock, django_capture_on_commit_callbacks, answered=stale)
    assert late.status_code == 400
    assert said(
        late,
        "The form was open for too long. Answer the new question below and send "
        "it again.",
    )
    assert nothing_stored()


def test_a_filled_honeypot_is_refused(
    client, clock, django_capture_on_commit_callbacks
):
    response = send(
        client, clock, django_capture_on_commit_callbacks, website="http://spam"
    )
    assert response.status_code == 400
    assert said(
        response,
        "The form was filled in the way automated programs do. If you are a "
        "person, send it again.",
    )
    assert kept_what_was_typed(response)
    assert nothing_stored()


def test_eleven_photos_are_refused(client, clock, django_capture_on_commit_callbacks):
    photos = [photo(f"{n}.jpg", image_bytes((64, 48))) for n in range(11)]
    response = send(
        client, clock, django_capture_on_commit_callbacks, files={"photos": photos}
    )
    assert response.status_code == 400
    message = ngettext(
        "You can send at most %(limit)d photo; you chose %(count)d.",
        "You can send at most %(limit)d photos; you chose %(count)d.",
        10,
    ) % {"limit": 10, "count": 11}
    assert escape(message) in response.content.decode()
    assert kept_what_was_typed(response)
    assert nothing_stored()


def test_photos_and_a_video_together_are_refused(
    client, clock, django_capture_on_commit_callbacks
):
    response = send(
        client,
        clock,
        django_capture_on_commit_callbacks,
        files={
            "photos": [photo()],
            "video": SimpleUploadedFile("film.mp4", phone_mp4(), "video/mp4"),
        },
    )
    assert response.status_code == 400
    assert said(response, "Send up to 10 photos or one video, not both.")
    assert kept_what_was_typed(response)
    assert nothing_stored()


def test_a_broken_image_is_refused_with_the_photo_librarys_reason(
    client, clock, django_capture_on_commit_callbacks
):
    response = send(
        client,
        clock,
        django_capture_on_commit_callbacks,
        files={"photos": [photo(), photo("zepsute.jpg", b"\xff\xd8 to nie obraz")]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "zepsute.jpg: Ten plik nie jest zdjęciem" in page
    assert kept_what_was_typed(response)
    assert nothing_stored()


def test_a_video_that_is_no_video_is_refused(
    client, clock, django_capture_on_commit_callbacks
):
    response = send(
        client,
        clock,
        django_capture_on_commit_callbacks,
        files={"video": SimpleUploadedFile("film.mp4", b"nic", "video/mp4")},
    )
    assert response.status_code == 400
    assert "To nie jest film" in response.content.decode() or said(
        response, "This file is not a video. Upload an MP4 file (H.264, HEVC or AV1)."
    )
    assert nothing_stored()


def test_a_required_acknowledgement_is_asked_for(
    client, clock, django_capture_on_commit_callbacks
):
    response = send(
        client, clock, django_capture_on_commit_callbacks, accept_terms=None
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_accept_terms_error"' in page
    assert 'aria-describedby="id_accept_terms_error"' in page
    assert nothing_stored()


def test_tips_from_one_client_are_limited(
    client, clock, django_capture_on_commit_callbacks
):
    for _ in range(10):
        response = send(
            client, clock, django_capture_on_commit_callbacks, website="bot"
        )
        assert response.status_code == 400
    refused = send(client, clock, django_capture_on_commit_callbacks)
    assert refused.status_code == 429
    assert said(
        refused,
        "Many tips came from your connection in a short time. Try again in an "
        "hour, or call or write to the newsroom.",
    )
    assert escape("Na ul. Opawskiej") in refused.content.decode()
    assert nothing_stored()


# --- The newsroom ---------------------------------------------------------------


def test_the_staff_preview_carries_no_exif_or_gps(
    client, clock, django_capture_on_commit_callbacks, tip_journalist
):
    tip = tip_with_photos(client, clock, django_capture_on_commit_callbacks)
    attachment = tip.attachments.first()
    assert attachment is not None
    url = reverse("tips:preview", args=[attachment.pk])
    assert client.get(url).status_code == 403  # anonymous
    client.force_login(tip_journalist)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    data = response.content
    with Image.open(io.BytesIO(data)) as preview:
        assert len(preview.getexif()) == 0
        assert not preview.getexif().get_ifd(GPS_IFD)
        assert "exif" not in preview.info
        assert max(preview.size) <= 960
    assert b"Model X" not in data and b"Telefon" not in data
    small = client.get(url + "?maly")
    with Image.open(io.BytesIO(small.content)) as thumbnail:
        assert max(thumbnail.size) <= 320 and len(thumbnail.getexif()) == 0


def test_a_reader_without_staff_sees_neither_the_inbox_nor_a_preview(
    client, clock, django_capture_on_commit_callbacks, reader
):
    tip = tip_with_photos(client, clock, django_capture_on_commit_callbacks)
    client.force_login(reader)
    inbox = client.get(reverse("admin:tips_tip_changelist"))
    assert inbox.status_code == 302 and "/login/" in inbox["Location"]
    change = client.get(reverse("admin:tips_tip_change", args=[tip.pk]))
    assert change.status_code == 302
    first = tip.attachments.first()
    assert first is not None
    assert client.get(reverse("tips:preview", args=[first.pk])).status_code == 403


def test_the_inbox_shows_thumbnails_and_the_contact_only_with_permission(
    client, clock, django_capture_on_commit_callbacks, tip_journalist, tip_editor
):
    tip = tip_with_photos(client, clock, django_capture_on_commit_callbacks)
    previews = [reverse("tips:preview", args=[a.pk]) for a in tip.attachments.all()]
    client.force_login(tip_journalist)
    inbox = client.get(reverse("admin:tips_tip_changelist")).content.decode()
    assert tip.reference in inbox and previews[0] in inbox
    page = client.get(reverse("admin:tips_tip_change", args=[tip.pk])).content.decode()
    assert all(url in page for url in previews)
    assert "anna@example.pl" not in page and "600 100 200" not in page
    client.force_login(tip_editor)
    page = client.get(reverse("admin:tips_tip_change", args=[tip.pk])).content.decode()
    assert "anna@example.pl" in page and "600 100 200" in page


def test_a_journalist_changes_the_status_and_assigns_the_tip(
    client, clock, django_capture_on_commit_callbacks, tip_journalist, tip_editor
):
    tip = tip_with_photos(client, clock, django_capture_on_commit_callbacks)
    client.force_login(tip_journalist)
    response = client.post(
        reverse("admin:tips_tip_changelist"),
        {"action": "assign_to_me", "_selected_action": [tip.pk]},
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.assigned_to == tip_journalist
    response = client.post(
        reverse("admin:tips_tip_change", args=[tip.pk]),
        {
            "status": Tip.Status.CHECKING,
            "assigned_to": tip_editor.pk,
            "note": "Dzwoniłem na policję.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    tip.refresh_from_db()
    assert tip.status == Tip.Status.CHECKING
    assert tip.assigned_to == tip_editor
    assert tip.note == "Dzwoniłem na policję."
    log = list(tip.events.values_list("action", "by"))
    assert log == [
        (TipEvent.Action.RECEIVED, None),
        (TipEvent.Action.ASSIGNED, tip_journalist.pk),
        (TipEvent.Action.STATUS, tip_journalist.pk),
        (TipEvent.Action.ASSIGNED, tip_journalist.pk),
        (TipEvent.Action.NOTE, tip_journalist.pk),
    ]
    page = client.get(reverse("admin:tips_tip_change", args=[tip.pk])).content.decode()
    assert str(tip_journalist) in page


def test_a_reader_may_not_work_on_tips(reader):
    tip = Tip.objects.create(text="Coś się stało.")
    with pytest.raises(services.NotAllowed):
        services.change_status(tip, by=reader, status=Tip.Status.USED)
    with pytest.raises(services.NotAllowed):
        services.turn_into_draft(tip, by=reader)


def public_files_of(article: Article) -> list[str]:
    return [
        path
        for item in article.gallery_items.select_related("photo")
        for rendition in item.photo.renditions.values()
        for path in rendition["files"].values()
    ]


def test_an_editor_turns_the_tip_into_a_draft(
    client, clock, django_capture_on_commit_callbacks, tip_editor, section
):
    from wiesci.taxonomy.models import Place

    raciborz = Place.objects.create(name="Racibórz", gmina="Racibórz", kind="town")
    tip = tip_with_photos(client, clock, django_capture_on_commit_callbacks)
    client.force_login(tip_editor)
    change = reverse("admin:tips_tip_change", args=[tip.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            change,
            {"status": tip.status, "assigned_to": "", "note": "", "_draft": "1"},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    tip.refresh_from_db()
    article = tip.article
    assert article is not None
    assert response["Location"] == reverse(
        "admin:articles_article_change", args=[article.pk]
    )
    assert article.status == Article.Status.DRAFT
    assert article.created_by == tip_editor
    assert article.title == "Na ul. Opawskiej zderzyły się dwa samochody."
    assert list(article.places.all()) == [raciborz]
    assert tip.status == Tip.Status.USED
    assert "<p>Na ul. Opawskiej zderzyły się dwa samochody.</p>" in article.body
    assert "Racibórz, ul. Opawska" in article.body and "14:30" in article.body
    assert "Anna Kowalczyk" in article.body
    items = list(article.gallery_items.select_related("photo"))
    assert len(items) == 2
    assert {item.photo.credit for item in items} == {"Anna Kowalczyk"}
    assert article.main_photo == items[0].photo
    paths = public_files_of(article)
    assert paths
    for path in paths:
        data = default_storage.open(path).read()
        with Image.open(io.BytesIO(data)) as public:
            assert len(public.getexif()) == 0, path
            assert not public.getexif().get_ifd(GPS_IFD)
        assert b"Model X" not in data and b"Telefon" not in data

    # A second time: refused, nothing new.
    again = client.post(
        change,
        {"status": tip.status, "assigned_to": "", "note": "", "_draft": "1"},
        follow=True,
    )
    assert said(again, "This tip has already been turned into a draft.")
    assert Article.objects.count() == 1
    with pytest.raises(services.AlreadyDrafted):
        services.turn_into_draft(tip, by=tip_editor)


def test_a_reader_who_did_not_agree_is_credited_as_a_reader(
    client, clock, django_capture_on_commit_callbacks, tip_editor, section
):
    tip = tip_with_photos(
        client, clock, django_capture_on_commit_callbacks, consent=False
    )
    assert tip.credit == "" and tip.credit_consent_text == ""
    with django_capture_on_commit_callbacks(execute=True):
        article = services.turn_into_draft(tip, by=tip_editor)
    credits = {item.photo.credit for item in article.gallery_items.all()}
    assert credits == {gettext("Reader")}
    assert "Kowalczyk" not in article.body
    assert "Kowalczyk" not in article.title + article.lead


def test_the_readers_text_is_escaped_in_the_draft(tip_editor, section):
    tip = Tip.objects.create(text='<script>alert("x")</script> Pożar & dym')
    article = services.turn_into_draft(tip, by=tip_editor)
    assert "<script" not in article.body
    assert "&lt;script&gt;" in article.body and "&amp; dym" in article.body


def test_a_video_tip_becomes_the_drafts_video_without_metadata(
    client, clock, django_capture_on_commit_callbacks, tip_editor, section
):
    data = phone_mp4()
    response = send(
        client,
        clock,
        django_capture_on_commit_callbacks,
        files={"video": SimpleUploadedFile("film.mp4", data, "video/mp4")},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    tip = Tip.objects.get()
    (attachment,) = tip.attachments.all()
    assert attachment.kind == TipAttachment.Kind.VIDEO
    assert (
        Path(settings.MEDIA_ROOT)
        not in Path(private_files.path(attachment.file.name)).parents
    )
    with django_capture_on_commit_callbacks(execute=True):
        article = services.turn_into_draft(tip, by=tip_editor)
    (video,) = article.videos.all()
    stored = default_storage.open(video.file.name).read()
    assert b"+50.0919+018.2195" not in stored


def test_deleting_a_tip_removes_its_files(
    client, clock, django_capture_on_commit_callbacks, tip_editor
):
    tip = tip_with_photos(client, clock, django_capture_on_commit_callbacks)
    paths = [Path(private_files.path(a.file.name)) for a in tip.attachments.all()]
    assert all(path.is_file() for path in paths)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_tip(tip, by=tip_editor)
    assert not any(path.exists() for path in paths)
    assert not Tip.objects.exists()


def test_the_system_acts_under_its_name():
    tip = Tip.objects.create(text="Zalana piwnica.")
    services.change_status(tip, by=COMMAND, status=Tip.Status.REJECTED)
    event = tip.events.get()
    assert (event.by, event.by_system) == (None, "command")


def test_the_inbox_costs_the_same_queries_for_one_tip_or_many(client, tip_journalist):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def tip_with_files() -> None:
        services.submit_tip(
            by=COMMAND,
            text="Zalana droga.",
            photos=[photo(data=image_bytes((64, 48))) for _ in range(2)],
        )

    client.force_login(tip_journalist)
    inbox = reverse("admin:tips_tip_changelist")
    tip_with_files()
    client.get(inbox)  # sessions, content types: warm
    with CaptureQueriesContext(connection) as one:
        assert client.get(inbox).status_code == 200
    for _ in range(5):
        tip_with_files()
    with CaptureQueriesContext(connection) as six:
        page = client.get(inbox)
    assert page.content.decode().count("?maly") == 6
    assert len(six) == len(one)
