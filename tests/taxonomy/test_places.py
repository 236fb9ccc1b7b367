import pytest

from wiesci.taxonomy.inflection import place_phrases
from wiesci.taxonomy.models import Place


@pytest.mark.parametrize(
    ("name", "phrases"),
    [
        ("Krzanowice", ("z Krzanowic", "w Krzanowicach")),
        ("Racibórz", ("z Raciborza", "w Raciborzu")),
        ("Nędza", ("z Nędzy", "w Nędzy")),
        ("Kuźnia Raciborska", ("z Kuźni Raciborskiej", "w Kuźni Raciborskiej")),
        ("Pietrowice Wielkie", ("z Pietrowic Wielkich", "w Pietrowicach Wielkich")),
        ("Sławików", ("ze Sławikowa", "w Sławikowie")),
        ("Wrocław", ("z Wrocławia", "we Wrocławiu")),
    ],
)
def test_place_phrases_come_from_the_dictionary(name, phrases):
    assert place_phrases(name) == phrases


def test_unknown_name_stays_in_the_nominative_for_the_editor_to_fix():
    assert place_phrases("Xqwzy Górne") == ("z Xqwzy Górne", "w Xqwzy Górne")


@pytest.mark.django_db
def test_place_generates_its_forms_and_keeps_an_editors_correction():
    place = Place.objects.create(name="Krzanowice", gmina="Krzanowice")
    assert (place.phrase_from, place.phrase_in) == ("z Krzanowic", "w Krzanowicach")
    assert place.slug == "krzanowice"
    studzienna = Place.objects.create(
        name="Studzienna",
        gmina="Racibórz",
        phrase_from="ze Studziennej",
        phrase_in="w Studziennej",
    )
    studzienna.description = "Dzielnica Raciborza."
    studzienna.save()
    studzienna.refresh_from_db()
    assert studzienna.phrase_from == "ze Studziennej"


# Written by hand from Polish usage, not from the generator.
DEMO_PLACE_FORMS = {
    "Racibórz": ("z Raciborza", "w Raciborzu"),
    "Kuźnia Raciborska": ("z Kuźni Raciborskiej", "w Kuźni Raciborskiej"),
    "Krzanowice": ("z Krzanowic", "w Krzanowicach"),
    "Krzyżanowice": ("z Krzyżanowic", "w Krzyżanowicach"),
    "Kornowac": ("z Kornowaca", "w Kornowacu"),
    "Nędza": ("z Nędzy", "w Nędzy"),
    "Pietrowice Wielkie": ("z Pietrowic Wielkich", "w Pietrowicach Wielkich"),
    "Rudnik": ("z Rudnika", "w Rudniku"),
    "Brzezie": ("z Brzezia", "w Brzeziu"),
    "Markowice": ("z Markowic", "w Markowicach"),
    "Ocice": ("z Ocic", "w Ocicach"),
    "Studzienna": ("ze Studziennej", "w Studziennej"),
    "Miedonia": ("z Miedoni", "w Miedoni"),
    "Tworków": ("z Tworkowa", "w Tworkowie"),
    "Bieńkowice": ("z Bieńkowic", "w Bieńkowicach"),
    "Chałupki": ("z Chałupek", "w Chałupkach"),
    "Sławików": ("ze Sławikowa", "w Sławikowie"),
    "Łubowice": ("z Łubowic", "w Łubowicach"),
    "Rudy": ("z Rud", "w Rudach"),
    "Babice": ("z Babic", "w Babicach"),
    "Pogrzebień": ("z Pogrzebienia", "w Pogrzebieniu"),
    "Wojnowice": ("z Wojnowic", "w Wojnowicach"),
    "Krowiarki": ("z Krowiarek", "w Krowiarkach"),
}


@pytest.mark.django_db
def test_every_demo_place_gets_correct_polish_forms():
    from wiesci.core.demo import DemoContext
    from wiesci.taxonomy import demo

    demo.load(DemoContext(say=lambda line: None))
    forms = {
        place.name: (place.phrase_from, place.phrase_in)
        for place in Place.objects.all()
    }
    assert forms == DEMO_PLACE_FORMS


@pytest.mark.parametrize(
    ("name", "phrases"),
    [
        # Read as a feminine adjectival name, not as the plural of "Studzienno".
        ("Studzienna", ("ze Studziennej", "w Studziennej")),
        ("Środa Śląska", ("ze Środy Śląskiej", "w Środzie Śląskiej")),
        ("Nowy Targ", ("z Nowego Targu", "w Nowym Targu")),
    ],
)
def test_a_name_is_read_in_its_own_dictionary_form(name, phrases):
    assert place_phrases(name) == phrases


@pytest.mark.django_db
def test_a_renamed_place_gets_new_forms():
    place = Place.objects.create(name="Krzanowice", gmina="Krzanowice")
    place.name = "Pietrowice Wielkie"
    place.save()
    place.refresh_from_db()
    assert (place.phrase_from, place.phrase_in) == (
        "z Pietrowic Wielkich",
        "w Pietrowicach Wielkich",
    )


@pytest.mark.django_db
def test_a_renamed_place_keeps_forms_an_editor_corrected():
    place = Place.objects.create(name="Rudnik", gmina="Rudnik")
    place.phrase_in = "na Rudniku"
    place.save()
    place.name = "Rudnik Mały"
    place.save()
    place.refresh_from_db()
    assert place.phrase_in == "na Rudniku"
    assert place.phrase_from == place_phrases("Rudnik Mały")[0]


@pytest.mark.django_db
def test_renaming_in_the_admin_regenerates_the_forms(admin_client):
    from django.urls import reverse

    place = Place.objects.create(name="Babice", gmina="Nędza", kind="village")
    url = reverse("admin:taxonomy_place_change", args=[place.pk])
    response = admin_client.post(
        url,
        {
            "name": "Łubowice",
            "slug": place.slug,
            "kind": "village",
            "gmina": "Rudnik",
            "phrase_from": place.phrase_from,
            "phrase_in": place.phrase_in,
            "description": "",
        },
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert (place.phrase_from, place.phrase_in) == ("z Łubowic", "w Łubowicach")
