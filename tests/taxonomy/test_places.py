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
