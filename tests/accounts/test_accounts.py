"""Reader accounts: no enumeration, rate limits, a public name, deletion."""

import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.urls import reverse

from wiesci.accounts.models import User

pytestmark = pytest.mark.django_db

TOKENS = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def normalised(response, email: str) -> tuple[int, str]:
    """The answer with its CSRF token and the echoed address taken out."""
    page = TOKENS.sub("", response.content.decode()).replace(email, "ADRES")
    return response.status_code, page


def test_log_in_answers_the_same_for_known_and_unknown_addresses(client, reader):
    url = reverse("account_login")
    known = client.post(url, {"login": reader.email, "password": "zle-haslo-1"})
    unknown = client.post(url, {"login": "nikt@example.pl", "password": "zle-haslo-1"})
    assert normalised(known, reader.email) == normalised(unknown, "nikt@example.pl")
    assert known.status_code == 200


def sign_up(client, email: str, **extra):
    return client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": "Kasztany-w-parku-2026",
            "password2": "Kasztany-w-parku-2026",
            "display_name": "Nowy Sąsiad",
            "terms": "on",
        },
        **extra,
    )


def test_sign_up_answers_the_same_for_known_and_unknown_addresses(
    client, reader, django_capture_on_commit_callbacks
):
    answers = []
    for email in (reader.email, "nowy@example.pl"):
        with django_capture_on_commit_callbacks(execute=True):
            response = sign_up(client, email, follow=True)
        answers.append(normalised(response, email))
        client.logout()
    assert answers[0] == answers[1]
    assert "Potwierdź" in answers[0][1] or "potwierd" in answers[0][1]
    # The owner of the known address is told someone tried; nobody else learns it.
    assert {message.to[0] for message in mail.outbox} == {
        reader.email,
        "nowy@example.pl",
    }


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting the passwords it hashes."""

    hashed = 0

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.hashed += 1
        return super().encode(password, salt)


# Committed for real: the worker below reads the queue as in production.
@pytest.mark.django_db(transaction=True)
def test_sign_up_does_the_same_work_for_known_and_unknown_addresses(
    client, reader, settings
):
    """Both hash the password once and queue one mail for the worker, so the
    time of the answer does not tell which addresses have accounts."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.PASSWORD_HASHERS = ["tests.accounts.test_accounts.CountingHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    work = []
    for email in (reader.email, "nowy@example.pl"):
        CountingHasher.hashed, queued = 0, DBTaskResult.objects.count()
        response = sign_up(client, email)
        assert response.status_code == 302
        work.append((CountingHasher.hashed, DBTaskResult.objects.count() - queued))
        client.logout()
    assert work == [(1, 1), (1, 1)]
    assert mail.outbox == []  # nothing sent while the readers waited
    call_command("worker", "--batch", "--interval", "0")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "nowy@example.pl",
        reader.email,
    ]


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, reader, django_capture_on_commit_callbacks
):
    url = reverse("account_reset_password")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": reader.email}, follow=True)
        unknown = client.post(url, {"email": "nikt@example.pl"}, follow=True)
    assert normalised(known, reader.email) == normalised(unknown, "nikt@example.pl")
    # Only the account's owner gets a reset link.
    assert reader.email in mail.outbox[0].to


def test_sign_up_asks_a_public_name_that_is_not_an_address(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "jan@example.pl",
            "password1": "Kasztany-w-parku-2026",
            "password2": "Kasztany-w-parku-2026",
            "display_name": "jan@example.pl",
            "terms": "on",
        },
    )
    assert response.status_code == 200
    assert "Wybierz nazwę bez adresu e-mail" in response.content.decode()
    assert not User.objects.exists()


def test_repeated_failed_log_ins_are_stopped(client, reader):
    url = reverse("account_login")
    for i in range(5):
        client.post(url, {"login": reader.email, "password": f"zle-{i}"})
    # Even the right password is turned away until the limit passes.
    response = client.post(url, {"login": reader.email, "password": "Odra-1997-powodz"})
    assert "Zbyt wiele nieudanych prób logowania" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_log_in_goes_through_the_rate_limited_log_in(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_account_deletion_needs_the_password(client, reader):
    client.force_login(reader)
    response = client.post(reverse("accounts:delete"), {"password": "nie-to"})
    assert "Hasło jest nieprawidłowe." in response.content.decode()
    assert User.objects.filter(pk=reader.pk).exists()


def test_the_name_in_the_header_leads_to_the_account_page(client, reader):
    client.force_login(reader)
    home = client.get(reverse("articles:home")).content.decode()
    assert f'href="{reverse("accounts:account")}">Sąsiad z Ocic</a>' in home
    page = client.get(reverse("accounts:account")).content.decode()
    assert "Moje konto" in page
    for name, text in [
        ("account_email", "Zmień adres e-mail"),
        ("account_change_password", "Zmień hasło"),
        ("accounts:delete", "Usuń konto"),
    ]:
        assert f'<a href="{reverse(name)}">{text}</a>' in page


def test_the_account_page_asks_to_log_in(client):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.fixture
def social_reader(make_reader):
    """A reader who signed up through Google: no password of their own."""
    user = make_reader(email="z.google@example.pl", display_name="Z Google")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def test_an_account_without_a_password_is_not_deleted_by_any_password(
    client, social_reader
):
    client.force_login(social_reader)
    page = client.get(reverse("accounts:account")).content.decode()
    assert f'<a href="{reverse("account_set_password")}">Ustaw hasło</a>' in page
    for attempt in ({"password": "cokolwiek"}, {"password": ""}, {}):
        response = client.post(reverse("accounts:delete"), attempt)
        assert response.status_code == 200
        assert "Wpisz swój adres e-mail, aby potwierdzić" in response.content.decode()
    response = client.post(
        reverse("accounts:delete"), {"confirmation": "ktos.inny@example.pl"}
    )
    assert "To nie jest adres e-mail Twojego konta." in response.content.decode()
    assert User.objects.filter(pk=social_reader.pk).exists()


def test_an_account_without_a_password_is_deleted_by_typing_its_address(
    client, social_reader
):
    client.force_login(social_reader)
    response = client.post(
        reverse("accounts:delete"), {"confirmation": " Z.Google@example.pl "}
    )
    assert response.status_code == 302
    assert not User.objects.filter(pk=social_reader.pk).exists()


def test_an_account_without_a_password_or_address_types_a_phrase(client, social_reader):
    User.objects.filter(pk=social_reader.pk).update(email="")
    client.force_login(social_reader)
    response = client.post(reverse("accounts:delete"), {"confirmation": "usuń"})
    assert "Wpisz dokładnie „usuń moje konto”." in response.content.decode()
    assert User.objects.filter(pk=social_reader.pk).exists()
    client.post(reverse("accounts:delete"), {"confirmation": "Usuń moje konto"})
    assert not User.objects.filter(pk=social_reader.pk).exists()


def test_sign_up_is_rate_limited_with_a_polish_answer(client):
    url = reverse("account_signup")
    # allauth's default: 20 sign-up attempts a minute from one address.
    for i in range(20):
        response = client.post(url, {"email": f"bot{i}@example.pl"})
        assert response.status_code == 200
    response = client.post(
        url,
        {
            "email": "jeszcze@example.pl",
            "password1": "Kasztany-w-parku-2026",
            "password2": "Kasztany-w-parku-2026",
            "display_name": "Jeszcze Jeden",
            "terms": "on",
        },
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Zbyt wiele prób" in page
    assert "Odczekaj kilka minut i spróbuj ponownie." in page
    assert not User.objects.filter(email="jeszcze@example.pl").exists()
