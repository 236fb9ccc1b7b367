"""Videos: linked ones load nothing until asked; uploaded ones lose their metadata."""

import io
import re
from typing import cast

import av
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from wiesci.core.actors import COMMAND
from wiesci.photos.models import Video
from wiesci.photos.services import create_video
from wiesci.photos.video import VideoRejected, clean_video

pytestmark = pytest.mark.django_db


def phone_mp4(seconds: float = 2.0) -> bytes:
    """A real H.264 MP4 with the tags a phone writes, location among them."""
    out = io.BytesIO()
    with av.open(
        out, "w", format="mp4", options={"movflags": "use_metadata_tags"}
    ) as box:
        box.metadata["location"] = "+50.0919+018.2195/"
        box.metadata["com.apple.quicktime.make"] = "Telefon"
        stream = box.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(int(seconds * 25)):
            frame = av.VideoFrame.from_image(
                Image.new("RGB", (320, 240), (200, i * 4, 40))
            )
            for packet in stream.encode(frame):
                box.mux(packet)
        for packet in stream.encode():
            box.mux(packet)
    return out.getvalue()


def test_uploaded_mp4_is_stored_without_metadata_with_a_poster_frame(
    django_capture_on_commit_callbacks,
):
    data = phone_mp4()
    assert b"+50.0919+018.2195" in data
    clean = clean_video(io.BytesIO(data), size=len(data))
    with django_capture_on_commit_callbacks(execute=True):
        video = create_video(
            title="Przejazd strażaków", clean=clean, name_hint="przejazd", by=COMMAND
        )
    assert video.provider == Video.Provider.FILE
    assert (video.width, video.height) == (320, 240)
    assert 1.5 < video.duration < 2.5
    stored = default_storage.open(video.file.name).read()
    assert b"+50.0919+018.2195" not in stored
    assert b"Telefon" not in stored
    with av.open(io.BytesIO(stored)) as copy:
        assert copy.streams.video[0].codec_context.name == "h264"
        assert "location" not in copy.metadata
    assert video.poster is not None
    assert video.poster.alt_text == "Przejazd strażaków"
    video.poster.refresh_from_db()
    assert video.poster.renditions  # made after commit by the task


@pytest.mark.parametrize(
    "data",
    [b"not a video at all", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100],
)
def test_files_that_are_not_videos_are_rejected_in_polish(data):
    with pytest.raises(VideoRejected, match="Ten plik nie jest filmem"):
        clean_video(io.BytesIO(data), size=len(data))
    assert not Video.objects.exists()


def test_linked_videos_get_privacy_first_players():
    youtube = create_video(
        title="Film", url="https://www.youtube.com/watch?v=AbCdEfGhIjK", by=COMMAND
    )
    assert youtube.embed_url.startswith(
        "https://www.youtube-nocookie.com/embed/AbCdEfGhIjK"
    )
    vimeo = create_video(title="Film", url="https://vimeo.com/76979871", by=COMMAND)
    assert "dnt=1" in vimeo.embed_url
    facebook = create_video(
        title="Film", url="https://www.facebook.com/watch/?v=1234567890", by=COMMAND
    )
    assert facebook.provider == "facebook"


def test_other_addresses_are_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="YouTube, Vimeo i Facebook"):
        create_video(title="Film", url="https://example.com/film.mp4", by=COMMAND)


def portrait_phone_mp4() -> bytes:
    """A phone held upright: landscape frames (red left half, blue right half)
    and a display matrix that turns them a quarter clockwise for viewing, so
    a player shows a portrait picture with the red half on top."""
    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as box:
        stream = box.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 320, 160, "yuv420p"
        stream.set_display_rotation(-90)  # counter-clockwise degrees
        picture = Image.new("RGB", (320, 160), (0, 0, 255))
        picture.paste((255, 0, 0), (0, 0, 160, 160))
        for _ in range(40):
            for packet in stream.encode(av.VideoFrame.from_image(picture)):
                box.mux(packet)
        for packet in stream.encode():
            box.mux(packet)
    return out.getvalue()


def test_portrait_phone_video_gets_an_upright_poster(
    django_capture_on_commit_callbacks,
):
    data = portrait_phone_mp4()
    with av.open(io.BytesIO(data), "r") as check:
        frame = next(check.decode(video=0))
        assert (frame.width, frame.height, frame.rotation) == (320, 160, -90)
    clean = clean_video(io.BytesIO(data), size=len(data))
    with django_capture_on_commit_callbacks(execute=True):
        video = create_video(
            title="Na stojąco", clean=clean, name_hint="pion", by=COMMAND
        )
    assert (video.width, video.height) == (160, 320)
    poster = video.poster
    assert poster is not None
    poster.refresh_from_db()
    assert (poster.width, poster.height) == (160, 320)
    with Image.open(
        default_storage.open(poster.renditions["article"]["files"]["jpeg"])
    ) as public:
        assert public.size == (160, 320)
        top = cast(tuple[int, int, int], public.convert("RGB").getpixel((80, 40)))
        bottom = cast(tuple[int, int, int], public.convert("RGB").getpixel((80, 280)))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom
    # The public file keeps the instruction to turn it, so players do too.
    with av.open(default_storage.open(video.file.name), "r") as copy:
        assert next(copy.decode(video=0)).rotation == -90


def test_linked_video_without_a_photo_shows_a_poster_made_of_text(client, make_article):
    article = make_article(title="Sesja rady gminy")
    article.videos.add(
        create_video(
            title="Budżet na 2026", url="https://youtu.be/AbCdEfGhIjK", by=COMMAND
        )
    )
    html = client.get(article.get_absolute_url()).content.decode()
    start = html.index('class="video__frame video__frame--generated"')
    frame = html[start : html.index("</div>", start)]
    assert '<span class="video__host" aria-hidden="true">YouTube</span>' in frame
    assert '<span class="video__icon" aria-hidden="true"></span>' in frame
    assert (
        '<span class="video__title" aria-hidden="true">Budżet na 2026</span>' in frame
    )
    # Nothing on the page loads from the host before the click.
    assert "<iframe" not in html
    assert not re.search(r'(src|srcset|poster)="https?://[^"]*(youtu|ytimg)', html)
