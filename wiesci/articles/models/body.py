"""What an article's body may hold, and the text helpers built on it."""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from html import unescape

import nh3
from django.utils.html import strip_tags

# What an article body may contain. Everything else is removed on save.
BODY_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "strong",
    "em",
    "b",
    "i",
    "a",
    "figure",
    "figcaption",
}
BODY_TAGS.add("img")
IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\bsrc=)[^>]*>")
BODY_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt"}}


# Tags that end a word: text on either side belongs to different words.
WORD_BOUNDARY = re.compile(
    r"<(?:/?(?:p|h[1-6]|li|ul|ol|blockquote|figure|figcaption|div|td|th|tr)\b"
    r"|br\b|img\b)[^>]*>",
    re.IGNORECASE,
)


def plain_words(html: str) -> list[str]:
    """The words of an HTML fragment, as a reader counts them.

    "<p>a b.</p><p>c d.</p>" has four words: block tags separate words, while
    inline ones ("pół<em>wysep</em>") do not.
    """
    return unescape(strip_tags(WORD_BOUNDARY.sub(" ", html))).split()


# What a marker the system adds looks like inside its brackets: [FOTO],
# [WIDEO], [FOTO i WIDEO 2], [CZ. 3]. Editorial labels are checked by name.
MEDIA_MARKER = re.compile(
    r"(?:FOTO|WIDEO|VIDEO)(?:\s*(?:I|\+|&|,|/)\s*(?:FOTO|WIDEO|VIDEO))?(?:\s*\d+)?"
    r"|CZ\.?\s*\d+",
    re.IGNORECASE,
)
BRACKETED = re.compile(r"\[([^\[\]]*)\]")


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def sanitise_body(html: str, *, images: Collection[str] = ()) -> str:
    """Keep what articles use; images only at the addresses in `images`.

    `images` holds the addresses of the article's own gallery photos (see
    `Article.gallery_image_urls`): a body never shows another article's
    photo, a tracker or anything else from outside.
    """

    def only_allowed_images(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            return value if value in images else None
        return value

    clean = nh3.clean(
        html,
        tags=BODY_TAGS,
        attributes=BODY_ATTRIBUTES,
        attribute_filter=only_allowed_images,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener",
    )
    # An image whose address was refused has nothing left to show.
    return IMAGE_WITHOUT_SOURCE.sub("", clean).strip()
