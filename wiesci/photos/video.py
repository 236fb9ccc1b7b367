"""Uploaded MP4 videos: checked by content, stripped of metadata, given a poster.

A phone's MP4 can carry where it was filmed. The file readers get is a remux
(no re-encoding, so it is quick) with every metadata tag left behind and the
index moved to the front so playback starts before the download ends.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from wiesci import conf

PLAYABLE_CODECS = {"h264", "hevc", "av1", "vp9"}


class VideoRejected(ValidationError):
    """An upload that is not a video Wieści accepts; the message says why."""


@dataclass(frozen=True)
class CleanVideo:
    file: IO[bytes]
    width: int
    height: int
    duration: float
    poster_jpeg: bytes


def _not_a_video() -> VideoRejected:
    return VideoRejected(
        _("This file is not a video. Upload an MP4 file (H.264, HEVC or AV1)."),
        code="not_a_video",
    )


def clean_video(upload: IO[bytes], *, size: int) -> CleanVideo:
    """Check `upload` and return a metadata-free copy with a poster frame."""
    import av

    if size > conf.VIDEO_MAX_BYTES:
        raise VideoRejected(
            _("The file is too large (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(size),
                "limit": filesizeformat(conf.VIDEO_MAX_BYTES),
            },
            code="too_large",
        )
    upload.seek(0)
    try:
        source = av.open(upload, mode="r")
    except (av.FFmpegError, ValueError, OSError):
        raise _not_a_video() from None
    with source:
        if "mp4" not in source.format.name and "mov" not in source.format.name:
            raise _not_a_video()
        if not source.streams.video:
            raise _not_a_video()
        video = source.streams.video[0]
        if video.codec_context.name not in PLAYABLE_CODECS:
            raise _not_a_video()
        width, height = video.codec_context.width, video.codec_context.height
        duration = float(source.duration or 0) / 1_000_000
        poster, turns = _poster(source, video)
        if turns % 2:  # a phone held upright: the player shows it portrait
            width, height = height, width
        source.seek(0)
        # Moving the index to the front makes FFmpeg reopen the output by
        # name, so it gets a real path; the open handle outlives the name.
        fd, path = tempfile.mkstemp(suffix=".mp4")
        os.close(fd)
        try:
            _remux(source, path)
            target = open(path, "rb")  # noqa: SIM115 (returned to the caller)
        except (av.FFmpegError, ValueError):
            raise VideoRejected(
                _("The video file is damaged or incomplete. Upload it again."),
                code="damaged",
            ) from None
        finally:
            os.unlink(path)
    return CleanVideo(target, width, height, duration, poster)


# PIL's transposes that turn a frame counter-clockwise by 90°, 180° and 270°.
TURNS = {
    1: Image.Transpose.ROTATE_90,
    2: Image.Transpose.ROTATE_180,
    3: Image.Transpose.ROTATE_270,
}


def _poster(source: Any, video: Any) -> tuple[bytes, int]:
    """A frame about a second in (the very first is often black), upright.

    A phone stores a portrait video as landscape frames plus a display
    matrix that tells players to turn them; the poster is turned the same
    way. Returns the JPEG and the number of counter-clockwise quarter turns.
    """
    import av

    frame = None
    try:
        for frame in source.decode(video):
            if frame.time is not None and frame.time >= 1.0:
                break
    except av.FFmpegError:
        pass
    if frame is None:
        raise _not_a_video()
    image = frame.to_image().convert("RGB")
    # Counter-clockwise degrees, as FFmpeg's display matrix gives them.
    turns = round((frame.rotation or 0) / 90) % 4
    if turns:
        image = image.transpose(TURNS[turns])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue(), turns


def _remux(source: Any, target: str) -> None:
    import av

    wanted = [s for s in source.streams if s.type in ("video", "audio")]
    with av.open(
        target, mode="w", format="mp4", options={"movflags": "+faststart"}
    ) as out:
        mapping = {}
        for stream in wanted:
            copy = out.add_stream_from_template(stream)
            copy.metadata.clear()
            mapping[stream.index] = copy
        for packet in source.demux(wanted):
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)
