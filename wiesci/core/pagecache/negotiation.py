"""Which encoding to answer in, and whether a conditional request gets a 304."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

from wiesci.core.pagecache.entries import Entry

_accepted_memo: dict[str, str] = {}


def accepted_encoding(header: str) -> str:
    """The encoding to send for an Accept-Encoding header: br, gzip or identity.

    Quality values count: `br;q=0` refuses Brotli. Answers are remembered, as
    browsers send the same few headers over and over.
    """
    known = _accepted_memo.get(header)
    if known is not None:
        return known
    offered: dict[str, float] = {}
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        offered[name.strip()] = quality
    choice = "identity"
    for name in ("br", "gzip"):
        if offered.get(name, offered.get("*", 0.0)) > 0:
            choice = name
            break
    if len(_accepted_memo) < 1000:
        _accepted_memo[header] = choice
    return choice


def not_modified(environ: dict[str, Any], entry: Entry) -> bool:
    """Whether the request's If-None-Match or If-Modified-Since matches `entry`."""
    tags = environ.get("HTTP_IF_NONE_MATCH")
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if (tags is None and not since) or not entry.status.startswith("200"):
        return False
    if tags is not None:
        wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
        return "*" in wanted or entry.etag.removeprefix("W/") in wanted
    if not since:
        return False
    try:
        moment = parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError):
        return False
    return bool(moment >= int(entry.stored_at))
