"""The full-page cache: anonymous reads answered before Django runs.

A thin WSGI layer in front of Django (`wiesci.wsgi.application`). A GET or
HEAD without a session cookie is looked up by scheme, host, path and the
query parameters pages use; a hit is answered from the store, in the encoding
the reader accepts (stored once each: identity, gzip, Brotli), with ETag and
Last-Modified and a 304 for a matching conditional request. A miss goes to
Django; what comes back is stored when it is safe to share: no cookie set, not
marked private, a status worth keeping. A response's own Cache-Control
max-age and s-maxage are kept with its entry and cap what browsers and
proxies are told (a live feed polled every few seconds asks for little).

The store is shared by every worker process: files under the data directory
by default (one machine), Redis when WIESCI_CACHE_URL names one (any number of
app servers). Content changes purge it through `purge_paths()` (one
article's pages) or `purge_all()` (a new generation, used when lists
everywhere change); apps call these from their signals. Entries also expire
on their own, at the latest when the next scheduled article goes out (see
`register_expiry`).

A miss renders its page once per store, however many readers ask for it at
that moment: the first claims the page (a file lock, or a Redis key that
lapses). The others are answered the copy it replaces (`X-Cache: STALE`) if
that went stale less than a few seconds ago (`PAGE_STALE_BOUND_SECONDS`);
otherwise they wait for the entry it stores, for at most a few seconds, then
render for themselves. After a purge on a busy page, one render refills it
and no reader is held up. The fragments pages are made of (`{% fragment %}`
in core.templatetags.fragments) are rendered once at a time the same way.

"Stale since" is the moment of the purge or the expiry itself, not when a
process noticed, so no copy is answered later than the bound after it
stopped being current: beside each count the store keeps the moment of its
latest purge. As only the latest is known, a copy is answered stale only
when at most one purge of its path and one of everything came after it;
after two in a row readers wait. Files keep the stale copy in each process's
memory; Redis keeps a purged entry for the bound instead of deleting it. A
stale answer may be kept in front only for what remains of the bound.

Every entry carries the ticket it was rendered under: the generation and the
purge count of its path, read before Django ran. A purge moves them on, so a
page rendered before a purge and stored after it is never served.

Logged-in readers never touch the store, and their responses are marked
private so that nothing in front keeps them either; the exception is the
paths registered with `register_shared`, whose answers never depend on the
reader and are looked up and stored for everyone.
"""

from wiesci.core.pagecache.due import next_moment, until_next
from wiesci.core.pagecache.entries import Entry, Lifetimes, Ticket
from wiesci.core.pagecache.keys import (
    PAGE_PARAMETER,
    Canon,
    canon,
    is_paginated,
    page_number,
    page_query,
    register_paginated,
    register_parameters,
)
from wiesci.core.pagecache.stores import (
    PROXY_ENCODINGS,
    FileStore,
    RedisStore,
    fragment_generation,
    purge_all,
    purge_paths,
    reset_store,
    store,
)
from wiesci.core.pagecache.wsgi import (
    BROTLI_QUALITY,
    GZIP_LEVEL,
    MAX_BEACON_BODY,
    PageCache,
    register_beacon,
    register_expiry,
    register_shared,
)

__all__ = [
    "BROTLI_QUALITY",
    "GZIP_LEVEL",
    "MAX_BEACON_BODY",
    "PAGE_PARAMETER",
    "PROXY_ENCODINGS",
    "Canon",
    "Entry",
    "FileStore",
    "Lifetimes",
    "PageCache",
    "RedisStore",
    "Ticket",
    "canon",
    "fragment_generation",
    "is_paginated",
    "next_moment",
    "page_number",
    "page_query",
    "purge_all",
    "purge_paths",
    "register_beacon",
    "register_expiry",
    "register_paginated",
    "register_parameters",
    "register_shared",
    "reset_store",
    "store",
    "until_next",
]
