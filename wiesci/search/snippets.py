"""Highlighted snippets: where in an article the reader's words stand."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from wiesci.search import analysis
from wiesci.search.analysis import Word
from wiesci.search.query import field_kind

SNIPPET_WORDS = 32
TOKEN = re.compile(r"[^\W_]+|[\W_]+", re.UNICODE)


def _matches(token: str, words: list[Word]) -> bool:
    found = analysis.analyse_word(token)
    if found is None:
        return False
    terms = set(found.terms())
    return any(field_kind(word, terms) is not None for word in words)


def highlight(text: str, words: list[Word]) -> SafeString:
    """`text`, escaped, with every form of the query's words in <mark>."""
    parts = []
    for token in TOKEN.findall(text):
        if token[0].isalnum() and _matches(token, words):
            parts.append(f"<mark>{escape(token)}</mark>")
        else:
            parts.append(escape(token))
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)


def snippet(text: str, words: list[Word]) -> SafeString:
    """The stretch of `text` (about 32 words) holding most of the query's
    words, highlighted; the text's opening if none is found."""
    tokens = [t for t in re.split(r"\s+", text) if t]
    if not tokens:
        return mark_safe("")
    hits = [
        i
        for i, token in enumerate(tokens)
        if any(_matches(part, words) for part in analysis.WORD.findall(token))
    ]
    start = 0
    if hits:
        best = max(
            hits,
            key=lambda i: (sum(1 for j in hits if i <= j < i + SNIPPET_WORDS), -i),
        )
        start = max(0, best - 6)
    chosen = tokens[start : start + SNIPPET_WORDS]
    text = " ".join(chosen)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
    return mark_safe(prefix + highlight(text, words) + suffix)  # noqa: S308
