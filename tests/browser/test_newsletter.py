"""A reader subscribes, confirms from the mail and unsubscribes, at 360 px."""

import re
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import expect

from wiesci.newsletter.letters import unsubscribe_url
from wiesci.newsletter.models import Subscriber


def test_reader_subscribes_confirms_and_unsubscribes(page):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/newsletter/")
    page.get_by_label("Twój adres e-mail").fill("czytelniczka@example.pl")
    page.get_by_label(re.compile("Chcę otrzymywać newsletter")).check()
    page.get_by_role("button", name="Zapisz się").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sprawdź skrzynkę")
    assert not Subscriber.objects.confirmed().exists()

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/newsletter/potwierdz/\S+/", str(message.body))
    assert link is not None
    page.goto(urlsplit(link.group(0)).path)
    page.get_by_role("button", name="Potwierdzam zapis").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Zapis potwierdzony")
    (subscriber,) = Subscriber.objects.confirmed()

    page.goto(urlsplit(unsubscribe_url(subscriber)).path)
    page.get_by_role("button", name="Wypisz mnie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wypisano")
    assert not Subscriber.objects.confirmed().exists()
