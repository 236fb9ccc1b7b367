"""An editor's day on a phone and on a laptop: the dashboard, a story waiting
for review returned with a note, the journalist's fix, the schedule."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.checkers import axe_violations, overlapping
from tests.browser.test_accessibility import ADMIN_PHONE_EXCLUSIONS
from wiesci.articles import services
from wiesci.articles.models import Article

WIDTHS = {360: ADMIN_PHONE_EXCLUSIONS, 1366: {}}


def log_in(browser, live_server, user, width):
    context = browser.new_context(
        base_url=live_server.url,
        locale="pl-PL",
        viewport={"width": width, "height": 800},
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    page.goto("/admin/")
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill("haslo-redakcji")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    expect(page.locator("#desk-title")).to_be_visible()
    return page


def looks_right(page, ignore):
    assert overlapping(page) == [], page.url
    assert axe_violations(page, ignore=ignore) == [], page.url


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_editors_day(browser, live_server, editor, journalist, section, width):
    ignore = WIDTHS[width]
    article = services.save_article(
        Article(
            title="Zamknięty most w Rudniku: objazd przez Brzezie",
            lead="Od poniedziałku kierowcy pojadą objazdem.",
            section=section,
        ),
        by=journalist,
    )
    services.submit_for_review(article, by=journalist)

    desk = log_in(browser, live_server, editor, width)
    looks_right(desk, ignore)
    waiting = desk.locator("#desk-review")
    expect(waiting.locator(".desk__count")).to_have_text("1")
    waiting.get_by_role("link", name=re.compile("Zamknięty most")).click()
    expect(desk.locator("#id_title")).to_have_value(re.compile("Zamknięty most"))
    looks_right(desk, ignore)
    desk.locator("#review-note").fill("Dopisz, od której godziny obowiązuje objazd.")
    desk.get_by_role("button", name="Zwróć autorowi z uwagą").click()
    expect(desk.locator(".messagelist")).to_contain_text(
        "Zwrócono autorowi z Twoją uwagą."
    )

    writer = log_in(browser, live_server, journalist, width)
    drafts = writer.locator("#desk-drafts")
    expect(drafts).to_contain_text("Zwrócony: Dopisz, od której godziny")
    looks_right(writer, ignore)
    drafts.get_by_role("link", name=re.compile("Zamknięty most")).click()
    expect(writer.locator(".review-note")).to_contain_text("od której godziny")
    looks_right(writer, ignore)
    writer.locator("#id_lead").fill(
        "Od poniedziałku od 6:00 kierowcy pojadą objazdem przez Brzezie."
    )
    writer.get_by_role("button", name="Wyślij do akceptacji").click()
    expect(writer.locator(".messagelist")).to_contain_text(
        "Wysłano redakcji do akceptacji."
    )

    desk.goto("/admin/")
    expect(desk.locator("#desk-review .desk__count")).to_have_text("1")
    desk.locator("#desk-review").get_by_role(
        "link", name=re.compile("Zamknięty most")
    ).click()
    at = timezone.localtime(timezone.now() + timedelta(hours=3)).replace(
        second=0, microsecond=0
    )
    desk.locator("#id_published_at_0").fill(at.strftime("%d.%m.%Y"))
    desk.locator("#id_published_at_1").fill(at.strftime("%H:%M:%S"))
    desk.get_by_role("button", name="Zaplanuj na czas publikacji").click()
    expect(desk.locator(".messagelist")).to_contain_text(
        f"Zaplanowano na {at:%Y-%m-%d %H:%M}."
    )
    article.refresh_from_db()
    assert article.status == Article.Status.SCHEDULED
    assert "objazdem przez Brzezie" in article.lead
    desk.context.close()
    writer.context.close()


def test_the_overlap_check_sees_a_button_over_a_headline(browser):
    page = browser.new_page(viewport={"width": 360, "height": 640})
    page.set_content(
        '<div id="content"><h2>Zamknięty most w Rudniku</h2>'
        '<a href="/x" style="position:absolute;top:10px;left:40px">Podgląd</a>'
        "<p><button>Zapisz</button> <button>Wyślij</button></p></div>"
    )
    found = overlapping(page)
    assert len(found) == 1
    assert "Podgląd" in found[0] and "Zamknięty most" in found[0]
    page.close()
