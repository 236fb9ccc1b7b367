"""The notifications page in Chromium: no prompt on load, one on the button,
and a plain sentence where the browser cannot receive notifications."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.push.test_push import polish
from wiesci.push import vapid

pytestmark = pytest.mark.browser

# Counts the permission prompts the page asks for, and answers each "denied"
# as a reader who says no would.
COUNT_PROMPTS = """
window.prompts = 0;
Notification.requestPermission = () => {
  window.prompts += 1;
  return Promise.resolve("denied");
};
"""
NO_PUSH = "delete window.PushManager;"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def open_page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    from wiesci.taxonomy.models import Section

    settings.VAPID_PRIVATE_KEY = vapid.new_pair()[0]
    Section.objects.create(name="Wiadomości", slug="wiadomosci")
    Section.objects.create(name="Sport", slug="sport")
    contexts = []

    def open_page(*scripts: str, **options: Any) -> Any:
        context = browser.new_context(
            base_url=live_server.url, locale="pl-PL", **options
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        for script in scripts:
            page.add_init_script(script)
        errors: list[str] = []

        def console(message: Any) -> None:
            if message.type == "error":
                errors.append(message.text)

        page.on("console", console)
        page.errors = errors
        page.goto("/powiadomienia/")
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_the_prompt_comes_only_from_the_button(open_page):
    from playwright.sync_api import expect

    page = open_page(COUNT_PROMPTS)
    button = page.locator("[data-push-subscribe]")
    expect(button).to_be_visible()
    expect(page.get_by_role("group")).to_be_visible()
    page.get_by_label("Sport").check()
    page.wait_for_timeout(300)
    assert page.evaluate("window.prompts") == 0
    status = page.locator("[data-push-status]")
    expect(status).to_have_text("")

    button.click()
    denied = page.locator("[data-push]").get_attribute("data-text-denied")
    expect(status).to_have_text(denied or "?")
    assert page.evaluate("window.prompts") == 1
    assert page.errors == []


def test_a_browser_without_push_is_told_so(open_page):
    from playwright.sync_api import expect

    page = open_page(COUNT_PROMPTS, NO_PUSH)
    expect(page.locator("[data-push-status]")).to_have_text(
        polish("This browser cannot receive notifications.")
    )
    expect(page.locator("[data-push-subscribe]")).to_be_hidden()
    expect(page.locator("[data-push-ios]")).to_be_hidden()
    assert page.evaluate("window.prompts") == 0


def test_an_iphone_outside_the_home_screen_is_told_how_to_add_it(open_page):
    from playwright.sync_api import expect

    page = open_page(NO_PUSH, user_agent=IPHONE)
    expect(page.locator("[data-push-ios]")).to_be_visible()
    expect(page.locator("[data-push-subscribe]")).to_be_hidden()


def test_the_page_with_its_button_passes_axe_and_reads_on_a_phone(open_page):
    from playwright.sync_api import expect

    from tests.browser.checkers import axe_violations, small_tap_targets, small_text

    page = open_page(COUNT_PROMPTS, viewport={"width": 360, "height": 740})
    expect(page.locator("[data-push-subscribe]")).to_be_visible()
    assert axe_violations(page) == []
    assert small_text(page) == []
    assert small_tap_targets(page) == []


def test_the_page_with_its_button_is_valid_html(open_page, tmp_path):
    from tests.browser.checkers import html_errors

    served = open_page().request.get("/powiadomienia/").text()
    assert html_errors({"push:settings": served}, tmp_path) == {}
