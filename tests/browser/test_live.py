"""Live coverage in a browser: new updates arrive on an open page."""

from playwright.sync_api import expect

from wiesci.core.actors import COMMAND
from wiesci.live import services


def test_new_updates_and_the_end_reach_an_open_page_without_a_reload(
    page, make_article
):
    article = make_article(title="Pożar hali w Kuźni Raciborskiej")
    coverage = services.start_coverage(
        article, by=COMMAND, key_facts="Droga 919 zamknięta"
    )
    services.add_update(coverage, by=COMMAND, text="Trwa akcja gaśnicza.")
    page.goto(article.get_absolute_url())
    updates = page.locator(".live__update")
    expect(updates).to_have_count(1)
    page.evaluate("window.notReloaded = true")

    services.add_update(
        coverage, by=COMMAND, text="Pożar opanowany, nikt nie ucierpiał."
    )
    services.set_key_facts(coverage, by=COMMAND, key_facts="Droga 919 znów przejezdna")
    # A reader returning to the tab asks at once instead of at the next turn.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(updates).to_have_count(2)
    expect(updates.first).to_contain_text("Pożar opanowany")
    expect(updates.first).to_have_class("live__update live__update--new")
    expect(page.locator(".live__facts")).to_contain_text("znów przejezdna")
    expect(page.get_by_role("status")).to_contain_text("2 wpisy")

    services.end_coverage(coverage, by=COMMAND)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("[data-live-poll]")).to_have_attribute("data-live", "0")
    expect(page.get_by_role("status")).to_contain_text("Relacja zakończyła się")
    assert page.evaluate("window.notReloaded") is True
