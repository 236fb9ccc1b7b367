"""Videos: linked ones load nothing until asked; uploaded ones lose their metadata."""

import io

import av
import pytest
from django.core.files.storage import default_storage
from PIL import Image

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
            title="Przejazd strażaków", clean=clean, name_hint="przejazd"
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
        title="Film", url="https://www.youtube.com/watch?v=AbCdEfGhIjK"
    )
    assert youtube.embed_url.startswith(
        "https://www.youtube-nocookie.com/embed/AbCdEfGhIjK"
    )
    vimeo = create_video(title="Film", url="https://vimeo.com/76979871")
    assert "dnt=1" in vimeo.embed_url
    facebook = create_video(
        title="Film", url="https://www.facebook.com/watch/?v=1234567890"
    )
    assert facebook.provider == "facebook"


def test_other_addresses_are_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="YouTube, Vimeo i Facebook"):
        create_video(title="Film", url="https://example.com/film.mp4")
