"""Readers' names (unique, none passing for the newsroom's), consent to the
terms at sign-up, the legal pages in every footer, and a reader's data to
take away."""

import json

import pytest
from django.contrib.flatpages.models import FlatPage
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import staff_member
from wiesci.accounts.models import Consent, User
from wiesci.accounts.services import rename_reader
from wiesci.comments import services as comments

pytestmark = pytest.mark.django_db


def sign_up(client, email, name, **fields):
    data = {
        "email": email,
        "password1": "Kasztany-w-parku-2026",
        "password2": "Kasztany-w-parku-2026",
        "display_name": name,
        "terms": "on",
        **fields,
    }
    return client.post(reverse("account_signup"), data)


@pytest.mark.parametrize(
    "name", ["Redakcja Wieści", "redakcja", "REDAKCJI", "Wieści", "Moderator Janek"]
)
def test_a_reserved_name_is_refused_at_sign_up(client, name):
    response = sign_up(client, "jan@example.pl", name)
    assert response.status_code == 200
    assert "Ta nazwa jest zarezerwowana dla redakcji." in response.content.decode()
    assert not User.objects.exists()


def test_a_name_is_taken_whatever_its_case_and_diacritics(client, reader):
    assert reader.display_name == "Sąsiad z Ocic"
    response = sign_up(client, "inny@example.pl", "SASIAD Z OCIC")
    assert "Ta nazwa jest już zajęta." in response.content.decode()
    assert not User.objects.filter(email="inny@example.pl").exists()


def test_a_staff_members_name_is_reserved(reader):
    staff_member("kowalska", "Dziennikarz")  # shown as "Kowalska"
    with pytest.raises(ValidationError, match="zarezerwowana"):
        rename_reader(reader, by=reader, name="Kowalska")


def test_sign_up_records_consent_with_the_version_of_the_terms(
    client, django_capture_on_commit_callbacks
):
    terms = FlatPage.objects.get(url="/regulamin/")
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "nowa@example.pl", "Nowa z Brzezia")
    user = User.objects.get(email="nowa@example.pl")
    (consent,) = Consent.objects.filter(user=user)
    assert consent.terms is not None
    assert consent.terms.content == terms.content
    first = consent.terms.digest
    terms.content += "<p>Zmiana.</p>"
    terms.save()
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "drugi@example.pl", "Drugi z Brzezia")
    later = Consent.objects.get(user__email="drugi@example.pl")
    assert later.terms is not None
    assert later.terms.digest != first
    assert later.terms.content.endswith("<p>Zmiana.</p>")


def test_sign_up_without_accepting_the_terms_is_refused(client):
    response = sign_up(client, "jan@example.pl", "Jan z Ocic", terms="")
    assert "Zaakceptuj regulamin, aby założyć konto." in response.content.decode()
    assert not User.objects.exists()


def test_a_reader_renames_themselves_on_the_account_page(client, reader, make_reader):
    make_reader(display_name="Zajęta Nazwa")
    client.force_login(reader)
    page = client.get(reverse("accounts:account")).content.decode()
    assert 'value="Sąsiad z Ocic"' in page
    response = client.post(
        reverse("accounts:account"), {"display_name": "zajeta nazwa"}
    )
    assert response.status_code == 400
    assert "Ta nazwa jest już zajęta." in response.content.decode()
    response = client.post(
        reverse("accounts:account"), {"display_name": "Sąsiadka z Ocic"}, follow=True
    )
    assert "Nazwa została zmieniona." in response.content.decode()
    reader.refresh_from_db()
    assert reader.display_name == "Sąsiadka z Ocic"


def test_every_footer_links_the_legal_pages(client, make_article):
    article = make_article()
    for path in ("/", article.get_absolute_url()):
        page = client.get(path).content.decode()
        for url in (
            "/stopka-redakcyjna/",
            "/kontakt/",
            "/regulamin/",
            "/polityka-prywatnosci/",
        ):
            assert f'href="{url}"' in page
    imprint = client.get("/stopka-redakcyjna/")
    assert imprint.status_code == 200
    assert "Redaktor naczelny" in imprint.content.decode()


def test_the_data_export_holds_the_readers_comments_and_nobody_elses(
    client, reader, make_reader, make_article, trusted
):
    article = make_article()
    neighbour = make_reader(display_name="Sąsiadka zza płotu")
    theirs = comments.post_comment(
        article, author=neighbour, body="Cudzy komentarz.", token="n1"
    )
    comments.post_comment(
        article, author=reader, body="Mój komentarz.", token="r1", parent=theirs
    )
    comments.report_comment(theirs, by=reader, reason="spam", note="Reklama.")
    client.force_login(reader)
    response = client.get(reverse("accounts:download"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["account"]["email"] == reader.email
    assert [c["text"] for c in data["comments"]["comments"]] == ["Mój komentarz."]
    assert data["comments"]["reports"][0]["note"] == "Reklama."
    text = response.content.decode()
    assert "Cudzy komentarz." not in text
    assert "Sąsiadka zza płotu" not in text
    assert neighbour.email not in text


def test_the_admin_says_a_name_is_taken_instead_of_failing(client, reader, make_reader):
    other = make_reader(display_name="Ola z Ocic")
    admin = User.objects.create_superuser("szef", "szef@example.pl", "haslo-szefa")
    client.force_login(admin)
    url = reverse("admin:accounts_user_change", args=[other.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() is not None and name not in {"password"}
    }
    data = {k: v for k, v in data.items() if not isinstance(v, list | bool)}
    data.update({"display_name": "SĄSIAD Z OCIC", "is_active": "on"})
    data["date_joined_0"], data["date_joined_1"] = "01.11.2026", "10:00:00"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Ta nazwa jest już zajęta." in response.content.decode()
    other.refresh_from_db()
    assert other.display_name == "Ola z Ocic"
