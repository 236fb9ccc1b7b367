"""`{% fragment %}`: a cached template fragment, rendered once at a time.

Written as `{% cache %}` is (`{% fragment seconds name vary_on… %}` …
`{% endfragment %}`), kept in the default cache. A
miss claims the key first (the cache's `add`: atomic in Redis and within
one process; on files two renders may slip through at the same instant);
whoever asks for the fragment while it is being rendered waits for what the
holder stores, for at most WAIT_SECONDS, and renders it only if nothing
came. After a purge of everything, a fragment that every page shows (the
menu, the breaking-news bar, the lists) is then rendered once, not once per
page being rendered at that moment.

A key names one version of its fragment for good (the versions in it move
on every change), so each worker process also keeps what it read in memory
and answers from there for FRAGMENT_MEMORY_SECONDS, sparing the shared cache
(a file or a Redis round trip, and unpickling) on every render.
"""

from __future__ import annotations

import time
from typing import Any

from django import template
from django.core.cache import caches
from django.template.base import FilterExpression, NodeList, Parser, Token

from wiesci import conf

register = template.Library()

# A claim lapses after CLAIM_SECONDS if its holder dies; others wait up to
# WAIT_SECONDS for the fragment, asking every POLL_SECONDS.
CLAIM_SECONDS = 10
WAIT_SECONDS = 3.0
POLL_SECONDS = 0.01
# Fragments this process has read or rendered: key -> (until, text).
MEMORY_ENTRIES = 2000
_memory: dict[str, tuple[float, str]] = {}
_now = time.monotonic  # the memory's clock (tests move it)


def recall(key: str) -> str | None:
    """What this process remembers under `key` (a versioned key), if anything."""
    kept = _memory.get(key)
    if kept is None:
        return None
    if kept[0] <= _now():
        del _memory[key]
        return None
    return kept[1]


def remember(key: str, text: str) -> str:
    """Keep `text` under `key` (a versioned key) for FRAGMENT_MEMORY_SECONDS."""
    seconds = conf.FRAGMENT_MEMORY_SECONDS
    if seconds > 0:
        if len(_memory) >= MEMORY_ENTRIES:
            _memory.clear()
        _memory[key] = (_now() + seconds, text)
    return text


class FragmentNode(template.Node):
    def __init__(
        self,
        nodelist: NodeList,
        seconds: FilterExpression,
        name: str,
        vary_on: list[FilterExpression],
    ) -> None:
        self.nodelist = nodelist
        self.seconds = seconds
        self.name = name
        self.vary_on = vary_on

    def render(self, context: template.Context) -> str:
        store = caches["default"]
        # The fragment's name and versions as they are: short, and cheaper
        # than hashing them as {% cache %} does.
        key = ":".join(
            ["fragment", self.name, *(str(v.resolve(context)) for v in self.vary_on)]
        )
        known = recall(key)
        if known is not None:
            return known
        found = store.get(key)
        if found is not None:
            return remember(key, str(found))
        claim = f"{key}:claim"
        held = store.add(claim, 1, CLAIM_SECONDS)
        if not held:
            found = _wait_for(store, key, claim)
            if found is not None:
                return remember(key, found)
        try:
            text = self.nodelist.render(context)
            store.set(key, text, int(self.seconds.resolve(context)))
        finally:
            if held:
                store.delete(claim)
        return remember(key, text)


def _wait_for(store: Any, key: str, claim: str) -> str | None:
    """The fragment the claim's holder stores, or None once it is done
    without one (its render failed) or after WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = store.get(key)
        if found is not None:
            return str(found)
        if store.get(claim) is None:  # done: stored just now, or failed
            return _text(store.get(key))
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@register.tag("fragment")
def do_fragment(parser: Parser, token: Token) -> FragmentNode:
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    words = token.split_contents()
    if len(words) < 3:
        raise template.TemplateSyntaxError(
            f"'{words[0]}' takes a lifetime in seconds and a fragment name"
        )
    return FragmentNode(
        nodelist,
        parser.compile_filter(words[1]),
        words[2],
        [parser.compile_filter(word) for word in words[3:]],
    )
