"""An editor writes a story with a photo, schedules it, and it goes out."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import image_bytes


def test_editor_writes_a_story_with_a_photo_schedules_it_and_it_goes_out(
    page, editor, section, time_machine, tmp_path
):
    page.goto("/admin/articles/article/add/")
    page.locator("#id_login").fill(editor.email)
    page.locator("#id_password").fill("haslo-redakcji")
    page.get_by_role("button", name=re.compile("Zaloguj")).click()
    expect(page.locator("#id_title")).to_be_visible()

    page.locator("#id_title").fill("Nowe rondo w Markowicach otwarte")
    page.locator("#id_lead").fill("Kierowcy pojadą nim od jutra rana.")
    editor_area = page.locator(".ProseMirror[contenteditable=true]")
    editor_area.click()
    page.keyboard.type("Budowa trwała dziewięć miesięcy.")
    page.locator("#id_section").select_option(label=section.name)
    page.get_by_role("button", name="Zapisz i kontynuuj edycję").click()
    expect(page.locator(".messagelist")).to_contain_text("Dodano: artykuł")

    page.get_by_role("link", name=re.compile("Zarządzaj galerią")).click()
    # The drop zone's script must be listening before a file is chosen.
    page.wait_for_load_state("load")
    photo = tmp_path / "rondo.jpg"
    photo.write_bytes(image_bytes((1200, 800)))
    page.locator('input[type="file"]').set_input_files(str(photo))
    expect(page.locator(".messagelist")).to_contain_text("zdjęcie", timeout=15000)
    page.locator("#id_form-0-alt_text").fill("Samochody na nowym rondzie")
    page.get_by_role("button", name="Zapisz galerię").click()
    expect(page.locator(".messagelist")).to_contain_text("Galeria została zapisana.")

    page.get_by_role("link", name="Nowe rondo w Markowicach otwarte").click()
    # The photo goes into the text too, chosen from the article's gallery.
    editor_area.click()
    page.keyboard.press("Control+End")
    page.locator(".prose-menubar button.material-icons", has_text="image").click()
    dialog = page.locator("dialog[open]")
    with page.expect_popup() as opened:
        dialog.locator(".prose-editor-field-with-picker button").click()
    picker = opened.value
    # The picker's script must be listening before a photo is chosen.
    picker.wait_for_load_state("load")
    choice = picker.locator(".image-picker__choice").first
    # The window closes itself on the choice. Playwright's own click waits on
    # the page after clicking and fails when the page is gone, so the click is
    # made from the page, a moment after this call returns.
    with picker.expect_event("close"):
        choice.evaluate("button => setTimeout(() => button.click(), 0)")
    expect(dialog.locator("input[name=imageUrl]")).to_have_value(
        re.compile(r"^/media/zdjecia/.+\.jpg$")
    )
    expect(dialog.locator("input[name=altText]")).to_have_value(
        "Samochody na nowym rondzie"
    )
    dialog.locator("button[type=submit]").click()
    expect(editor_area.locator("figure img")).to_have_count(1)

    at = timezone.localtime(timezone.now() + timedelta(hours=2)).replace(
        second=0, microsecond=0
    )
    page.locator("#id_published_at_0").fill(at.strftime("%d.%m.%Y"))
    page.locator("#id_published_at_1").fill(at.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Zaplanuj na czas publikacji").click()
    # In the newsroom's own time, as typed.
    expect(page.locator(".messagelist")).to_contain_text(
        f"Zaplanowano na {at:%Y-%m-%d %H:%M}."
    )

    page.goto("/")
    expect(page.locator("main")).not_to_contain_text("Nowe rondo w Markowicach")
    time_machine.move_to(at + timedelta(minutes=1))
    page.goto("/")
    story = page.get_by_role(
        "link", name=re.compile("Nowe rondo w Markowicach otwarte")
    ).first
    expect(story).to_contain_text("[FOTO]")
    story.click()
    expect(page.locator(".article__body")).to_contain_text(
        "Budowa trwała dziewięć miesięcy."
    )
    expect(page.locator(".article__photo img")).to_have_attribute(
        "alt", "Samochody na nowym rondzie"
    )
    expect(page.locator(".article__body figure picture img")).to_have_attribute(
        "alt", "Samochody na nowym rondzie"
    )
