"""Most read: counted from the pages' beacons, with no cookie and no address kept."""

import pytest

from wiesci.articles import readership
from wiesci.articles.models import ArticleView

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (Linux; Android 14) Chrome/131 Mobile"


def read(server, article, *, agent=BROWSER):
    """What a browser does: load the page (often from a cache), send its beacon."""
    page = server(article.get_absolute_url(), user_agent=agent)
    assert 'src="/static/articles/reads' in page.text
    beacon = server(
        readership.BEACON_PATH,
        method="POST",
        body=article.get_absolute_url(),
        user_agent=agent,
    )
    assert beacon.status == 204 and beacon.body == b""
    return page


def test_reads_are_counted_from_cached_pages_too_and_written_in_a_batch(
    server, make_article, django_assert_max_num_queries
):
    flood, fire = (
        make_article(title="Odra przybiera"),
        make_article(title="Pożar stodoły"),
    )
    readership.flush()
    for _ in range(5):
        page = read(server, flood)
    assert page.headers["x-cache"] == "HIT"
    read(server, fire)
    read(server, fire, agent="facebookexternalhit/1.1")
    read(server, fire, agent="Googlebot/2.1")
    assert not ArticleView.objects.exists()  # nothing written per view
    # One lookup of the slugs, then at most four statements per article.
    with django_assert_max_num_queries(1 + 4 * 2):
        assert readership.flush() == 6
    assert dict(ArticleView.objects.values_list("article__title", "views")) == {
        "Odra przybiera": 5,
        "Pożar stodoły": 1,
    }
    for _ in range(2):
        read(server, flood)
    readership.flush()
    assert ArticleView.objects.get(article=flood).views == 7


def test_beacons_for_other_addresses_count_nothing(server, make_article):
    article = make_article()
    readership.flush()
    for body in ("/", "/dzial/wiadomosci/", "/artykul/nie-ma-takiego/", "x" * 5000):
        assert server(readership.BEACON_PATH, method="POST", body=body).status == 204
    server(article.get_absolute_url(), user_agent=BROWSER)  # a page alone: no count
    assert readership.flush() == 0
    assert not ArticleView.objects.exists()


def test_previews_send_no_beacon(client, editor, make_article):
    draft = make_article(title="Szkic", publish=False)
    client.force_login(editor)
    page = client.get(f"/podglad/{draft.pk}/").content.decode()
    assert "Szkic" in page and "reads" not in page


def test_the_beacon_works_without_the_page_cache_layer(client, make_article):
    article = make_article()
    readership.flush()
    answer = client.post(
        readership.BEACON_PATH,
        article.get_absolute_url(),
        content_type="text/plain",
        HTTP_USER_AGENT=BROWSER,
    )
    assert answer.status_code == 204
    assert readership.flush() == 1


def test_nothing_about_the_reader_is_kept(server, make_article):
    article = make_article()
    answer = server(
        readership.BEACON_PATH,
        method="POST",
        body=article.get_absolute_url(),
        user_agent=BROWSER,
        x_forwarded_for="1.2.3.4",
    )
    assert "set-cookie" not in answer.headers
    readership.flush()
    fields = {f.name for f in ArticleView._meta.get_fields()}
    assert fields == {"id", "article", "hour", "views"}


def test_most_read_box_on_home_and_section_pages(client, make_article, section):
    from datetime import timedelta

    from django.core.cache import cache
    from django.utils import timezone

    from wiesci.taxonomy.models import Section

    other = Section.objects.create(name="Sport", slug="sport")
    hot = make_article(title="Najpopularniejsza")
    warm = make_article(title="Druga w rankingu")
    old_news = make_article(title="Sprzed miesiąca")
    sport = make_article(title="Derby powiatu", section=other)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    ArticleView.objects.create(article=hot, hour=hour, views=90)
    ArticleView.objects.create(article=warm, hour=hour - timedelta(days=2), views=500)
    ArticleView.objects.create(
        article=old_news, hour=hour - timedelta(days=30), views=999
    )
    ArticleView.objects.create(article=sport, hour=hour, views=40)
    cache.clear()
    page = client.get("/").content.decode()
    box = page.split('class="most-read"')[1].split("</section>")[0]
    day, week = box.split("Ostatnie 7 dni")
    assert day.index("Najpopularniejsza") < day.index("Derby powiatu")
    assert "Druga w rankingu" not in day
    assert week.index("Druga w rankingu") < week.index("Najpopularniejsza")
    assert "Sprzed miesiąca" not in box
    sport_page = client.get(other.get_absolute_url()).content.decode()
    sport_box = sport_page.split('class="most-read"')[1]
    assert "Derby powiatu" in sport_box and "Najpopularniejsza" not in sport_box


@pytest.mark.django_db(transaction=True)
def test_each_server_process_adds_its_reads_to_the_totals_on_its_own(
    settings, make_article
):
    from servers.waiting import wait_until

    article = make_article(title="Most otwarty")
    settings.WIESCI_READS_FLUSH_SECONDS = 0.2
    readership.count(article.get_absolute_url(), BROWSER)
    readership.count(article.get_absolute_url(), BROWSER)
    wait_until(
        lambda: ArticleView.objects.filter(article=article, views=2).exists(),
        timeout=10,
        what="the background flush",
    )
    settings.WIESCI_READS_FLUSH_SECONDS = 0  # the thread stops at its next turn
