"""The portal's identity for browsers and phones: icons, manifest, profile."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from PIL import Image

from tests.conftest import image_bytes

pytestmark = pytest.mark.django_db


def png(client, url: str) -> Image.Image:
    answer = client.get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(answer.content))


def test_every_page_names_its_icons_and_manifest_and_they_answer(client, story):
    page = client.get(story.get_absolute_url()).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<link rel="apple-touch-icon" href="/ikona-180.png">' in page
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert manifest["lang"] == "pl" and manifest["start_url"] == "/"
    for icon in manifest["icons"]:
        side = int(icon["sizes"].split("x")[0])
        assert png(client, icon["src"]).size == (side, side)
    assert png(client, "/ikona-32.png").size == (32, 32)
    assert client.get("/ikona-33.png").status_code == 404
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 302 and favicon["Location"] == "/ikona-32.png"


def test_the_newsroom_sets_the_profile_in_the_admin(client, editor, story):
    client.force_login(editor)
    opened = client.get(reverse("admin:distribution_portalprofile_changelist"))
    assert opened.status_code == 302
    form_url = opened["Location"]
    icon = io.BytesIO(image_bytes((600, 600), fmt="PNG", color="darkred"))
    icon.name = "ikona.png"
    logo = io.BytesIO(image_bytes((400, 120), fmt="PNG"))
    logo.name = "logo.png"
    answer = client.post(
        form_url,
        {
            "short_name": "Wieści",
            "description": "Wiadomości z powiatu.",
            "theme_color": "#aa0000",
            "facebook": "https://www.facebook.com/wiesci",
            "icon": icon,
            "logo": logo,
            "email": "",
            "instagram": "",
            "youtube": "",
            "x": "",
            "tiktok": "",
            "linkedin": "",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    from wiesci.distribution.models import PortalProfile

    saved = PortalProfile.objects.get()
    assert saved.changed_by == editor  # who made the change is kept
    client.logout()
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    assert (manifest["short_name"], manifest["theme_color"]) == ("Wieści", "#aa0000")
    # The icon is the newsroom's own now (dark red), at every size.
    assert png(client, "/ikona-192.png").convert("RGB").getpixel((96, 96)) == (
        139,
        0,
        0,
    )
    page = client.get("/").content.decode()
    assert 'content="#aa0000"' in page and "favicon.svg" not in page


@pytest.mark.parametrize(
    ("field", "upload", "message"),
    [
        ("icon", image_bytes((700, 600), fmt="PNG"), "musi być kwadratowa"),
        ("icon", image_bytes((100, 100), fmt="PNG"), "co najmniej 512"),
        ("logo", b"to nie jest obraz", "Prześlij poprawny plik graficzny"),
        ("logo", image_bytes((300, 300), fmt="GIF"), "PNG lub JPEG"),
    ],
)
def test_a_bad_image_is_refused_with_a_polish_message(
    client, editor, field, upload, message
):
    client.force_login(editor)
    form_url = client.get(reverse("admin:distribution_portalprofile_changelist"))[
        "Location"
    ]
    file = io.BytesIO(upload)
    file.name = "plik.png"
    answer = client.post(form_url, {"theme_color": "#0b4f8a", field: file})
    assert answer.status_code == 200
    assert message in answer.content.decode()
    from wiesci.distribution.models import PortalProfile

    assert not getattr(PortalProfile.objects.get(), field)  # nothing stored
