"""Photos and videos in a real browser: no third party until asked, keyboard works."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.conftest import image_bytes
from wiesci.articles import services
from wiesci.core.actors import COMMAND
from wiesci.photos.services import create_video


def test_video_host_is_contacted_only_after_the_reader_presses_play(
    page, live_server, make_article, make_photo
):
    article = make_article(title="Przejazd strażaków")
    poster = make_photo(alt_text="Wóz strażacki")
    article.videos.add(
        create_video(
            title="Film z akcji",
            url="https://youtu.be/AbCdEfGhIjK",
            poster=poster,
            by=COMMAND,
        )
    )
    outside: list[str] = []

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(article.get_absolute_url())
    expect(page.locator(".video__frame img")).to_be_visible()
    expect(page.locator("iframe")).to_have_count(0)
    assert outside == []
    play = page.get_by_role("link", name="Odtwórz film (YouTube)")
    play.focus()
    page.keyboard.press("Enter")
    player = page.locator(".video__frame iframe")
    expect(player).to_have_attribute(
        "src", "https://www.youtube-nocookie.com/embed/AbCdEfGhIjK?autoplay=1"
    )
    page.wait_for_timeout(300)
    assert outside and all("youtube-nocookie.com" in url for url in outside)


def test_gallery_opens_steps_and_closes_with_the_keyboard(
    page, make_article, make_photo
):
    article = make_article(title="Dożynki w Krzanowicach")
    photos = [
        make_photo(caption=f"Korowód {i}", alt_text=f"Korowód {i}") for i in range(1, 4)
    ]
    services.add_to_gallery(article, photos, by=COMMAND)
    page.goto(article.get_absolute_url())
    first = page.locator(".gallery__grid a").first
    first.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#zdjecie-1")).to_be_visible()
    expect(page.locator("#zdjecie-2")).to_be_hidden()
    page.locator("#zdjecie-1").get_by_role("link", name="Następne").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#zdjecie-2")).to_be_visible()
    expect(page.locator("#zdjecie-2 figcaption")).to_contain_text("Korowód 2")
    page.locator("#zdjecie-2").get_by_role("link", name="Zamknij").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#zdjecie-2")).to_be_hidden()


def guard_third_parties(page) -> list[str]:
    outside: list[str] = []

    def guard(route):
        host = urlsplit(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return outside


def test_video_without_a_chosen_photo_gets_a_poster_of_its_own(page, make_article):
    article = make_article(title="Sesja rady gminy")
    article.videos.add(
        create_video(
            title="Sesja rady: budżet na 2026",
            url="https://vimeo.com/76979871",
            by=COMMAND,
        )
    )
    outside = guard_third_parties(page)
    page.goto(article.get_absolute_url())
    poster = page.locator(".video__frame--generated")
    expect(poster).to_be_visible()
    expect(poster).to_contain_text("Sesja rady: budżet na 2026")
    expect(poster).to_contain_text("Vimeo")
    expect(poster.locator(".video__icon")).to_be_visible()
    box = poster.bounding_box()
    assert box and box["height"] > 150  # a poster, not a line of text
    assert outside == []
    poster.get_by_role("link", name="Odtwórz film (Vimeo)").click()
    expect(poster.locator("iframe")).to_have_attribute(
        "src", "https://player.vimeo.com/video/76979871?autoplay=1&dnt=1"
    )


def test_full_screen_gallery_photo_on_a_phone_is_the_smaller_file(
    browser, live_server, make_article, make_photo
):
    article = make_article(title="Jarmark bożonarodzeniowy")
    photo = make_photo(data=image_bytes((2400, 1600)), alt_text="Stragany na rynku")
    services.add_to_gallery(article, [photo], by=COMMAND)
    assert photo.renditions["full"]["width"] == 1920
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
    )
    page = context.new_page()
    page.goto(article.get_absolute_url() + "#zdjecie-1")
    image = page.locator("#zdjecie-1 img")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    shown = image.evaluate("img => img.currentSrc")
    assert "/article_" in shown, shown
    context.close()
    # A wide screen still gets the full width.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1600, "height": 900}
    )
    page = context.new_page()
    page.goto(article.get_absolute_url() + "#zdjecie-1")
    image = page.locator("#zdjecie-1 img")
    expect(image).to_have_js_property("complete", True)
    assert "/full_" in image.evaluate("img => img.currentSrc")
    context.close()


def log_in_to_the_newsroom(page, user) -> None:
    page.goto("/admin/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill("haslo-redakcji")
    page.get_by_role("button", name=re.compile("Zaloguj")).click()
    expect(page.locator("#content")).to_be_visible()


def test_focal_point_is_set_by_a_click_or_typed_in(
    page, editor, make_article, make_photo
):
    article = make_article(title="Most na Odrze", publish=False)
    photo = make_photo(data=image_bytes((1200, 800)))
    services.add_to_gallery(article, [photo], by=COMMAND)
    log_in_to_the_newsroom(page, editor)
    page.goto(f"/admin/articles/article/{article.pk}/galeria/")
    page.wait_for_load_state("load")
    across = page.get_by_label("Punkt centralny od lewej (%)")
    down = page.get_by_label("Punkt centralny od góry (%)")
    expect(across).to_have_value("50.0")
    box = page.locator("[data-focal]").bounding_box()
    assert box
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25)
    assert abs(float(across.input_value()) - 75) < 2
    assert abs(float(down.input_value()) - 25) < 2
    # By keyboard: type the point; the marker follows.
    across.fill("20")
    down.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("60")
    marker = page.locator(".gallery-item__marker")
    expect(marker).to_have_js_property("style.left", "20%")
    page.get_by_role("button", name="Zapisz galerię").click()
    expect(page.locator(".messagelist")).to_contain_text("Galeria została zapisana.")
    photo.refresh_from_db()
    assert (photo.focal_x, photo.focal_y) == (0.2, 0.6)


def test_photos_for_a_public_story_are_described_one_by_one_before_upload(
    page, editor, make_article, tmp_path
):
    article = make_article(title="Powódź w Nędzy")
    log_in_to_the_newsroom(page, editor)
    page.goto(f"/admin/articles/article/{article.pk}/galeria/")
    page.wait_for_load_state("load")
    files = []
    for name in ("wal.jpg", "most.jpg", "pompa.jpg", "droga.jpg"):
        path = tmp_path / name
        path.write_bytes(image_bytes((900, 600)))
        files.append(str(path))
    page.get_by_label("Upuść tu zdjęcia albo wybierz pliki").set_input_files(files)
    rows = page.locator("[data-row]")
    expect(rows).to_have_count(4)  # three rows were there, one more was added
    expect(rows.nth(3).locator("[data-preview]")).to_be_visible()
    expect(page.locator("#id_nowe-0-alt_text")).to_be_focused()
    alt_texts = ["Wał przeciwpowodziowy", "Most pod wodą", "Pompa strażaków"]
    for i, text in enumerate(alt_texts):
        page.locator(f"#id_nowe-{i}-alt_text").fill(text)
    upload = page.get_by_role("button", name="Wyślij")
    upload.click()
    # The undescribed fourth photo stops the form in the browser: nothing is
    # sent, and every chosen file is still there.
    last = page.locator("#id_nowe-3-alt_text")
    expect(last).to_have_js_property("validity.valueMissing", True)
    assert page.locator("#id_nowe-3-photo").evaluate("input => input.files.length")
    assert not article.gallery_items.exists()
    last.fill("Zalana droga")
    upload.click()
    expect(page.locator(".messagelist")).to_contain_text("4 zdjęcia dodano")
    described = [
        item.photo.alt_text for item in article.gallery_items.select_related("photo")
    ]
    assert described == [*alt_texts, "Zalana droga"]


def drop_files(page, target, names):
    """Drop JPEG files made in the page onto `target`, as a file manager would."""
    page.locator(target).evaluate(
        """(zone, names) => {
            const transfer = new DataTransfer();
            const canvas = document.createElement("canvas");
            canvas.width = 64; canvas.height = 48;
            const bytes = atob(canvas.toDataURL("image/jpeg").split(",")[1]);
            const data = Uint8Array.from(bytes, (c) => c.charCodeAt(0));
            for (const name of names) {
                transfer.items.add(new File([data], name, {type: "image/jpeg"}));
            }
            for (const type of ["dragenter", "dragover", "drop"]) {
                zone.dispatchEvent(new DragEvent(type, {
                    bubbles: true, cancelable: true, dataTransfer: transfer,
                }));
            }
        }""",
        names,
    )


def test_photos_dropped_on_the_gallery_screen_are_taken(page, editor, make_article):
    draft = make_article(title="Festyn w Brzeziu", publish=False)
    log_in_to_the_newsroom(page, editor)
    page.goto(f"/admin/articles/article/{draft.pk}/galeria/")
    page.wait_for_load_state("load")
    # A draft: the dropped files go up at once.
    drop_files(page, "[data-dropzone]", ["scena.jpg", "tance.jpg"])
    expect(page.locator(".messagelist")).to_contain_text("2 zdjęcia dodano")
    assert draft.gallery_items.count() == 2

    public = make_article(title="Festyn w Brzeziu: wyniki")
    page.goto(f"/admin/articles/article/{public.pk}/galeria/")
    page.wait_for_load_state("load")
    # A public story: each dropped file gets a row to describe it first.
    drop_files(page, "[data-described-upload]", ["puchar.jpg"])
    expect(page.locator("[data-row] [data-preview]").first).to_be_visible()
    expect(page.locator("#id_nowe-0-alt_text")).to_be_focused()
    assert not public.gallery_items.exists()
