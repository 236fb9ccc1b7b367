"""Search that understands Polish: forms, diacritics, ranking, publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from wiesci.articles import services
from wiesci.articles.models import Article
from wiesci.core.actors import SCHEDULER
from wiesci.search.query import Filters, search_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed(make_article, django_capture_on_commit_callbacks):
    """Articles made through the services, indexed as after their commit."""

    def make(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return make_article(**fields)

    return make


def titles(text, **filters):
    found = search_articles(text, filters=Filters(**filters))
    by_pk = Article.objects.in_bulk(found.ranked)
    return [by_pk[pk].title for pk in found.ranked]


def test_inflected_forms_find_each_other(indexed):
    indexed(title="Racibórz ma nowy most", lead="Otwarcie w sobotę.")
    indexed(title="Remont w Raciborzu", lead="Drogowcy zaczynają prace.")
    assert set(titles("Raciborzu")) == {"Racibórz ma nowy most", "Remont w Raciborzu"}
    assert set(titles("Raciborza")) == {"Racibórz ma nowy most", "Remont w Raciborzu"}
    assert set(titles("Racibórz")) == {"Racibórz ma nowy most", "Remont w Raciborzu"}


def test_words_typed_without_polish_letters_find_them(indexed):
    indexed(title="Gmina Nędza ogłasza przetarg", lead="Na budowę drogi.")
    indexed(title="Nowy chodnik w Raciborzu", lead="Bez niespodzianek.")
    indexed(title="Festyn w Nędzy", lead="Zabawa na boisku.")
    assert titles("Nedza") == ["Gmina Nędza ogłasza przetarg", "Festyn w Nędzy"]
    assert titles("nedza przetarg") == ["Gmina Nędza ogłasza przetarg"]


def test_another_case_of_a_noun_finds_the_plural(indexed):
    indexed(title="Spotkanie w bibliotece", lead="Bibliotekarze zapraszają dzieci.")
    indexed(title="Zebranie rady gminy", lead="Radni o budżecie.")
    assert titles("bibliotekarzy") == ["Spotkanie w bibliotece"]


def test_stop_words_alone_find_nothing(indexed):
    indexed(title="W Raciborzu i w Nędzy", lead="Oraz na wsi.")
    assert search_articles("w i na").ranked == []


def test_a_phrase_ranks_above_the_same_words_apart(indexed):
    together = indexed(
        title="Zebranie w świetlicy",
        lead="Strażacy opowiadali, jak ugasili pożar w Raciborzu w sobotę.",
    )
    apart = indexed(
        title="Zebranie w szkole",
        lead="Mówiono o remoncie. Pożar, który wybuchł w zeszłym roku w hali "
        "sportowej, przypomniał o przepisach. Tymczasem w Raciborzu zima.",
    )
    # The phrase is the older one: it wins on the phrase, not on recency.
    assert together.published_at < apart.published_at
    assert titles("pożar w Raciborzu") == [together.title, apart.title]


def test_title_ranks_above_lead_and_exact_form_above_lemma(indexed):
    in_lead = indexed(title="Dzień otwarty", lead="Muzeum w Raciborzu zaprasza.")
    lemma_in_title = indexed(title="Racibórz świętuje", lead="Festyn na rynku.")
    exact_in_title = indexed(title="Festyn w Raciborzu", lead="Na rynku.")
    assert titles("Raciborzu") == [
        exact_in_title.title,
        lemma_in_title.title,
        in_lead.title,
    ]


def test_equal_scores_go_newest_first(indexed):
    older = indexed(title="Pożar stodoły w Nędzy")
    newer = indexed(title="Pożar lasu w Nędzy")
    assert titles("pożar") == [newer.title, older.title]


def test_the_newest_matches_are_found_however_far_back_they_lie(indexed, monkeypatch):
    # PostgreSQL seeks them month by month, in windows sized from what the
    # months before held, then everything older at once: across all of them
    # the order is the recency key's, as on SQLite.
    now = timezone.now()
    days_back = [0, 20, 75, 200, 400, 900, 1200, 2000]
    made = [
        indexed(title=f"Powódź, część {n}", at=now - timedelta(days=days))
        for n, days in enumerate(days_back)
    ]
    assert titles("powódź") == [article.title for article in made]
    monkeypatch.setattr("wiesci.search.query.CANDIDATES", 3)
    assert titles("powódź") == [article.title for article in made[:3]]


def test_unpublished_scheduled_and_withdrawn_articles_are_never_found(
    indexed, editor, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    indexed(title="Szkic o powodzi", publish=False)
    later = timezone.now() + timedelta(hours=2)
    indexed(title="Zapowiedź o powodzi", at=later)
    withdrawn = indexed(title="Sprostowana powódź")
    services.withdraw_article(withdrawn, by=editor, note="Błąd.")
    indexed(title="Powódź w Raciborzu")
    assert titles("powódź") == ["Powódź w Raciborzu"]
    # The scheduled one joins at its time, with no job having run.
    time_machine.move_to(later + timedelta(seconds=1), tick=False)
    # "Powódź" as typed beats its other case, "powodzi".
    assert titles("powódź") == ["Powódź w Raciborzu", "Zapowiedź o powodzi"]


def test_the_index_follows_edits_and_deletion(
    indexed, editor, django_capture_on_commit_callbacks
):
    article = indexed(title="Koncert w bibliotece")
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Koncert w muzeum"
        services.save_article(article, by=editor)
    assert titles("muzeum") == ["Koncert w muzeum"]
    assert titles("biblioteka") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_article(article, by=editor)
    assert titles("koncert") == []


def test_filters_by_section_place_and_date(indexed, section, editor):
    from wiesci.taxonomy.models import Place, Section

    sport = Section.objects.create(name="Sport", slug="sport")
    nedza = Place.objects.create(name="Nędza", gmina="Nędza", kind="village")
    now = timezone.now()
    a = indexed(title="Turniej w Nędzy", section=sport, at=now - timedelta(days=40))
    b = indexed(title="Turniej szachowy", at=now - timedelta(days=3))
    b.places.add(nedza)
    assert titles("turniej", section=sport) == [a.title]
    assert titles("turniej", place=nedza) == [b.title]
    assert titles("turniej", since=now - timedelta(days=10)) == [b.title]
    assert titles("turniej", until=now - timedelta(days=10)) == [a.title]


def test_a_misspelt_word_gets_a_suggestion_from_the_portals_words(indexed):
    indexed(title="Bibliotekarze z Krzanowic", lead="Nagroda dla zespołu.")
    found = search_articles("biblotekarze")
    assert found.ranked == []
    assert found.suggestion == "bibliotekarze"
    assert search_articles("bibliotekarze").suggestion == ""


def test_draft_words_are_never_suggested(indexed):
    indexed(title="Tajemniczy przetarg na Zgrzebnioku", publish=False)
    assert search_articles("Zgrzebniok").suggestion == ""
    assert search_articles("Zgrzebnioko").suggestion == ""


# A fixed set, ranked the same by both backends: the suite runs it on SQLite
# and on PostgreSQL, and both must give exactly this order.
CORPUS = [
    ("Pożar w Raciborzu", "Strażacy gasili pożar kamienicy przy rynku."),
    ("Racibórz: pożar opanowany", "W nocy ogień strawił magazyn."),
    ("Zebranie w Nędzy", "Mieszkańcy pytali o pożar sprzed roku i o Racibórz."),
    ("Bibliotekarze z Raciborza", "Pożar w archiwum? Nie, to ćwiczenia."),
    ("Dożynki w Krzanowicach", "Korowód przeszedł przez całe Krzanowice."),
    ("Krzanowice świętują", "Dożynki gminne w sobotę."),
    ("Nedza czy Nędza?", "Jak piszemy nazwę gminy."),
]
EXPECTED = {
    "pożar w Raciborzu": [
        "Pożar w Raciborzu",
        "Racibórz: pożar opanowany",
        "Bibliotekarze z Raciborza",
        "Zebranie w Nędzy",
    ],
    "dożynki Krzanowice": ["Dożynki w Krzanowicach", "Krzanowice świętują"],
    "Nedza": ["Nedza czy Nędza?", "Zebranie w Nędzy"],
    "raciborzu": [
        "Pożar w Raciborzu",
        "Bibliotekarze z Raciborza",
        "Racibórz: pożar opanowany",
        "Zebranie w Nędzy",
    ],
}


def test_both_databases_rank_the_fixed_set_alike(indexed):
    for title, lead in CORPUS:
        indexed(title=title, lead=lead)
    assert {query: titles(query) for query in EXPECTED} == EXPECTED


def test_every_page_has_a_search_box_that_works_without_javascript(client, indexed):
    indexed(title="Festyn w Raciborzu", lead="Zabawa do rana.")
    home = client.get("/").content.decode()
    assert (
        '<form class="site-search" role="search" method="get" action="/szukaj/">'
        in home
    )
    page = client.get(reverse("search:results"), {"q": "festyn Racibórz"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "<mark>Festyn</mark> w <mark>Raciborzu</mark>" in text
    assert 'value="festyn Racibórz"' in text


def test_the_results_page_keeps_its_query_and_filters_in_the_address(
    server, indexed, section
):
    for i in range(25):
        indexed(title=f"Turniej szachowy nr {i}")
    url = f"/szukaj/?q=turniej&dzial={section.slug}"
    first = server(url)
    assert first.status == 200 and "Strona 1 z 2" in first.text
    assert f"?q=turniej&amp;dzial={section.slug}&amp;strona=2" in first.text
    second = server(url + "&strona=2")
    assert second.status == 200 and "Strona 2 z 2" in second.text
    assert server(url).headers["x-cache"] == "HIT"
    assert server(url + "&utm_source=fb").headers["x-cache"] == "HIT"
    # Another spelling of the same search is sent to its canonical address.
    moved = server("/szukaj/?dzial=" + section.slug + "&q=turniej++")
    assert (moved.status, moved.headers["location"]) == (301, url)


def test_an_empty_results_page_helps(client, indexed):
    indexed(title="Bibliotekarze z Krzanowic")
    page = client.get(reverse("search:results"), {"q": "biblotekarze"}).content
    text = page.decode()
    assert "Żaden artykuł nie pasuje" in text
    assert 'Czy chodziło Ci o: <a href="?q=bibliotekarze">bibliotekarze</a>' in text


def test_the_results_page_costs_the_same_queries_for_one_hit_or_twenty(
    client, indexed, django_assert_max_num_queries
):
    def queries_for(count):
        from django.core.cache import cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        cache.clear()  # every fragment rendered afresh, both times
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse("search:results"), {"q": "turniej Nędza"})
        # PostgreSQL reads the newest matches in windows, as many as the
        # matches' dates need (a handful at most): not a query per hit.
        return sum(1 for q in captured if not q["sql"].startswith("WITH matched"))

    indexed(title="Turniej w Nędzy")
    queries_for(1)  # the site's name is cached after the first page
    one = queries_for(1)
    for i in range(19):
        indexed(title=f"Turniej w Nędzy nr {i}")
    assert queries_for(20) == one


def test_the_newsroom_search_finds_drafts_by_any_form(client, editor, indexed):
    indexed(title="Szkic o bibliotekarzach", publish=False)
    indexed(title="Opublikowany tekst o pogodzie")
    client.force_login(editor)
    page = client.get(
        reverse("admin:articles_article_changelist"), {"q": "bibliotekarz"}
    )
    listed = [a.title for a in page.context["cl"].result_list]
    assert listed == ["Szkic o bibliotekarzach"]


def test_reindex_rebuilds_everything_with_a_progress_bar(make_article):
    import io

    from django.core.management import call_command

    for i in range(3):
        make_article(title=f"Dożynki nr {i}")  # no commit: nothing indexed yet
    assert search_articles("dożynki").ranked == []
    out = io.StringIO()
    call_command("reindex", stdout=out)
    assert f"[{'#' * 30}] 3/3" in out.getvalue()
    assert out.getvalue().endswith("Indexed 3 article(s).\n")
    assert len(search_articles("dożynki").ranked) == 3
    assert search_articles("dozynki").ranked != []


def test_a_story_lends_its_words_to_suggestions_once_it_is_out(
    indexed, time_machine, django_capture_on_commit_callbacks
):
    from wiesci.search.models import SearchWord

    time_machine.move_to(timezone.now(), tick=False)
    article = indexed(
        title="Jarmark bożonarodzeniowy", at=timezone.now() + timedelta(minutes=5)
    )
    assert not SearchWord.objects.filter(word="jarmark").exists()
    time_machine.move_to(article.published_at + timedelta(seconds=1), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.run_due_publications(by=SCHEDULER)
    assert SearchWord.objects.get(word="jarmark").uses == 1
    assert search_articles("jarmrak").suggestion == "jarmark"
