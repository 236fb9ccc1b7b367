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
        poster = _poster(source, video)
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


def _poster(source: Any, video: Any) -> bytes:
    """A frame about a second in (the very first is often black)."""
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
    out = io.BytesIO()
    frame.to_image().convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


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
