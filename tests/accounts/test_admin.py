"""Readers' bans in the user admin: seen, given and lifted through the services."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from wiesci.accounts.services import ban_reader
from wiesci.core.actors import COMMAND

pytestmark = pytest.mark.django_db

USERS = reverse("admin:accounts_user_changelist")


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def test_the_user_list_shows_and_filters_banned_readers(desk, reader, make_reader):
    ban_reader(
        reader, until=timezone.now() + timedelta(days=3), reason="Obelgi.", by=COMMAND
    )
    calm = make_reader(display_name="Spokojna Sąsiadka")
    page = desk.get(USERS + "?banned=yes").content.decode()
    assert "Sąsiad z Ocic" in page
    assert "Spokojna Sąsiadka" not in page
    page = desk.get(USERS + "?banned=no").content.decode()
    assert "Spokojna Sąsiadka" in page
    assert "Sąsiad z Ocic" not in page
    assert calm.email in page


def test_an_expired_ban_counts_as_not_banned(desk, reader):
    ban_reader(
        reader, until=timezone.now() - timedelta(hours=1), reason="Dawno.", by=COMMAND
    )
    assert "Sąsiad z Ocic" in desk.get(USERS + "?banned=no").content.decode()


def test_the_user_page_shows_the_ban_without_letting_it_be_typed_in(
    client, reader, django_user_model
):
    admin = django_user_model.objects.create_superuser(
        "admin", "admin@wiesci.example.pl", "haslo-admina"
    )
    client.force_login(admin)
    ban_reader(
        reader, until=timezone.now() + timedelta(days=3), reason="Obelgi.", by=COMMAND
    )
    page = client.get(
        reverse("admin:accounts_user_change", args=[reader.pk])
    ).content.decode()
    assert "Obelgi." in page
    assert 'name="ban_reason"' not in page
    assert 'name="banned_until' not in page


def test_an_editor_bans_from_the_user_list(desk, reader):
    data = {"action": "ban", ACTION_CHECKBOX_NAME: [reader.pk]}
    form = desk.post(USERS, data)
    assert "powód blokady" in form.content.decode()
    reader.refresh_from_db()
    assert not reader.is_banned
    desk.post(USERS, {**data, "confirm": "1", "days": "7", "reason": "Spam."})
    reader.refresh_from_db()
    assert reader.is_banned
    assert reader.ban_reason == "Spam."
    assert reader.banned_until > timezone.now() + timedelta(days=6)


def test_an_editor_lifts_a_ban_from_the_user_list(desk, reader):
    ban_reader(
        reader, until=timezone.now() + timedelta(days=3), reason="Obelgi.", by=COMMAND
    )
    response = desk.post(
        USERS, {"action": "lift_bans", ACTION_CHECKBOX_NAME: [reader.pk]}, follow=True
    )
    assert "Zdjęto blokadę 1 czytelnika." in response.content.decode()
    reader.refresh_from_db()
    assert not reader.is_banned
    assert (reader.banned_until, reader.ban_reason) == (None, "")


def test_only_moderators_ban_and_lift_bans(client, reader, journalist):
    from django.contrib.auth.models import Permission

    journalist.user_permissions.add(
        Permission.objects.get(codename="view_user", content_type__app_label="accounts")
    )
    client.force_login(journalist)
    ban_reader(
        reader, until=timezone.now() + timedelta(days=3), reason="Obelgi.", by=COMMAND
    )
    client.post(USERS, {"action": "lift_bans", ACTION_CHECKBOX_NAME: [reader.pk]})
    reader.refresh_from_db()
    assert reader.is_banned
