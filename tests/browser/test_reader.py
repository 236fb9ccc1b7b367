"""A reader's way: from the home page to a story, and back after logging in."""

import re

from playwright.sync_api import expect

from wiesci.articles import services
from wiesci.articles.models import Label
from wiesci.core.actors import COMMAND
from wiesci.photos.models import Video
from wiesci.taxonomy.models import Organisation


def test_reader_finds_the_library_story_and_logs_in_to_comment(
    page, make_article, make_photo, reader
):
    others = []
    for i in range(13):
        other = make_article(title=f"Wiadomość z powiatu {i}")
        others.append(other)
    festival = others[-1]
    services.add_to_gallery(festival, [make_photo()], by=COMMAND)
    festival.videos.add(
        Video.objects.create(title="Film", url="https://youtu.be/AbCdEfGhIjK")
    )
    festival.part = 2
    festival.save()
    notice = others[-2]
    notice.labels.add(Label.objects.get_or_create(name="OGŁOSZENIE URZĘDOWE")[0])
    story = make_article(
        title="Biblioteka stawia na partnerów",
        lead="Bibliotekarze po szkoleniu planują wspólne projekty.",
        body="<p>Przez trzy dni uczestnicy mapowali instytucje.</p>",
    )
    story.organisations.add(Organisation.objects.create(name="Muzeum w Raciborzu"))
    services.add_to_gallery(
        story, [make_photo(caption="Szkolenie w czytelni")], by=COMMAND
    )

    page.goto("/")
    page.get_by_role(
        "link", name=re.compile("Biblioteka stawia na partnerów")
    ).first.click()
    expect(page).to_have_url(re.compile(r"/artykul/biblioteka-stawia-na-partnerow/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Biblioteka stawia na partnerów [FOTO]"
    )
    expect(page.locator(".article__lead")).to_have_text(
        "Bibliotekarze po szkoleniu planują wspólne projekty."
    )
    expect(page.locator(".article__body")).to_contain_text("Przez trzy dni uczestnicy")
    other_titles = page.locator(".others .card__title")
    expect(other_titles).to_have_count(12)
    expect(other_titles.first).to_have_text("Wiadomość z powiatu 12 [FOTO i WIDEO 2]")
    expect(other_titles.nth(1)).to_have_text(
        "[OGŁOSZENIE URZĘDOWE] Wiadomość z powiatu 11"
    )
    expect(page.get_by_role("heading", name="Komentarze (0)")).to_be_visible()
    expect(page.locator(".comments")).to_contain_text(
        "Aby dodać komentarz musisz być zalogowany"
    )

    page.locator(".comments").get_by_role("link", name="Zaloguj się").click()
    page.get_by_label(re.compile("e-mail", re.I)).fill(reader.email)
    page.get_by_label(re.compile("Hasło")).fill("Odra-1997-powodz")
    page.get_by_role("button", name=re.compile("Zaloguj")).click()
    expect(page).to_have_url(
        re.compile(r"/artykul/biblioteka-stawia-na-partnerow/#komentarze$")
    )
    expect(page.locator(".comments")).not_to_contain_text("musisz być zalogowany")
    expect(page.locator(".account")).to_contain_text("Sąsiad z Ocic")
