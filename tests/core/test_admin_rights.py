"""Who may view, add, change and delete what, on every admin screen, by role.

The table below is the newsroom's rights as the roles migration and the
ownership rules of the services define them. A new admin screen fails these
tests until it says who may do what on it.
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import image_bytes, staff_member
from tests.photos.test_video import phone_mp4
from wiesci.core.actors import COMMAND

pytestmark = pytest.mark.django_db

ROLES = {"journalist": "Dziennikarz", "editor": "Redaktor"}
EVERYTHING = "vacd"
# view, add, change, delete: what each role may do on each screen. A reader
# (no staff status) may do nothing anywhere; an administrator everything,
# except where a screen allows it to no one.
RIGHTS: dict[str, dict[str, str]] = {
    "auth.group": {},
    "sites.site": {},
    "flatpages.flatpage": {},
    "account.emailaddress": {},
    "socialaccount.socialapp": {},
    "socialaccount.socialtoken": {},
    "socialaccount.socialaccount": {},
    "django_tasks_database.dbtaskresult": {"administrator": "v"},
    "accounts.user": {"editor": "v"},
    "taxonomy.section": {"journalist": "v", "editor": "vac"},
    "taxonomy.tag": {"journalist": "va", "editor": "vacd"},
    "taxonomy.place": {"journalist": "v", "editor": "vac"},
    "taxonomy.organisation": {"journalist": "v", "editor": "vac"},
    "photos.photo": {"journalist": "vac", "editor": "vacd"},
    "photos.video": {"journalist": "vac", "editor": "vacd"},
    "articles.article": {"journalist": "vac", "editor": "vacd"},
    "articles.auditentry": {"editor": "v", "administrator": "v"},
    "articles.author": {"journalist": "v", "editor": "vac"},
    "articles.label": {"journalist": "v", "editor": "vac"},
    "comments.comment": {"editor": "vc", "administrator": "vcd"},
    "comments.removalreason": {"editor": "vac"},
    "comments.appeal": {"editor": "vc", "administrator": "vc"},
    "comments.moderationsettings": {"editor": "vc", "administrator": "vc"},
    "distribution.portalprofile": {"editor": "vc", "administrator": "vc"},
    "moving.redirect": {},
    "moving.importeditem": {"administrator": "v"},
    "events.event": {"journalist": "vac", "editor": "vacd"},
    "notices.notice": {"journalist": "vac", "editor": "vacd"},
    "live.coverage": {"journalist": "v", "editor": "vac", "administrator": "vac"},
    # Nobody adds a subscriber: it takes the reader's own confirmation.
    "newsletter.subscriber": {"editor": "vc", "administrator": "vcd"},
    # The worker drafts the digests; a sent one stays as the record.
    "newsletter.digest": {"editor": "vc", "administrator": "vc"},
    # Notifications: subscriptions come from browsers, broadcasts from marking
    # a story breaking; an administrator may erase a subscription.
    "push.pushsubscription": {"editor": "v", "administrator": "vd"},
    "push.broadcast": {"editor": "v", "administrator": "v"},
    # Nobody adds a tip: readers send them through the form.
    "tips.tip": {"journalist": "vc", "editor": "vcd", "administrator": "vcd"},
}


def expected(label: str, role: str) -> str:
    if role == "reader":
        return ""
    return RIGHTS[label].get(role, EVERYTHING if role == "administrator" else "")


def member(role: str) -> Any:
    from allauth.account.models import EmailAddress

    from wiesci.accounts.models import User

    if role == "administrator":
        user = User.objects.create_user(
            "administratorka", "admin@wiesci.example.pl", "haslo", is_staff=True
        )
        group, _ = Group.objects.get_or_create(name="Administrator")
        group.permissions.set(Permission.objects.all())
        user.groups.add(group)
    elif role == "reader":
        user = User.objects.create_user(
            "czytelnik", "czytelnik@example.pl", "haslo", display_name="Czytelnik"
        )
    else:
        user = staff_member(f"{role}-1", ROLES[role])
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@pytest.fixture
def people() -> dict[str, Any]:
    return {role: member(role) for role in (*ROLES, "administrator", "reader")}


def test_every_admin_screen_has_its_rights_declared():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(RIGHTS)


def rights_of(user: Any, model_admin: Any, obj: Any = None) -> str:
    request = type("Request", (), {"user": user})()
    checks = {
        "v": model_admin.has_view_permission(request, obj),
        "a": obj is None and model_admin.has_add_permission(request),
        "c": model_admin.has_change_permission(request, obj),
        "d": model_admin.has_delete_permission(request, obj),
    }
    return "".join(letter for letter, allowed in checks.items() if allowed)


def test_each_role_may_do_on_each_screen_what_the_table_says(people):
    found, wanted = {}, {}
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        for role, user in people.items():
            found[label, role] = rights_of(user, model_admin)
            wanted[label, role] = expected(label, role)
    assert found == wanted


def one_of_each(people: dict[str, Any]) -> dict[str, Any]:
    """A row of every model with an admin screen."""
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
    from django.contrib.flatpages.models import FlatPage
    from django.contrib.sites.models import Site
    from django_tasks_db.models import DBTaskResult

    from wiesci.articles import services
    from wiesci.articles.models import Article, AuditEntry, Author, Label
    from wiesci.comments import services as comments
    from wiesci.comments.models import (
        Appeal,
        Comment,
        ModerationSettings,
        RemovalReason,
    )
    from wiesci.distribution.models import PortalProfile
    from wiesci.events import services as event_services
    from wiesci.events.models import Event
    from wiesci.live import services as live_services
    from wiesci.moving.models import ImportedItem, Redirect
    from wiesci.newsletter.models import Digest, Subscriber
    from wiesci.notices import services as notice_services
    from wiesci.notices.models import Notice
    from wiesci.photos.services import create_photo, create_video
    from wiesci.push.models import Broadcast, PushSubscription
    from wiesci.taxonomy.models import Organisation, Place, Section, Tag
    from wiesci.tips.models import Tip

    reader = people["reader"]
    section = Section.objects.create(name="Kultura", slug="kultura")
    place = Place.objects.create(name="Racibórz", gmina="Racibórz", kind="town")
    article = services.save_article(
        Article(title="Dożynki w Krzanowicach", lead="Lead.", section=section),
        by=people["editor"],
    )
    services.publish_article(article, by=people["editor"])
    policy = ModerationSettings.current()
    policy.premoderate_first = 0
    policy.save()
    comments.post_comment(article, author=reader, body="Piękne dożynki!", token="t")
    # A journalist's own draft: the article screen's row they may change.
    draft = services.save_article(
        Article(title="Szkic reportera", lead="Lead.", section=section),
        by=people["journalist"],
    )
    event = Event(
        title="Dożynki gminne", starts_at=timezone.now(), place=place, kind="festival"
    )
    event.save()
    event_services.record_event_saved(event, by=people["journalist"], created=True)
    notice = Notice(
        title="Sprzedaż działki",
        issuer=Organisation.objects.create(name="Urząd Miasta", kind="office"),
        body="Treść.",
        stays_until=timezone.localdate(),
    )
    notice.save()
    notice_services.record_notice_saved(notice, by=people["journalist"], created=True)
    app = SocialApp.objects.create(provider="google", name="Google", client_id="x")
    account = SocialAccount.objects.create(user=reader, provider="google", uid="1")
    return {
        "auth.group": Group.objects.get(name="Redaktor"),
        "sites.site": Site.objects.get_current(),
        "flatpages.flatpage": FlatPage.objects.create(url="/o-nas/", title="O nas"),
        "account.emailaddress": EmailAddress.objects.get(user=reader),
        "socialaccount.socialapp": app,
        "socialaccount.socialtoken": SocialToken.objects.create(
            app=app, account=account, token="t"
        ),
        "socialaccount.socialaccount": account,
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="wiesci.photos.tasks.make_photo_renditions",
            backend_name="default",
            run_after=timezone.now(),
        ),
        "accounts.user": reader,
        "taxonomy.section": section,
        "taxonomy.tag": Tag.objects.create(name="dożynki"),
        "taxonomy.place": place,
        "taxonomy.organisation": Organisation.objects.create(name="GOK", place=place),
        "photos.photo": create_photo(
            io.BytesIO(image_bytes()), alt_text="Wieniec", by=COMMAND
        ),
        "photos.video": create_video(
            title="Korowód",
            url="https://www.youtube.com/watch?v=AbCdEfGhIjK",
            by=COMMAND,
        ),
        "articles.article": draft,
        "articles.auditentry": AuditEntry.objects.filter(article=article).first(),
        "articles.author": Author.objects.create(name="Anna Kowalczyk"),
        "articles.label": Label.objects.get_or_create(name="ZAPOWIEDŹ")[0],
        "comments.comment": Comment.objects.get(),
        "comments.removalreason": RemovalReason.objects.first(),
        "comments.appeal": Appeal.objects.create(
            comment=Comment.objects.get(), appellant=reader, text="Proszę o zmianę."
        ),
        "comments.moderationsettings": policy,
        "distribution.portalprofile": PortalProfile.objects.get_or_create(pk=1)[0],
        "moving.redirect": Redirect.objects.create(
            path="/stary-wpis/", target="/artykul/nowy/", source="wordpress"
        ),
        "moving.importeditem": ImportedItem.objects.create(
            source="wordpress", kind="post", key="https://stary.pl/?p=1", target_id=1
        ),
        "events.event": event,
        "notices.notice": notice,
        "live.coverage": live_services.start_coverage(article, by=people["editor"]),
        "newsletter.subscriber": Subscriber.objects.create(
            email="czytelniczka@example.pl"
        ),
        "newsletter.digest": Digest.objects.create(
            kind=Digest.Kind.DAILY,
            send_at=timezone.now(),
            covers_from=timezone.now() - timedelta(days=1),
            covers_until=timezone.now(),
        ),
        "push.pushsubscription": PushSubscription.objects.create(
            endpoint="https://fcm.googleapis.com/fcm/send/abc", p256dh="k", auth="a"
        ),
        "push.broadcast": Broadcast.objects.create(
            article=article, breaking_until=timezone.now(), text="Pilne: pożar"
        ),
        "tips.tip": Tip.objects.create(text="Pali się stodoła w Brzeziu."),
    }


def answers(client: Client, label: str, obj: Any) -> str:
    """The rights the screens grant, read from what they answer over HTTP."""
    app_label, model_name = label.split(".")
    name = f"admin:{app_label}_{model_name}"
    pages = {
        "v": reverse(f"{name}_changelist"),
        "a": reverse(f"{name}_add"),
        "c": reverse(f"{name}_change", args=[obj.pk]),
        "d": reverse(f"{name}_delete", args=[obj.pk]),
    }
    granted = ""
    for letter, url in pages.items():
        response = client.get(url)
        status, location = response.status_code, response.get("Location", "")
        # A screen one may only view shows the row without a save button.
        if letter == "c" and 'name="_save"' not in response.content.decode():
            status = 403
        if status == 200 or (
            # The settings' single row: its list opens the row itself.
            letter == "v" and status == 302 and "change" in location
        ):
            granted += letter
        else:
            assert status in (302, 403), (url, status)
    return granted


def test_every_screen_answers_each_role_as_the_table_says(people, settings):
    # The task list shows what the database queue holds, as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    rows = one_of_each(people)
    assert set(rows) == set(RIGHTS) and all(rows.values())
    found, wanted = {}, {}
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        for label, obj in rows.items():
            found[label, role] = answers(client, label, obj)
            wanted[label, role] = expected(label, role)
    assert found == wanted


# --- Rows of the newsroom's own content: whose they are counts ----------------


@pytest.fixture
def newsroom(people):
    """Articles at each stage, with a photo and a video each, and unused ones."""
    from wiesci.articles import services
    from wiesci.articles.models import Article
    from wiesci.photos.services import create_photo, create_video
    from wiesci.taxonomy.models import Section

    journalist, editor = people["journalist"], people["editor"]
    colleague = staff_member("kolega", "Dziennikarz")
    section = Section.objects.create(name="Wiadomości", slug="wiadomosci")

    def story(title: str, by: Any) -> tuple[Any, Any, Any]:
        article = services.save_article(
            Article(title=title, lead="Lead.", section=section), by=by
        )
        photo = create_photo(io.BytesIO(image_bytes()), alt_text=title, by=COMMAND)
        services.add_to_gallery(article, [photo], by=COMMAND)
        video = create_video(
            title=f"Film: {title}",
            url="https://vimeo.com/76979871",
            poster=create_photo(io.BytesIO(image_bytes()), alt_text=title, by=COMMAND),
            by=COMMAND,
        )
        article.videos.add(video)
        return article, photo, video

    own = story("Mój szkic", journalist)
    in_review = story("Szkic kolegi w recenzji", colleague)
    services.submit_for_review(in_review[0], by=colleague)
    published = story("Opublikowany mój tekst", journalist)
    services.publish_article(published[0], by=editor)
    unused_photo = create_photo(
        io.BytesIO(image_bytes()), alt_text="Nieużyte", by=COMMAND
    )
    unused_video = create_video(
        title="Nieużyty film",
        url="https://www.youtube.com/watch?v=AbCdEfGhIj0",
        by=COMMAND,
    )
    return {
        "own draft": own,
        "a colleague's story in review": in_review,
        "a published story": published,
        "unused": (None, unused_photo, unused_video),
    }


def test_a_journalist_changes_only_rows_of_their_own_drafts_or_unused_ones(
    people, newsroom
):
    journalist, editor = people["journalist"], people["editor"]
    kinds = ("article", "photo", "video")
    found, wanted = {}, {}
    for stage, rows in newsroom.items():
        for kind, row in zip(kinds, rows, strict=True):
            if row is None:
                continue
            model_admin = admin.site._registry[type(row)]
            mine = stage in ("own draft", "unused")
            for who, user in (("journalist", journalist), ("editor", editor)):
                found[stage, kind, who] = rights_of(user, model_admin, row)
                if who == "editor":
                    wanted[stage, kind, who] = EVERYTHING.replace("a", "")
                elif kind == "article":
                    # Their own articles stay in view, at any stage.
                    wanted[stage, kind, who] = "vc" if mine else "v"
                else:
                    wanted[stage, kind, who] = "vc" if mine else ""
    assert found == wanted


def video_form(video: Any, **changes: Any) -> dict[str, Any]:
    data = {"title": video.title, "poster": video.poster_id or ""}
    return data | changes


def test_a_journalist_cannot_retitle_or_repost_a_published_storys_video(
    client, people, newsroom
):
    _, _, video = newsroom["a published story"]
    _, others_photo, _ = newsroom["a colleague's story in review"]
    client.force_login(people["journalist"])
    url = reverse("admin:photos_video_change", args=[video.pk])
    response = client.post(
        url, video_form(video, title="Podmieniony", poster=others_photo.pk)
    )
    assert response.status_code in (302, 403)
    video.refresh_from_db()
    assert video.title == "Film: Opublikowany mój tekst"
    assert video.poster_id != others_photo.pk


def test_a_journalist_cannot_pick_another_storys_photo_as_a_poster(
    client, people, newsroom
):
    _, _, video = newsroom["own draft"]
    _, others_photo, _ = newsroom["a colleague's story in review"]
    _, unused_photo, _ = newsroom["unused"]
    client.force_login(people["journalist"])
    url = reverse("admin:photos_video_change", args=[video.pk])
    refused = client.post(url, video_form(video, poster=others_photo.pk))
    assert refused.status_code == 200
    assert "poster" in refused.context["adminform"].form.errors
    video.refresh_from_db()
    assert video.poster_id != others_photo.pk
    accepted = client.post(url, video_form(video, poster=unused_photo.pk))
    assert accepted.status_code == 302
    video.refresh_from_db()
    assert video.poster_id == unused_photo.pk


def test_the_video_services_refuse_what_the_screens_refuse(people, newsroom):
    from wiesci.photos import services

    journalist = people["journalist"]
    _, _, published_video = newsroom["a published story"]
    _, others_photo, _ = newsroom["a colleague's story in review"]
    _, _, own_video = newsroom["own draft"]
    with pytest.raises(services.NotYours, match="Nie możesz zmienić tego filmu"):
        services.update_video(published_video, by=journalist, title="Nowy", poster=None)
    with pytest.raises(services.NotYours, match="obrazu podglądu"):
        services.update_video(
            own_video, by=journalist, title=own_video.title, poster=others_photo
        )
    with pytest.raises(services.NotYours, match="Nie możesz usunąć"):
        services.delete_video(published_video, by=journalist)


def test_an_mp4_uploaded_in_the_admin_becomes_a_video(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from wiesci.photos.models import Video

    client.force_login(people["journalist"])
    upload = SimpleUploadedFile("z-telefonu.mp4", phone_mp4(), "video/mp4")
    response = client.post(
        reverse("admin:photos_video_add"),
        {"title": "Dożynki z telefonu", "url": "", "upload": upload, "poster": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    video = Video.objects.get(title="Dożynki z telefonu")
    assert video.provider == Video.Provider.FILE and video.poster is not None
    # The public name: a time stamp, the title and a hash, never the title alone.
    name = video.file.name.rsplit("/", 1)[1]
    stamp, rest = name.split("-", 1)
    assert stamp.isdigit() and rest.startswith("dozynki-z-telefonu-")
    assert len(rest.removeprefix("dozynki-z-telefonu-")) == len("0123456789.mp4")


def test_an_admin_video_needs_an_address_or_a_file_but_not_both(client, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people["editor"])
    url = reverse("admin:photos_video_add")
    neither = client.post(url, {"title": "Film", "url": "", "poster": ""})
    both = client.post(
        url,
        {
            "title": "Film",
            "url": "https://vimeo.com/76979871",
            "upload": SimpleUploadedFile("f.mp4", phone_mp4(), "video/mp4"),
            "poster": "",
        },
    )
    for response in (neither, both):
        assert response.status_code == 200
        assert "Podaj adres filmu albo dodaj plik MP4" in response.content.decode()
