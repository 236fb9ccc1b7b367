"""Browser tests: Debian's Chromium driven by Playwright against the live server."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser import site

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # tests make between page actions are still plain synchronous calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_server.url, locale="pl-PL", viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


# The personas site.build_portal() creates, by visitor.
LOG_INS = {
    "reader": ("sasiad@example.pl", "Odra-1997-powodz"),
    "editor": ("redaktorka@wiesci.example.pl", "haslo-redakcji"),
}


@pytest.fixture
def portal(live_server: Any) -> dict[str, Any]:
    """The small portal of site.build_portal(), served by the live server."""
    return site.build_portal()


@pytest.fixture
def open_as(
    browser: Any, live_server: Any, portal: dict[str, Any]
) -> Iterator[Callable[..., Any]]:
    """Open a browser context as "anonymous", "reader" or "editor".

    Keyword arguments go to Playwright's new_context (viewport, color_scheme);
    the default viewport is a desktop one. Each persona logs in once.
    """
    states: dict[str, Any] = {"anonymous": None}
    contexts: list[Any] = []

    def state(visitor: str) -> Any:
        if visitor not in states:
            context = browser.new_context(base_url=live_server.url, locale="pl-PL")
            page = context.new_page()
            page.goto("/konto/login/")
            email, password = LOG_INS[visitor]
            page.locator("#id_login").fill(email)
            page.locator("#id_password").fill(password)
            with page.expect_navigation():
                page.locator("main form button[type=submit]").first.click()
            assert "/konto/login/" not in page.url, f"{visitor} could not log in"
            states[visitor] = context.storage_state()
            context.close()
        return states[visitor]

    def open_context(visitor: str, **options: Any) -> Any:
        options = {"viewport": {"width": 1280, "height": 900}, **options}
        context = browser.new_context(
            base_url=live_server.url,
            locale="pl-PL",
            storage_state=state(visitor),
            **options,
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()
