"""Photos and videos in a real browser: no third party until asked, keyboard works."""

from urllib.parse import urlsplit

from playwright.sync_api import expect

from wiesci.articles import services
from wiesci.photos.services import create_video


def test_video_host_is_contacted_only_after_the_reader_presses_play(
    page, live_server, make_article, make_photo
):
    article = make_article(title="Przejazd strażaków")
    poster = make_photo(alt_text="Wóz strażacki")
    article.videos.add(
        create_video(
            title="Film z akcji", url="https://youtu.be/AbCdEfGhIjK", poster=poster
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
    services.add_to_gallery(article, photos)
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
