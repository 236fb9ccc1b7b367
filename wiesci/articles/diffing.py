"""A word-level diff of two versions of an article's text, for the newsroom.

Words are compared, not lines or characters: a changed word shows whole, as
struck through and as inserted, and paragraphs stay paragraphs. Long
unchanged stretches are shortened to their ends, so that a one-word fix in a
long story is found at a glance.
"""

from __future__ import annotations

import difflib
import re
from html import escape

from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

PARAGRAPH = "\n"
# Unchanged words kept on each side of a change; a longer run is shortened.
CONTEXT_WORDS = 12
BLOCK_ENDS = re.compile(r"</(p|li|h[1-6]|blockquote|figcaption)>|<br\s*/?>", re.I)


def words(value: str) -> list[str]:
    """The text's words, with a PARAGRAPH token between paragraphs."""
    text = strip_tags(BLOCK_ENDS.sub("\n", value))
    tokens: list[str] = []
    for paragraph in (line.split() for line in text.splitlines()):
        if paragraph:
            if tokens:
                tokens.append(PARAGRAPH)
            tokens += paragraph
    return tokens


def _text(tokens: list[str]) -> str:
    out = []
    for token in tokens:
        out.append("<br>" if token == PARAGRAPH else escape(token))
    return " ".join(out).replace(" <br> ", "<br>")


def _shortened(tokens: list[str], *, first: bool, last: bool) -> str:
    keep = CONTEXT_WORDS
    if len(tokens) <= 2 * keep + 1:
        return _text(tokens)
    head = [] if first else tokens[:keep]
    tail = [] if last else tokens[-keep:]
    return " ".join(part for part in (_text(head), "…", _text(tail)) if part)


def word_diff(before: str, after: str) -> SafeString:
    """`before` → `after` as HTML: removed words in <del>, added in <ins>."""
    old, new = words(before), words(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    parts = []
    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            parts.append(
                _shortened(
                    old[i1:i2], first=number == 0, last=number == len(opcodes) - 1
                )
            )
            continue
        if i2 > i1:
            parts.append(f"<del>{_text(old[i1:i2])}</del>")
        if j2 > j1:
            parts.append(f"<ins>{_text(new[j1:j2])}</ins>")
    return mark_safe(" ".join(parts))  # noqa: S308 (every word escaped above)
