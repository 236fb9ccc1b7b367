"""Moving in from a feed: feed.xml, written for the suite."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import image_bytes, run_wiesci
from wiesci.articles.models import Article
from wiesci.core.actors import IMPORT
from wiesci.moving import rss
from wiesci.taxonomy.models import Section

pytestmark = pytest.mark.django_db

FEED = Path(__file__).parent / "feed.xml"


def test_a_feeds_items_come_in_published_at_their_dates(client, tmp_path):
    media = tmp_path / "zdjecia"
    media.mkdir()
    (media / "most.jpg").write_bytes(image_bytes((1000, 700)))
    Section.objects.create(name="Z regionu", slug="z-regionu")
    report = rss.import_feed(str(FEED), by=IMPORT, options=rss.FeedOptions(media=media))
    assert report.counts["articles"] == 2
    bridge = Article.objects.get(title="Nowy most w Rudniku otwarty")
    assert bridge.is_public and bridge.section.slug == "z-regionu"
    assert bridge.published_at == datetime(2020, 3, 2, 9, 15, tzinfo=UTC)
    assert bridge.slug == "nowy-most-w-rudniku"
    assert bridge.lead == "Most nad Odrą łączy dwie części gminy."
    assert "<p>Budowa trwała dwa lata.</p>" in bridge.body
    assert [a.name for a in bridge.authors.all()] == ["Marta Kowal"]
    assert {t.name for t in bridge.tags.all()} == {"Rudnik", "drogi"}
    assert bridge.main_photo is not None and bridge.main_photo.alt_text
    fair = Article.objects.get(title="Festyn w Nędzy")
    assert fair.lead == "Zabawa trwała do północy." and fair.body == ""
    assert any("brak.jpg" in line for line in report.not_converted)
    # The old address leads to the new page; a second run duplicates nothing.
    answer = client.get("/wiadomosci/nowy-most-w-rudniku/")
    assert (answer.status_code, answer["Location"]) == (
        301,
        bridge.get_absolute_url(),
    )
    again = rss.import_feed(str(FEED), by=IMPORT, options=rss.FeedOptions(media=media))
    assert again.counts["articles updated"] == 2 and again.counts["photos"] == 0
    assert Article.objects.count() == 2


def test_draft_brings_them_in_unpublished():
    rss.import_feed(str(FEED), by=IMPORT, options=rss.FeedOptions(draft=True))
    assert Article.objects.count() == 2
    assert not any(a.is_public for a in Article.objects.all())


def test_a_broken_feed_imports_nothing_and_says_where(tmp_path):
    broken = tmp_path / "zly.xml"
    broken.write_text("<rss><channel><item><title>Urwany", encoding="utf-8")
    with pytest.raises(rss.FeedError, match=r"w wierszu \d+"):
        rss.import_feed(str(broken), by=IMPORT)
    assert Article.objects.count() == 0
    with pytest.raises(rss.FeedError, match=r"nie-ma\.xml"):
        rss.import_feed(str(tmp_path / "nie-ma.xml"), by=IMPORT)


def test_the_command_imports_a_feed(product_env):
    assert run_wiesci("migrate", "--no-input", env=product_env).returncode == 0
    result = run_wiesci("import", "rss", str(FEED), "--draft", env=product_env)
    assert result.returncode == 0, result.stderr
    assert "articles: 2" in result.stdout
    missing = run_wiesci(
        "import", "rss", str(FEED), "--section", "nie-ma", env=product_env
    )
    assert missing.returncode != 0 and "nie-ma" in missing.stderr
