"""Every page type accessible (axe-core, WCAG 2.2 AA) and valid (Nu HTML Checker)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser import site
from tests.browser.checkers import axe_violations, html_errors

BROKEN = """<!DOCTYPE html>
<html><head><title>Zepsuta strona</title></head>
<body>
<img src="/x.png">
<form><input type="text" name="q"></form>
<p><span id="dwa">a</span><span id="dwa">b</span></p>
<div><p>niedomknięty</div>
<a href="/">  </a>
</body></html>"""


def log_in(context: Any, base: str, email: str, password: str) -> None:
    page = context.new_page()
    page.goto(base + "/konto/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.close()


@pytest.fixture
def visitors(browser: Any, live_server: Any) -> Any:
    """Browser contexts for an anonymous reader, a logged-in reader and an editor."""
    portal = site.build_portal()
    options = {"locale": "pl-PL", "viewport": {"width": 1280, "height": 900}}
    contexts = {
        name: browser.new_context(**options)
        for name in ("anonymous", "reader", "editor")
    }
    log_in(contexts["reader"], live_server.url, "sasiad@example.pl", "Odra-1997-powodz")
    log_in(
        contexts["editor"],
        live_server.url,
        "redaktorka@wiesci.example.pl",
        "haslo-redakcji",
    )
    yield portal, contexts
    for context in contexts.values():
        context.close()


def test_every_page_type_is_known():
    """A new URL pattern must be added to the checks, or skipped with a reason."""
    portal_names = {page.name for page in site.page_urls(site.fake_portal())}
    assert site.url_names() - portal_names - set(site.SKIPPED) == set()


def test_every_page_type_passes_axe(visitors, live_server):
    portal, contexts = visitors
    found = {}
    for entry in site.page_urls(portal):
        page = contexts[entry.visitor].new_page()
        response = page.goto(live_server.url + entry.url)
        assert response is not None and response.status < 500, entry.name
        violations = axe_violations(page)
        if violations:
            found[entry.name] = violations
        page.close()
    assert found == {}


def test_every_public_page_type_is_valid_html(visitors, live_server, tmp_path):
    portal, contexts = visitors
    documents = {}
    for entry in site.page_urls(portal):
        page = contexts[entry.visitor].new_page()
        response = page.goto(live_server.url + entry.url)
        assert response is not None
        documents[entry.name] = response.text()
        page.close()
    assert html_errors(documents, tmp_path) == {}


ADMIN_SCREENS = [
    "/admin/",
    "/admin/articles/article/",
    "/admin/articles/article/add/",
    "/admin/articles/article/{article}/change/",
    "/admin/articles/article/{article}/galeria/",
    "/admin/articles/article/{article}/wersje/",
    "/admin/articles/article/zaplanowane/",
    "/admin/comments/comment/?status=all",
    "/admin/photos/photo/",
]


def test_main_admin_screens_pass_axe(visitors, live_server):
    portal, contexts = visitors
    found = {}
    for screen in ADMIN_SCREENS:
        url = screen.format(article=portal["article"].pk)
        page = contexts["editor"].new_page()
        response = page.goto(live_server.url + url)
        assert response is not None and response.status == 200, url
        violations = axe_violations(page)
        if violations:
            found[url] = violations
        page.close()
    assert found == {}


def test_the_checkers_reject_a_broken_page(browser, tmp_path):
    page = browser.new_page()
    page.set_content(BROKEN)
    violations = " ".join(axe_violations(page))
    for rule in ("image-alt", "label", "link-name"):
        assert rule in violations
    page.close()
    errors = html_errors({"zepsuta": BROKEN}, tmp_path)["zepsuta"]
    assert any("Duplicate ID" in error for error in errors)
    assert any("alt" in error for error in errors)
