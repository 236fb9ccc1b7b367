"""Every page type accessible (axe-core, WCAG 2.2 AA) and valid (Nu HTML Checker)."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.browser import site
from tests.browser.checkers import (
    axe_violations,
    html_errors,
    small_tap_targets,
    small_text,
    status_problem,
)

BROKEN = """<!DOCTYPE html>
<html><head><title>Zepsuta strona</title><style>.s { font-size: 12px }</style></head>
<body>
<img src="/x.png">
<form><input type="text" name="q" class="s"></form>
<p><span id="dwa">a</span><span id="dwa">b</span></p>
<div><p>niedomknięty</div>
<a href="/">  </a>
<p><a href="/a" class="s">A</a> <a href="/b" class="s">B</a></p>
<p>Zdanie z <a href="/c" class="s">odnośnikiem w tekście</a>.</p>
<p style="margin: 4rem"><a href="/d" class="s">D</a></p>
</body></html>"""

# The page types checked in dark mode as well: the ones most readers see.
DARK_MODE_PAGES = {
    "articles:home",
    "articles:detail",
    "articles:section",
    "account_login",
    "article as a logged-in reader (comment form)",
}

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

PHONE = {"width": 360, "height": 740}

# Stock Django admin behaviour at phone width, not ours, with the reason:
# responsive.css sets `.inline-group { overflow: auto }` under 1024 px, so the
# read-only tabular inlines of the article form (corrections, audit log)
# scroll sideways at 360 px, and Django's tabular.html gives the group no
# tabindex. axe wants a tabindex or a focusable child (the management form's
# hidden inputs do not count); Chromium makes such scrollers keyboard-focusable
# by itself (Tab reaches both groups), so no reader of the newsroom is locked out.
ADMIN_PHONE_EXCLUSIONS = {
    "scrollable-region-focusable": "#corrections-group, #audit-group",
}


def test_every_page_type_is_known():
    """A new URL pattern must be added to the checks, or skipped with a reason."""
    portal_names = {page.name for page in site.page_urls(site.fake_portal())}
    assert site.url_names() - portal_names - set(site.SKIPPED) == set()


def test_every_page_type_passes_axe_with_its_expected_status(portal, open_as):
    contexts = {visitor: open_as(visitor) for visitor in site.VISITORS}
    wrong_status, found = {}, {}
    for entry in site.page_urls(portal):
        page, problem = site.visit(contexts[entry.visitor], entry)
        if problem:
            wrong_status[entry.name] = problem
        violations = axe_violations(page)
        if violations:
            found[entry.name] = violations
        page.close()
    assert wrong_status == {}
    assert found == {}


def test_every_page_type_is_valid_html_with_its_expected_status(
    portal, open_as, tmp_path
):
    contexts = {visitor: open_as(visitor) for visitor in site.VISITORS}
    wrong_status, documents = {}, {}
    for entry in site.page_urls(portal):
        page = contexts[entry.visitor].new_page()
        response = page.goto(entry.url)
        problem = status_problem(response, entry.status)
        if problem:
            wrong_status[entry.name] = problem
        documents[entry.name] = response.text()
        page.close()
    assert wrong_status == {}
    assert html_errors(documents, tmp_path) == {}


def test_main_page_types_pass_axe_in_dark_mode(portal, open_as):
    contexts = {
        visitor: open_as(visitor, color_scheme="dark") for visitor in site.VISITORS
    }
    entries = [e for e in site.page_urls(portal) if e.name in DARK_MODE_PAGES]
    assert {e.name for e in entries} == DARK_MODE_PAGES
    found = {}
    for entry in entries:
        page, problem = site.visit(contexts[entry.visitor], entry)
        assert problem is None, (entry.name, problem)
        assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
        violations = axe_violations(page)
        if violations:
            found[entry.name] = violations
        page.close()
    assert found == {}


def check_admin_screens(portal, context, ignore=None):
    found = {}
    for screen in ADMIN_SCREENS:
        url = screen.format(article=portal["article"].pk)
        page = context.new_page()
        response = page.goto(url)
        assert status_problem(response, 200) is None, url
        violations = axe_violations(page, ignore=ignore)
        if violations:
            found[url] = violations
        page.close()
    return found


def test_main_admin_screens_pass_axe(portal, open_as):
    assert check_admin_screens(portal, open_as("editor")) == {}


def test_main_admin_screens_pass_axe_on_a_phone(portal, open_as):
    context = open_as("editor", viewport=PHONE)
    assert check_admin_screens(portal, context, ADMIN_PHONE_EXCLUSIONS) == {}


def test_the_checkers_reject_a_broken_page(browser, tmp_path):
    page = browser.new_page(viewport=PHONE)
    page.set_content(BROKEN)
    violations = " ".join(axe_violations(page))
    for rule in ("image-alt", "label", "link-name"):
        assert rule in violations
    small = small_tap_targets(page)
    # A and B crowd each other; the link inside a sentence and the lone,
    # well-spaced D are the two exceptions of WCAG 2.5.8.
    assert sorted(s.split(" ")[1] for s in small) == ['"A"', '"B"']
    assert any(s.startswith("<input>") for s in small_text(page))
    page.close()
    errors = html_errors({"zepsuta": BROKEN}, tmp_path)["zepsuta"]
    assert any("Duplicate ID" in error for error in errors)
    assert any("alt" in error for error in errors)


def test_the_status_check_rejects_a_page_that_is_not_the_declared_one(portal, open_as):
    comment = portal["comment"]
    type(comment).objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    edit = site.Page("comments:edit", reverse("comments:edit", args=[comment.pk]), "")
    missing = site.Page("o-nas", "/nie-ma-takiej-strony/", "")
    gone = site.visit(open_as("reader"), edit)[1]
    assert gone == "answered 403, expected 200"
    assert site.visit(open_as("anonymous"), missing)[1] == (
        "answered 404, expected 200"
    )
    redirected = site.visit(open_as("anonymous"), edit)[1]
    assert redirected is not None and redirected.startswith("redirected to")
