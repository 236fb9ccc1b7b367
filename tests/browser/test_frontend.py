"""What a reader on an old phone, a keyboard or a printer gets from the pages."""

from __future__ import annotations

import gzip
import re
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser import site
from tests.browser.checkers import horizontal_overflow, small_tap_targets, small_text

ARTICLE_BUDGET = 60 * 1024  # HTML, CSS and JavaScript of the article page, compressed


PHONE = {"width": 360, "height": 740}


def public_pages(portal: dict[str, Any]) -> list[site.Page]:
    return [page for page in site.page_urls(portal) if page.visitor == "anonymous"]


def phone_pages(portal: dict[str, Any]) -> list[site.Page]:
    """Every page type a reader opens: anonymous ones and those of an account."""
    return [page for page in site.page_urls(portal) if page.visitor != "editor"]


def test_comment_form_page_is_among_the_phone_pages(portal):
    reader_articles = [
        page
        for page in phone_pages(portal)
        if page.visitor == "reader" and page.url == portal["article"].get_absolute_url()
    ]
    assert reader_articles


def test_pages_fit_a_360_pixel_phone_with_readable_text(open_as, portal):
    contexts = {v: open_as(v, viewport=PHONE) for v in ("anonymous", "reader")}
    too_wide, too_small, wrong_status = {}, {}, {}
    for entry in phone_pages(portal):
        page, problem = site.visit(contexts[entry.visitor], entry)
        if problem:
            wrong_status[entry.name] = problem
        width = horizontal_overflow(page, PHONE["width"])
        if width:
            too_wide[entry.name] = width
        small = small_text(page)
        if small:
            too_small[entry.name] = small
        page.close()
    assert wrong_status == {}
    assert too_wide == {}
    assert too_small == {}


def test_tap_targets_are_at_least_24_pixels_on_a_phone(open_as, portal):
    contexts = {v: open_as(v, viewport=PHONE) for v in ("anonymous", "reader")}
    too_small, wrong_status = {}, {}
    for entry in phone_pages(portal):
        page, problem = site.visit(contexts[entry.visitor], entry)
        if problem:
            wrong_status[entry.name] = problem
        small = small_tap_targets(page)
        if small:
            too_small[entry.name] = small
        page.close()
    assert wrong_status == {}
    assert too_small == {}


def test_article_text_is_at_least_16_pixels(page, live_server, portal):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(portal["article"].get_absolute_url())
    sizes = page.evaluate(
        "[...document.querySelectorAll("
        "'.article__body p, .article__lead, .comment__body p')]"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes and min(sizes) >= 16


def test_keyboard_alone_reaches_everything_on_the_article_page(
    browser, live_server, portal
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="pl-PL"
    )
    page = context.new_page()
    page.goto(live_server.url + portal["article"].get_absolute_url())
    page.keyboard.press("Tab")
    first = page.evaluate("document.activeElement.textContent.trim()")
    assert first == "Przejdź do treści"
    assert (
        page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#tresc"
    reached = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const e = document.activeElement;
              const style = getComputedStyle(e);
              return {text: (e.innerText || e.getAttribute('aria-label') || '').trim(),
                      href: e.getAttribute('href') || '', tag: e.tagName,
                      ring: style.outlineStyle !== 'none'
                            && parseFloat(style.outlineWidth) >= 2};
            }"""
        )
        if focused["tag"] == "BODY":
            break
        assert focused["ring"], f"no visible focus ring on {focused}"
        reached.append(focused)
    hrefs = [r["href"] for r in reached]
    texts = " | ".join(r["text"] for r in reached)
    assert any(h.startswith("#zdjecie-") for h in hrefs), "gallery thumbnails"
    assert "Odtwórz film" in texts, "video play button"
    assert "Zaloguj się" in texts, "log-in invitation under the comments"
    # The gallery opens and the video plays from the keyboard.
    page.locator('.gallery__grid a[href="#zdjecie-1"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#zdjecie-1")).to_be_visible()
    page.locator("#zdjecie-1").get_by_role("link", name="Zamknij").focus()
    page.keyboard.press("Enter")
    page.route("**/*youtube-nocookie.com/**", lambda route: route.abort())
    page.get_by_role("link", name="Odtwórz film (YouTube)").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".video__frame iframe")).to_have_count(1)
    context.close()


def test_a_logged_in_reader_comments_and_reports_with_the_keyboard(
    browser, live_server, portal
):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="pl-PL"
    )
    page = context.new_page()
    page.goto(live_server.url + "/konto/login/")
    page.locator("#id_login").fill("druga@example.pl")
    page.locator("#id_password").fill("Odra-1997-powodz")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.goto(live_server.url + portal["article"].get_absolute_url())
    page.locator("#tresc-nowy").focus()
    page.keyboard.type("Napisane samą klawiaturą.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".comment").last).to_contain_text("Napisane samą klawiaturą.")
    report = page.locator(".comment").first.get_by_role("link", name="Zgłoś")
    report.focus()
    page.keyboard.press("Enter")
    page.get_by_label("spam lub reklama").focus()
    page.keyboard.press("Space")
    page.get_by_label(re.compile("Zgłaszam w dobrej wierze")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Wyślij zgłoszenie").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Redakcja przyjrzy się")
    context.close()


def test_dark_mode_follows_the_system(browser, live_server, portal):
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(live_server.url + "/")
        backgrounds[scheme] = page.evaluate(
            "getComputedStyle(document.body).backgroundColor"
        )
        context.close()
    assert backgrounds["light"] == "rgb(255, 255, 255)"
    assert backgrounds["dark"] == "rgb(21, 23, 26)"


def test_articles_print_without_the_portals_furniture(page, live_server, portal):
    page.goto(live_server.url + portal["article"].get_absolute_url())
    page.emulate_media(media="print")
    for selector in (".site-header", ".others", ".comments", ".gallery"):
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator(".article__body").is_visible()


def test_article_page_weighs_under_60_kb_and_loads_no_fonts(page, live_server, portal):
    sizes: dict[str, int] = {}
    fonts: list[str] = []

    def record(response: Any) -> None:
        kind = response.request.resource_type
        if kind == "font":
            fonts.append(response.url)
        if kind in ("document", "stylesheet", "script"):
            sizes[response.url] = len(gzip.compress(response.body(), 9))

    page.on("response", record)
    page.goto(live_server.url + portal["article"].get_absolute_url())
    page.wait_for_load_state("networkidle")
    assert fonts == []
    assert sum(sizes.values()) < ARTICLE_BUDGET, sizes


def test_no_page_asks_a_third_party_for_anything(browser, live_server, portal):
    context = browser.new_context()
    outside: list[str] = []

    def guard(route: Any) -> None:
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    for entry in public_pages(portal):
        page.goto(live_server.url + entry.url)
        page.wait_for_load_state("networkidle")
    context.close()
    assert outside == []
