"""Polish text helpers: slugs and plural forms."""

from __future__ import annotations

from django.utils.text import slugify

# NFKD decomposes ą, ć, ę, ń, ó, ś, ź, ż into a letter and a mark, which
# slugify drops; ł has no decomposition and would vanish instead.
_NO_DECOMPOSITION = str.maketrans({"ł": "l", "Ł": "L"})


def polish_slugify(text: str, *, max_length: int = 200) -> str:
    """Return an ASCII slug: "Łączy Nas Biblioteka" → "laczy-nas-biblioteka"."""
    slug = slugify(text.translate(_NO_DECOMPOSITION))
    return slug[:max_length].rstrip("-")


def plural_form(count: int, one: str, few: str, many: str) -> str:
    """Pick the Polish plural form for `count`: 1 komentarz, 2 komentarze, 5 komentarzy.

    The same rule as the Polish gettext catalogue's Plural-Forms header.
    """
    if count == 1:
        return one
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return few
    return many
