"""A reader sends a tip with a photo from a phone, at 360 px, without an account."""

from django.core import mail, signing
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.photos.test_processing import camera_jpeg
from wiesci.tips import challenge
from wiesci.tips.models import Tip


def test_reader_sends_a_tip_with_a_photo(page, monkeypatch):
    # A reader takes longer than the few seconds the form asks; a test does not.
    monkeypatch.setattr(challenge, "MIN_SECONDS", 0)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    # The catalogue's wording ("Dodaj informację" once translated).
    page.get_by_role("link", name=gettext("Send us a tip")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_label(gettext("What happened?")).fill(
        "Przy rynku przewróciło się drzewo i blokuje przejazd."
    )
    page.get_by_label(gettext("Where?")).fill("Racibórz, Rynek")
    page.locator("#id_photos").set_input_files(
        [{"name": "drzewo.jpg", "mimeType": "image/jpeg", "buffer": camera_jpeg()}]
    )
    page.locator("#id_name").fill("Anna Kowalczyk")
    page.locator("#id_email").fill("anna@example.pl")
    page.locator("#id_accept_terms").check()
    page.locator("#id_credit_consent").check()
    token = page.locator("input[name=challenge]").get_attribute("value")
    assert token is not None
    answer = signing.loads(token, salt=challenge.SALT)["a"]
    page.locator("#id_answer").fill(str(answer))
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()
    tip = Tip.objects.get()
    expect(page.locator("main")).to_contain_text(tip.reference)
    assert tip.attachments.count() == 1 and tip.credit == "Anna Kowalczyk"
    # Nothing runs off the edge of a small phone's screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    (message,) = mail.outbox
    assert tip.reference in message.body
