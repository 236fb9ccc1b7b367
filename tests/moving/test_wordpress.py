"""Moving a WordPress portal in: the export written for the suite (export.xml)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import run_wiesci
from wiesci.articles.models import Article, Author
from wiesci.core.actors import IMPORT
from wiesci.moving import wordpress, wxr
from wiesci.moving.models import Redirect
from wiesci.taxonomy.models import Section, Tag

pytestmark = pytest.mark.django_db

EXPORT = Path(__file__).parent / "export.xml"


def imported(**options) -> wordpress.Report:
    return wordpress.import_wordpress(
        EXPORT, by=IMPORT, options=wordpress.Options(**options)
    )


def test_posts_come_in_with_their_status_dates_and_filing():
    report = imported()
    assert report.counts["articles"] == 5  # the trashed one stays out
    flood = Article.objects.get(title="Odra przekroczyła stan alarmowy")
    assert flood.status == Article.Status.PUBLISHED
    assert flood.published_at == datetime(2019, 5, 21, 8, 30, tzinfo=UTC)
    assert flood.slug == "odra-przekroczyla-stan-alarmowy"
    assert flood.lead.startswith("Poziom wody rośnie od nocy")
    # Blocks and shortcodes converted, not pasted; the rest is reported.
    assert "wp:paragraph" not in flood.body and "[caption" not in flood.body
    assert "<figure>Wały przy moście</figure>" in flood.body
    assert "<strong>ul. Opawskiej</strong>" in flood.body
    assert any("[contact-form-7]" in line for line in report.not_converted)
    # A subcategory: its top category's section, and a tag of its own.
    assert flood.section.name == "Wiadomości"
    assert {t.name for t in flood.tags.all()} == {"Odra", "wały", "Powódź"}
    assert [a.name for a in flood.authors.all()] == ["Jan Nowak"]
    # Percent-encoded Polish slugs become ours.
    harvest = Article.objects.get(title="Dożynki w Krzanowicach")
    assert harvest.slug == "dozynki-w-krzanowicach"
    assert (
        harvest.body
        == "<p>Korowód przeszedł przez rynek.</p><p>Wieńce oceniło jury z gminy.</p>"
    )
    assert harvest.lead == "Korowód przeszedł przez rynek. Wieńce oceniło jury z gminy."
    match = Article.objects.get(title="Mecz z Odrą Opole")
    assert match.status == Article.Status.SCHEDULED and match.section.name == "Sport"
    for title in ("Szkic o budżecie", "Prywatna notatka redakcji"):
        assert not Article.objects.get(title=title).is_public
    assert not Article.objects.filter(title="Usunięty wpis").exists()
    assert report.counts["not imported yet: page"] == 1


def test_every_old_address_answers_with_a_301(client):
    imported()
    flood = Article.objects.get(title="Odra przekroczyła stan alarmowy")
    harvest = Article.objects.get(title="Dożynki w Krzanowicach")
    sport = Section.objects.get(name="Sport")
    expected = {
        "/?p=101": flood.get_absolute_url(),
        "/?p=102&utm_source=facebook": harvest.get_absolute_url(),
        "/2019/05/odra-przekroczyla-stan-alarmowy/": flood.get_absolute_url(),
        "/2019/05/odra-przekroczyla-stan-alarmowy/feed/": flood.get_absolute_url(),
        "/do%c5%bcynki-w-krzanowicach/": harvest.get_absolute_url(),
        "/category/sport/": sport.get_absolute_url(),
        "/category/wiadomosci/powodz/": flood.section.get_absolute_url(),
        "/category/sport/feed/": f"/dzial/{sport.slug}/rss/",
    }
    for old, new in expected.items():
        answer = client.get(old)
        assert (answer.status_code, answer.get("Location")) == (301, new), old
        assert client.get(new).status_code == 200, new
    # Our own pages are never shadowed, and unknown addresses stay 404.
    assert client.get("/").status_code == 200
    unknown = client.get("/?p=999")  # a post that never came in: the home page
    assert (unknown.status_code, unknown["Location"]) == (301, "/")
    assert client.get("/nie-ma-takiej-strony/").status_code == 404


def test_a_second_run_changes_nothing():
    imported()
    before = (
        list(
            Article.objects.order_by("pk").values_list(
                "pk", "slug", "status", "published_at", "body"
            )
        ),
        Section.objects.count(),
        Tag.objects.count(),
        Author.objects.count(),
        Redirect.objects.count(),
    )
    report = imported()
    after = (
        list(
            Article.objects.order_by("pk").values_list(
                "pk", "slug", "status", "published_at", "body"
            )
        ),
        Section.objects.count(),
        Tag.objects.count(),
        Author.objects.count(),
        Redirect.objects.count(),
    )
    assert after == before
    assert report.counts["articles"] == 0 and report.counts["articles updated"] == 5


def test_the_operator_maps_categories_to_sections():
    Section.objects.create(name="Z regionu", slug="z-regionu")
    imported(sections={"wiadomosci": "z-regionu"})
    flood = Article.objects.get(title="Odra przekroczyła stan alarmowy")
    assert flood.section.slug == "z-regionu"  # the subcategory follows its parent
    assert not Section.objects.filter(name="Wiadomości").exists()


def test_a_dry_run_changes_nothing_and_says_what_would_come():
    report = imported(dry_run=True)
    assert report.counts["articles"] == 5
    assert Article.objects.count() == 0 and Redirect.objects.count() == 0


def test_a_broken_file_imports_nothing_and_names_the_line(tmp_path):
    broken = tmp_path / "uszkodzony.xml"
    text = EXPORT.read_text(encoding="utf-8")
    cut = text.index("<title>Mecz z Odrą Opole</title>")
    broken.write_text(text[:cut] + "<title>urwany", encoding="utf-8")
    with pytest.raises(wxr.ExportError, match=r"line \d+"):
        wordpress.import_wordpress(broken, by=IMPORT)
    assert Article.objects.count() == 0  # the posts before the break neither


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    other = tmp_path / "kanal.xml"
    other.write_text('<?xml version="1.0"?><rss version="2.0"><channel/></rss>')
    with pytest.raises(wxr.ExportError, match="WordPress"):
        wordpress.import_wordpress(other, by=IMPORT)


def test_the_command_reports_and_refuses_a_broken_file(product_env, tmp_path):
    result = run_wiesci("migrate", "--no-input", env=product_env)
    assert result.returncode == 0, result.stderr
    result = run_wiesci(
        "import", "wordpress", str(EXPORT), "--dry-run", env=product_env
    )
    assert result.returncode == 0, result.stderr
    assert "articles: 5" in result.stdout and "Dry run" in result.stdout
    broken = tmp_path / "zly.xml"
    broken.write_text("<rss><channel><item>")
    result = run_wiesci("import", "wordpress", str(broken), env=product_env)
    assert result.returncode != 0
    assert "line" in result.stderr or "wierszu" in result.stderr


def test_old_query_addresses_pass_the_page_cache(server):
    imported()
    flood = Article.objects.get(title="Odra przekroczyła stan alarmowy")
    home = server("/")
    assert home.status == 200
    for _ in range(2):  # stored, and answered again from the store
        answer = server("/?p=101")
        assert answer.status == 301
        assert answer.headers["location"] == flood.get_absolute_url()
    assert server("/?p=102").headers["location"].startswith("/artykul/dozynki")
