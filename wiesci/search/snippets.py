"""Highlighted snippets: where in an article the reader's words stand."""

from __future__ import annotations

import bisect
import re
from html import escape

from django.utils.safestring import SafeString, mark_safe

from wiesci.search import analysis
from wiesci.search.analysis import Word

SNIPPET_WORDS = 32
# Enough of the lead and body to find the best stretch in.
SNIPPET_SOURCE = 2000
# What may stand around a word in running text.
EDGES = ".,;:!?…()[]{}«»„”“\"'’–—-/"
TOKEN = re.compile(r"[^\W_]+|[\W_]+", re.UNICODE)


class Marker:
    """Tells which words of a text are forms of the query's words."""

    def __init__(self, words: list[Word]) -> None:
        self.terms = frozenset().union(*(word.all_terms for word in words))
        self._known: dict[str, bool] = {}
        # Running text's tokens as they stand, punctuation and all: a page's
        # snippets ask about the same few hundred again and again.
        self._raw: dict[str, bool] = {}

    def matches(self, token: str) -> bool:
        known = self._known.get(token)
        if known is None:
            found = analysis.analyse_word(token) if token else None
            known = found is not None and not found.all_terms.isdisjoint(self.terms)
            self._known[token] = known
        return known

    def highlight(self, text: str) -> SafeString:
        """`text`, escaped, with every form of the query's words in <mark>."""
        parts = []
        for token in TOKEN.findall(text):
            if token[0].isalnum() and self.matches(token):
                parts.append(f"<mark>{escape(token)}</mark>")
            else:
                parts.append(escape(token))
        return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)

    def snippet(self, text: str) -> SafeString:
        """The stretch of `text` (about 32 words) holding most of the query's
        words, highlighted; the text's opening if none is found."""
        tokens = text[:SNIPPET_SOURCE].split()
        if not tokens:
            return mark_safe("")
        raw = self._raw
        hits = []
        for i, token in enumerate(tokens):
            known = raw.get(token)
            if known is None:
                known = raw[token] = self.matches(token.strip(EDGES))
            if known:
                hits.append(i)
        start = 0
        if hits:
            # The hit opening the window of SNIPPET_WORDS with most hits in
            # it, the earliest of equals.
            counts = [
                bisect.bisect_left(hits, i + SNIPPET_WORDS, n) - n
                for n, i in enumerate(hits)
            ]
            best = hits[counts.index(max(counts))]
            start = max(0, best - 6)
        shown = self.highlight(" ".join(tokens[start : start + SNIPPET_WORDS]))
        prefix = "… " if start > 0 else ""
        suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
        return mark_safe(prefix + shown + suffix)  # noqa: S308 (escaped above)
