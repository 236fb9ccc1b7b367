"""What makes two requests the same page: scheme, host and the query
parameters a page reads, each in a canonical form, so that no header or
parameter a visitor makes up can add an entry; and the language and
catalogues pages are rendered in."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

# The one query parameter that changes what a page shows, on the pages that
# registered as paginated; anything else (fbclid, utm_*) is ignored, so links
# shared on Facebook all hit one entry.
PAGE_PARAMETER = "strona"
# Page numbers as links write them: from 2 (the first page has no number).
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,5}")

Pairs = list[tuple[str, str]]


@dataclass(frozen=True)
class Parameters:
    """The query parameters the pages at some paths read, and their canonical
    form: `canonical(pairs)` gets the request's pairs of these names (blank
    values left out) and returns the pairs the page is stored and linked by."""

    applies: Callable[[str], bool]
    names: frozenset[str]
    canonical: Callable[[Pairs], Pairs]


_rules: list[Parameters] = []


def register_parameters(
    applies: Callable[[str], bool],
    names: Iterable[str],
    canonical: Callable[[Pairs], Pairs],
) -> None:
    """Let the pages at the paths `applies(path)` accepts read `names`.

    Anywhere else every parameter is ignored. A request whose parameters are
    not in their canonical form is sent to it (301) rather than stored.
    """
    _rules.append(Parameters(applies, frozenset(names), canonical))
    _rule_memo.clear()


def register_paginated(predicate: Callable[[str], bool]) -> None:
    """`predicate(path)` tells whether the page at `path` has numbered pages.

    Only there does `strona` count: anywhere else it is ignored, so that no
    page number makes a new copy of a page that has one page only.
    """
    register_parameters(predicate, [PAGE_PARAMETER], page_number)


def page_number(pairs: Pairs) -> Pairs:
    """`strona=N` as links write it (N from 2), or nothing: any other form
    (`abc`, `01`, `1`, twice) names the first page."""
    numbers = [value for name, value in pairs if name == PAGE_PARAMETER]
    if len(numbers) == 1 and PAGE_NUMBER.fullmatch(numbers[0]) and numbers[0] != "1":
        return [(PAGE_PARAMETER, numbers[0])]
    return []


@dataclass(frozen=True)
class Canon:
    """What a request may say and still be a page of this portal, from the settings.

    hosts: the host names listed in WIESCI_ALLOWED_HOSTS and WIESCI_SITE_URL
    (a wildcard such as `.example.pl` lets Django answer its subdomains,
    uncached); ports: those besides 80 and 443 that a Host header may name;
    proxy_header: the header saying https, when a trusted proxy sends it;
    version: the language and catalogues pages are rendered in.
    """

    hosts: frozenset[str]
    ports: frozenset[str]
    proxy_header: tuple[str, str] | None
    version: str


_canon: Canon | None = None


def reset() -> None:
    """Read the rules from the settings again (tests change them)."""
    global _canon
    _canon = None


def canon() -> Canon:
    global _canon
    if _canon is None:
        from django.conf import settings

        from wiesci.core import catalogs

        site = urlsplit(settings.SITE_URL)
        hosts = {h.lower() for h in settings.ALLOWED_HOSTS if h != "*" and h[:1] != "."}
        ports = {str(site.port)} if site.port else set()
        _canon = Canon(
            hosts=frozenset(hosts | {(site.hostname or "").lower()}),
            ports=frozenset(ports),
            proxy_header=getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
            version=catalogs.version(),
        )
    return _canon


_rule_memo: dict[str, Parameters | None] = {}


def rule_for(path: str) -> Parameters | None:
    known = _rule_memo.get(path, False)
    if known is False:
        if len(_rule_memo) >= 10_000:
            _rule_memo.clear()
        known = _rule_memo[path] = next(
            (rule for rule in _rules if rule.applies(path)), None
        )
    return known  # type: ignore[return-value]


def is_paginated(path: str) -> bool:
    rule = rule_for(path)
    return rule is not None and PAGE_PARAMETER in rule.names


def page_query(path: str, query_string: str) -> tuple[str, bool]:
    """The query that names the page at `path`, and whether the request wrote
    it so: ("strona=2", True); ("", False) for `?strona=abc`, which is then
    sent to the first page rather than stored as a page of its own."""
    rule = rule_for(path) if query_string else None
    if rule is None:
        return "", True
    asked = [
        (name, value)
        for name, value in parse_qsl(query_string, keep_blank_values=True)
        if name in rule.names and value.strip()
    ]
    canonical = rule.canonical(asked)
    return urlencode(canonical), asked == canonical


def canonical_host(environ: dict[str, Any], scheme: str, rules: Canon) -> str | None:
    """The Host a request is answered for, or None for a name not ours.

    The name is lower-cased; a port is kept only when the portal listens on
    it or its address names it, so `Host: example.pl:1` is answered (and
    stored) as `example.pl`.
    """
    from django.http.request import split_domain_port

    raw = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    name, port = split_domain_port(raw)
    if name not in rules.hosts:
        return None
    default = "443" if scheme == "https" else "80"
    if (
        port
        and port != default
        and (port == environ.get("SERVER_PORT") or port in rules.ports)
    ):
        return f"{name}:{port}"
    return name


def request_scheme(environ: dict[str, Any], rules: Canon) -> str:
    """http or https, as Django will see it: the proxy's word only if trusted."""
    scheme = "https" if environ.get("wsgi.url_scheme") == "https" else "http"
    if rules.proxy_header is not None:
        header, secure = rules.proxy_header
        value = environ.get(header)
        if value is not None:
            scheme = "https" if value.split(",", 1)[0].strip() == secure else "http"
    return scheme
