"""Moving a WordPress portal in: the export written for the suite (export.xml)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import image_bytes, run_wiesci
from wiesci.articles.models import Article, Author
from wiesci.core.actors import IMPORT
from wiesci.moving import wordpress, wxr
from wiesci.moving.models import Redirect
from wiesci.photos.models import Photo
from wiesci.taxonomy.models import Section, Tag

pytestmark = pytest.mark.django_db

EXPORT = Path(__file__).parent / "export.xml"


@pytest.fixture
def media(tmp_path: Path) -> Path:
    """The old site's wp-content/uploads, with the photos the export names
    (one of them missing, as happens)."""
    uploads = tmp_path / "uploads"
    for name, size in (
        ("2019/05/waly.jpg", (1200, 800)),
        ("2019/08/wieniec.jpg", (900, 900)),
    ):
        (uploads / name).parent.mkdir(parents=True, exist_ok=True)
        (uploads / name).write_bytes(image_bytes(size, exif=_camera_exif()))
    return uploads


def _camera_exif() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0110] = "Telefon Model X"  # the camera model, which must not travel
    return exif.tobytes()


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
    # The caption's image could not come without --media: its text stays.
    assert "<p>Wały przy moście</p>" in flood.body
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
    # Embedded videos as our privacy-first players, out of the text.
    assert {(v.provider, v.provider_id) for v in harvest.videos.all()} == {
        ("youtube", "AbCdEfGhIjK"),
        ("vimeo", "123456789"),
    }
    assert "youtube" not in harvest.body and "vimeo" not in harvest.body
    match = Article.objects.get(title="Mecz z Odrą Opole")
    assert match.status == Article.Status.SCHEDULED and match.section.name == "Sport"
    for title in ("Szkic o budżecie", "Prywatna notatka redakcji"):
        assert not Article.objects.get(title=title).is_public
    assert not Article.objects.filter(title="Usunięty wpis").exists()
    assert report.counts["pages"] == 1


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
        "/?page_id=2": "/kontakt/",
        "/?attachment_id=300": flood.get_absolute_url(),
        "/2019/05/odra-przekroczyla-stan-alarmowy/waly/": flood.get_absolute_url(),
        "/tag/odra/feed/": "/tag/odra/rss/",
        "/author/jnowak/": flood.authors.get().get_absolute_url(),
        "/feed/": "/rss/",
    }
    for old, new in expected.items():
        answer = client.get(old)
        assert (answer.status_code, answer.get("Location")) == (301, new), old
        assert client.get(new).status_code == 200, new
    # A page is a flat page at its old address.
    contact = client.get("/kontakt/")
    assert contact.status_code == 200 and "Napisz do nas." in contact.content.decode()
    # Our own pages are never shadowed, and unknown addresses stay 404.
    assert client.get("/").status_code == 200
    unknown = client.get("/?p=999")  # a post that never came in: the home page
    assert (unknown.status_code, unknown["Location"]) == (301, "/")
    assert client.get("/nie-ma-takiej-strony/").status_code == 404


def portal_state() -> tuple[object, ...]:
    """Everything an import writes, to compare two runs by."""
    articles = Article.objects.order_by("pk").values_list(
        "pk", "slug", "status", "published_at", "body", "modified_at"
    )
    return (
        list(articles),
        Section.objects.count(),
        Tag.objects.count(),
        Author.objects.count(),
        Redirect.objects.count(),
    )


def test_a_second_run_changes_nothing():
    imported()
    before = portal_state()
    report = imported()
    assert portal_state() == before  # not even a new modification time
    assert report.counts["articles"] == 0 and report.counts["articles unchanged"] == 5


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
    with pytest.raises(wxr.ExportError, match=r"w wierszu \d+"):
        wordpress.import_wordpress(broken, by=IMPORT)
    assert Article.objects.count() == 0  # the posts before the break neither


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    other = tmp_path / "kanal.xml"
    other.write_text('<?xml version="1.0"?><rss version="2.0"><channel/></rss>')
    with pytest.raises(wxr.ExportError, match="eksport WordPressa"):
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
    assert "w wierszu" in result.stderr  # in Polish, naming the line


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


def test_photos_come_in_as_ours_featured_inline_and_gallery(media):
    from django.core.files.storage import default_storage

    report = imported(media=media)
    flood = Article.objects.get(title="Odra przekroczyła stan alarmowy")
    # The featured image is the main photo, with its alt text and caption.
    photo = flood.main_photo
    assert photo is not None and photo.alt_text == "Strażacy na wale przeciwpowodziowym"
    assert photo.caption == "Worki z piaskiem na wale przy moście."
    # The text shows our rendition, not the old site's file or a tracker.
    assert "nowiny.example.pl" not in flood.body and "licznik" not in flood.body
    found = photo.public_file("article")
    assert found is not None
    assert f'<figure><img src="{found.url}" alt="">' in flood.body
    assert "<figcaption>Wały przy moście</figcaption></figure>" in flood.body
    assert any("outside the uploads" in line for line in report.not_converted)
    # Metadata stripped like every upload's.
    rendition = default_storage.open(
        photo.renditions["article"]["files"]["jpeg"]
    ).read()
    assert b"Model X" not in rendition
    # [gallery]: the photo that exists comes in, the missing one is reported.
    harvest = Article.objects.get(title="Dożynki w Krzanowicach")
    assert [p.alt_text for p in harvest.gallery_photos] == ["Wieniec z Borucina"]
    assert harvest.main_photo == harvest.gallery_photos[0]
    assert any("brak.jpg" in line for line in report.not_converted)
    assert report.counts["photos"] == 2
    # Once in: a second run brings no photo twice.
    again = imported(media=media)
    assert again.counts["photos"] == 0
    assert Photo.objects.count() == 2


def test_without_the_media_folder_photos_are_reported_not_lost():
    report = imported()
    assert any("--media" in line for line in report.not_converted)
    assert Photo.objects.count() == 0


def test_a_post_edited_in_wordpress_is_updated_not_duplicated(tmp_path):
    imported()
    flood = Article.objects.get(title="Odra przekroczyła stan alarmowy")
    edited = tmp_path / "eksport-2.xml"
    edited.write_text(
        EXPORT.read_text(encoding="utf-8").replace(
            "Odra przekroczyła stan alarmowy</title>",
            "Odra przekroczyła stan alarmowy: sztab zwołany</title>",
        ),
        encoding="utf-8",
    )
    report = wordpress.import_wordpress(edited, by=IMPORT)
    assert report.counts["articles updated"] == 1
    flood.refresh_from_db()
    assert flood.title == "Odra przekroczyła stan alarmowy: sztab zwołany"
    assert flood.slug == "odra-przekroczyla-stan-alarmowy"  # its address stays
    assert Article.objects.count() == 5


def test_approved_comments_come_in_threaded_under_accounts_that_cannot_log_in(
    client,
):
    from wiesci.comments.models import Comment

    report = imported()
    flood = Article.objects.get(title="Odra przekroczyła stan alarmowy")
    thread = list(Comment.objects.filter(article=flood).order_by("created_at"))
    assert [c.body for c in thread] == [
        "Trzymajcie się!\nWorki są też przy szkole.",
        "Dziękujemy, aktualizujemy na bieżąco.",
    ]
    first, reply = thread
    assert reply.parent == first  # the reply came before its parent in the file
    assert first.created_at == datetime(2019, 5, 21, 9, 0, tzinfo=UTC)
    assert first.status == Comment.Status.APPROVED
    assert report.counts["comments not approved, left out"] == 1
    flood.refresh_from_db()
    assert flood.comment_count == 2
    # Under the name they wrote, on an account with no e-mail and no password.
    author = first.author
    assert author is not None
    assert author.public_name == "Sąsiad" and author.email == ""
    assert not author.is_active and not author.has_usable_password()
    page = client.get(flood.get_absolute_url()).content.decode()
    assert "Sąsiad" in page and "Worki są też przy szkole." in page
    # A second run finds them: nothing twice.
    imported()
    assert Comment.objects.filter(article=flood).count() == 2


@pytest.mark.parametrize("version", ["1.0", "1.1"])
def test_older_export_versions_read_the_same(tmp_path, version):
    older = tmp_path / f"eksport-{version}.xml"
    older.write_text(
        EXPORT.read_text(encoding="utf-8").replace("export/1.2/", f"export/{version}/"),
        encoding="utf-8",
    )
    report = wordpress.import_wordpress(older, by=IMPORT)
    assert report.counts["articles"] == 5 and report.counts["pages"] == 1
    flood = Article.objects.get(title="Odra przekroczyła stan alarmowy")
    assert flood.lead.startswith("Poziom wody rośnie od nocy")  # its excerpt


def test_an_unknown_export_version_is_refused(tmp_path):
    newer = tmp_path / "eksport-9.xml"
    newer.write_text(
        EXPORT.read_text(encoding="utf-8").replace("export/1.2/", "export/9.0/"),
        encoding="utf-8",
    )
    with pytest.raises(wxr.ExportError, match=r"WXR 1\.0, 1\.1"):
        wordpress.import_wordpress(newer, by=IMPORT)
    assert Article.objects.count() == 0
