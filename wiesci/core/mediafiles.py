"""Uploaded media served from the data directory, before the page cache.

granian serves `/static/` itself, but its static files answer no byte ranges
(a phone's video player seeks with them, and Safari will not play an MP4
without) and carry no `X-Content-Type-Options: nosniff`. Media are answered
here instead: GET and HEAD of a file under MEDIA_ROOT, with a year's cache
lifetime (media names carry a time stamp and a hash), ETag and Last-Modified
with 304s, and one byte range per request (206, or 416 past the end).
Anything else, a missing file included, goes on to the application.

Behind nginx (docs/howto/nginx.md) the proxy serves media from disk itself.
"""

from __future__ import annotations

import mimetypes
import os
import re
from collections.abc import Callable, Iterable, Iterator
from email.utils import formatdate, parsedate_to_datetime
from typing import IO, Any

LIFETIME = 365 * 24 * 3600
CHUNK = 256 * 1024
RANGE = re.compile(r"bytes=(\d*)-(\d*)")
TYPES = {
    ".avif": "image/avif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".jpg": "image/jpeg",
}


def content_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    return (
        TYPES.get(suffix)
        or mimetypes.guess_type(name)[0]
        or ("application/octet-stream")
    )


class MediaFiles:
    """WSGI middleware answering `MEDIA_URL` paths from `MEDIA_ROOT`."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self._place: tuple[str, str] | None = None

    @property
    def place(self) -> tuple[str, str]:
        """The URL prefix and the folder; no prefix when media live elsewhere."""
        if self._place is None:
            from django.conf import settings

            prefix = str(settings.MEDIA_URL)
            local = prefix.startswith("/") and not prefix.startswith("//")
            self._place = (
                prefix if local else "",
                os.path.realpath(settings.MEDIA_ROOT),
            )
        return self._place

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        prefix, root = self.place
        path = environ.get("PATH_INFO", "")
        if not prefix or not path.startswith(prefix):
            return self.app(environ, start_response)
        method = environ.get("REQUEST_METHOD", "GET")
        target = self._file(root, path[len(prefix) :])
        if target is None or method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        try:
            handle = open(target, "rb")  # noqa: SIM115 (closed by the response)
        except OSError:
            return self.app(environ, start_response)
        return self._answer(environ, start_response, handle, target, method)

    @staticmethod
    def _file(root: str, relative: str) -> str | None:
        """The file `relative` names under `root`, or None if it may not be served."""
        try:
            name = relative.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return None
        parts = name.split("/")
        if not name or "\0" in name or any(p in ("", ".", "..") for p in parts):
            return None
        if any(part.startswith(".") for part in parts):
            return None  # temporary and hidden files
        target = os.path.realpath(os.path.join(root, *parts))
        if os.path.commonpath([root, target]) != root or not os.path.isfile(target):
            return None
        return target

    def _answer(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        handle: IO[bytes],
        target: str,
        method: str,
    ) -> Iterable[bytes]:
        info = os.fstat(handle.fileno())
        size, modified = info.st_size, int(info.st_mtime)
        etag = f'"{size:x}-{info.st_mtime_ns:x}"'
        headers = [
            ("Content-Type", content_type(target)),
            ("Cache-Control", f"public, max-age={LIFETIME}, immutable"),
            ("X-Content-Type-Options", "nosniff"),
            ("Last-Modified", formatdate(modified, usegmt=True)),
            ("ETag", etag),
            ("Accept-Ranges", "bytes"),
        ]
        if _not_modified(environ, etag, modified):
            handle.close()
            start_response("304 Not Modified", headers[1:])
            return []
        span = _byte_range(environ, size, etag, modified)
        if isinstance(span, str):  # unsatisfiable
            handle.close()
            start_response(
                "416 Range Not Satisfiable",
                [
                    *headers[1:],
                    ("Content-Range", f"bytes */{size}"),
                    ("Content-Length", "0"),
                ],
            )
            return []
        if span is None:
            start, length, status = 0, size, "200 OK"
        else:
            start, end = span
            length, status = end - start + 1, "206 Partial Content"
            headers.append(("Content-Range", f"bytes {start}-{end}/{size}"))
        headers.append(("Content-Length", str(length)))
        start_response(status, headers)
        if method == "HEAD":
            handle.close()
            return []
        if span is None and "wsgi.file_wrapper" in environ:
            return environ["wsgi.file_wrapper"](handle, CHUNK)  # type: ignore[no-any-return]
        return _read(handle, start, length)


def _read(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    with handle:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def _not_modified(environ: dict[str, Any], etag: str, modified: int) -> bool:
    tags = environ.get("HTTP_IF_NONE_MATCH")
    if tags is not None:
        wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in wanted or etag in wanted
    return _not_changed_since(environ.get("HTTP_IF_MODIFIED_SINCE"), modified)


def _not_changed_since(header: str | None, modified: int) -> bool:
    if not header:
        return False
    try:
        return parsedate_to_datetime(header).timestamp() >= modified
    except (TypeError, ValueError):
        return False


def _byte_range(
    environ: dict[str, Any], size: int, etag: str, modified: int
) -> tuple[int, int] | str | None:
    """The one byte range asked for, as (first, last); None for the whole file.

    Several ranges at once are answered with the whole file, as RFC 9110
    allows; a range starting past the end is "unsatisfiable".
    """
    header = environ.get("HTTP_RANGE", "")
    found = RANGE.fullmatch(header.strip())
    if found is None or not (found.group(1) or found.group(2)):
        return None
    condition = environ.get("HTTP_IF_RANGE")
    if (
        condition
        and condition != etag
        and not (
            not condition.startswith(('"', "W/"))
            and _not_changed_since(condition, modified)
        )
    ):
        return None
    first, last = found.groups()
    if not first:  # the last N bytes
        count = int(last)
        if count == 0:
            return "unsatisfiable"
        return max(0, size - count), size - 1
    start = int(first)
    if start >= size:
        return "unsatisfiable"
    end = min(int(last), size - 1) if last else size - 1
    if end < start:
        return None
    return start, end
