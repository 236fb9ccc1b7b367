"""Product tunables: one table of name, default and meaning.

Read lazily, never at import time: `conf.PAGE_SIZE` looks up the Django
setting of the same name with a `WIESCI_` prefix on each access and falls back
to the default, so tests override a value with Django's usual settings tools.
These are Django settings, not environment variables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS = [
    Setting(
        "PAGE_SIZE", 20, "Stories per page on the home page's older news and on lists."
    ),
    Setting("LATEST_ON_HOME", 12, "Latest stories shown on the home page."),
    Setting(
        "SECTION_BLOCK_SIZE", 4, "Stories in each section's block on the home page."
    ),
    Setting("OTHER_STORIES", 12, "Other recent stories listed under an article."),
    Setting(
        "PHOTO_MAX_BYTES", 40 * 1024 * 1024, "Largest photo file accepted for upload."
    ),
    Setting(
        "PHOTO_MAX_PIXELS",
        120_000_000,
        "Largest photo accepted, in pixels; anything bigger is treated as a "
        "decompression bomb.",
    ),
    Setting(
        "PHOTO_MAX_DECODE_BYTES",
        400 * 1024 * 1024,
        "Memory a photo may take while it is decoded and scaled down. JPEG is "
        "decoded at a reduced size and stays far below it; PNG, WebP and HEIC "
        "are decoded whole, so their pixel count is limited by it (a PNG photo "
        "to about 76 megapixels, WebP to 24).",
    ),
    Setting(
        "PHOTO_RENDITIONS",
        {
            "mini": {"crop": [480, 270]},
            "article": {"width": 960},
            "full": {"width": 1920},
            "social": {"crop": [1200, 630]},
            # The three ratios search engines ask of a news article's image.
            "wide": {"crop": [1200, 675], "formats": ["jpeg"]},
            "classic": {"crop": [1200, 900], "formats": ["jpeg"]},
            "square": {"crop": [1200, 1200], "formats": ["jpeg"]},
        },
        "Public sizes made of every photo: a crop around the focal point "
        "(`crop: [width, height]`) or a width with the photo's proportions; "
        "`formats` limits a size to some of the public formats.",
    ),
    Setting(
        "PHOTO_QUALITY", 80, "Encoder quality of public JPEG and WebP files (1–100)."
    ),
    Setting(
        "VIDEO_MAX_BYTES", 500 * 1024 * 1024, "Largest MP4 file accepted for upload."
    ),
    Setting("COMMENT_MAX_LENGTH", 3000, "Longest comment accepted, in characters."),
    Setting("COMMENT_EDIT_MINUTES", 15, "How long an author may edit a comment."),
    Setting(
        "COMMENT_INTERVAL_NEW", 30, "Seconds a new account waits between comments."
    ),
    Setting(
        "COMMENT_INTERVAL", 10, "Seconds any other account waits between comments."
    ),
    Setting(
        "COMMENT_NEW_ACCOUNT_DAYS", 7, "For how many days an account counts as new."
    ),
    Setting(
        "COMMENT_DUPLICATE_MINUTES",
        5,
        "Minutes during which the same text from the same reader is refused.",
    ),
    Setting(
        "COMMENT_DAY_ONE_CAP", 20, "Comments an account may post in its first 24 hours."
    ),
    Setting(
        "APPEAL_DAYS",
        183,
        "Days after a removal during which its author may appeal (the DSA asks "
        "for at least six months).",
    ),
    Setting(
        "REPORTS_PER_HOUR",
        10,
        "Comment reports one address may send in an hour, logged in or not.",
    ),
    Setting(
        "PAGE_CACHE_SECONDS",
        600,
        "How long the full-page cache keeps an anonymous page at most; content "
        "changes purge it sooner.",
    ),
    Setting(
        "PAGE_PROXY_SECONDS", 60, "s-maxage: how long nginx or a CDN may keep a page."
    ),
    Setting("PAGE_BROWSER_SECONDS", 60, "max-age: how long a browser may keep a page."),
    Setting(
        "PAGE_STALE_SECONDS",
        600,
        "stale-while-revalidate: how long a proxy may serve a page while it fetches "
        "a fresh one.",
    ),
    Setting(
        "FRAGMENT_MEMORY_SECONDS",
        10,
        "How long a worker process answers a cached page fragment it has read "
        "from memory, without asking the shared cache again; a fragment's key "
        "names one version of it, so only fragments that expire with time (most "
        "read) can outlive their expiry, by this much at worst. 0 turns it off.",
    ),
    Setting(
        "PAGE_RENDERS_AT_ONCE",
        1,
        "How many pages one server process renders at a time while a reader can "
        "be answered a stale copy instead (within PAGE_STALE_BOUND_SECONDS): the "
        "other request threads stay free for cached answers when a purge of "
        "everything makes every page stale at once. 0: no limit.",
    ),
    Setting(
        "PAGE_STALE_BOUND_SECONDS",
        5,
        "How long after a purge or an expiry the full-page cache may still answer "
        "the previous copy of a page (`X-Cache: STALE`) while one request renders "
        "the new one; past it, readers wait for the render. 0 turns it off.",
    ),
    Setting(
        "PAGE_CACHE_MAX_BYTES",
        512 * 1024 * 1024,
        "Disk space the full-page cache may take under the data directory; past "
        "it, the entries closest to expiry go first. (With Redis, set its "
        "maxmemory instead.)",
    ),
    Setting("MOST_READ", 5, "Stories in the most-read box."),
    Setting(
        "PING_RETRY_SECONDS",
        [60, 300, 1800, 7200],
        "Waits before each new try of a WebSub or IndexNow ping that failed; "
        "after the last, the ping is given up (and logged).",
    ),
    Setting(
        "READS_FLUSH_SECONDS",
        30,
        "How often each server process adds the reads it counted to the most-read "
        "totals; 0 leaves it to explicit flushes (the test suite).",
    ),
    Setting(
        "NEWSLETTER_DAILY_AT",
        "06:30",
        "Local time (HH:MM) the daily digest goes out, and the weekly one on its day.",
    ),
    Setting(
        "NEWSLETTER_WEEKLY_DAY",
        5,
        "Weekday the weekly digest goes out, 0 for Monday to 6 for Sunday.",
    ),
    Setting(
        "NEWSLETTER_AUTOMATIC",
        True,
        "Whether a digest nobody changed goes out at its time on its own; a "
        "digest with the newsroom's intro or top story always waits for a test "
        "and an editor's approval.",
    ),
    Setting("NEWSLETTER_MAX_STORIES", 25, "Most stories one digest lists."),
    Setting(
        "NEWSLETTER_BATCH_SIZE",
        50,
        "Addresses the worker takes at a time while sending a digest, through "
        "one connection to the mail server.",
    ),
    Setting(
        "NEWSLETTER_STALE_MINUTES",
        15,
        "After how long addresses a stopped worker had taken go back to another "
        "worker; the one it was sending is counted as maybe sent, never repeated.",
    ),
]

_BY_NAME = {setting.name: setting for setting in SETTINGS}


def __getattr__(name: str) -> Any:
    try:
        setting = _BY_NAME[name]
    except KeyError:
        raise AttributeError(f"no product setting {name!r}") from None
    return getattr(settings, f"WIESCI_{name}", setting.default)
