"""A new reader signs up, verifies, comments; markup in comments never runs."""

import re
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import expect


def test_new_reader_signs_up_verifies_and_comments(page, make_article):
    """With the moderation settings as installed: post-moderation."""
    article = make_article(title="Nowy chodnik na Ostrogu")
    page.goto(article.get_absolute_url())
    comments = page.locator("#komentarze")
    expect(comments).to_contain_text("Aby dodać komentarz musisz być zalogowany")
    comments.get_by_role("link", name="załóż konto").click()
    page.get_by_label("Adres e-mail").fill("nowa@example.pl")
    page.get_by_label("Nazwa wyświetlana przy komentarzach").fill("Mieszkanka Ostroga")
    page.locator("#id_password1").fill("Kasztany-w-parku-2026")
    page.locator("#id_password2").fill("Kasztany-w-parku-2026")
    page.get_by_label(re.compile("Akceptuję regulamin")).check()
    page.get_by_role("button", name=re.compile("Zarejestruj")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zweryfikuj")

    (message,) = mail.outbox
    link = re.search(r"https?://\S+/konto/confirm-email/\S+/", str(message.body))
    assert link is not None
    page.goto(urlsplit(link.group(0)).path)
    page.get_by_role("button", name="Potwierdź").click()
    expect(page).to_have_url(re.compile(re.escape(article.get_absolute_url())))

    page.get_by_label("Twój komentarz").fill("Wreszcie można przejść suchą nogą!")
    page.get_by_role("button", name="Opublikuj komentarz").click()
    expect(page.locator(".comment").first).to_contain_text(
        "Wreszcie można przejść suchą nogą!"
    )
    expect(page.locator(".comment__author").first).to_have_text("Mieszkanka Ostroga")
    expect(page.get_by_role("heading", name="Komentarze (1)")).to_be_visible()

    page.get_by_role("button", name="Wyloguj się").click()
    page.goto(article.get_absolute_url())
    expect(page.locator("#komentarze")).to_contain_text(
        "Aby dodać komentarz musisz być zalogowany"
    )


def test_markup_in_a_comment_is_shown_and_never_runs(page, make_article, reader):
    from wiesci.comments import services

    article = make_article()
    payload = (
        "<script>window.zhakowane = 1</script>"
        '<img src="x" onerror="window.zhakowane = 2">'
        '<a href="javascript:window.zhakowane = 3">link</a>'
    )
    services.post_comment(article, author=reader, body=payload, token="x")
    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(article.get_absolute_url())
    body = page.locator(".comment__body").first
    expect(body).to_contain_text("<script>window.zhakowane = 1</script>")
    assert body.locator("script, img, a[href^='javascript']").count() == 0
    assert page.evaluate("window.zhakowane") is None
    assert dialogs == []
