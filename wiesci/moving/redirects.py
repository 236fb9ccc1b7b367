"""Old addresses answered with a 301 to their new page.

WordPress links look like `/?p=123`, `/2019/05/dozynki/`, `/dozynki/`,
`/category/sport/` or `/dozynki/feed/`. Query forms are looked up before any
view runs (the home page would otherwise answer them); a path is looked up
only when nothing here answers it (a 404). The page cache stores the 301s
like pages: `/?p=123` is a page of its own for it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from wiesci.moving.models import Redirect

# The query parameters WordPress addresses use at the site's root.
QUERY_NAMES = ("p", "page_id", "attachment_id", "cat", "tag", "feed")
Pairs = list[tuple[str, str]]


def is_root(path: str) -> bool:
    return path == "/"


def canonical_query(pairs: Pairs) -> Pairs:
    """The first WordPress parameter as written; nothing else counts."""
    for name, value in pairs:
        if name in QUERY_NAMES and value:
            return [(name, value)]
    return []


def _query_of(request: HttpRequest) -> str:
    pairs = canonical_query(
        [(name, value) for name in request.GET for value in request.GET.getlist(name)]
    )
    return f"{pairs[0][0]}={pairs[0][1]}" if pairs else ""


def lookup(path: str, query: str = "") -> str | None:
    found = (
        Redirect.objects.filter(path=path, query=query)
        .values_list("target", flat=True)
        .first()
    )
    return str(found) if found else None


class RedirectMiddleware:
    """Sends old addresses on; everything else passes untouched."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = _query_of(request) if request.path == "/" else ""
        if query:
            # An old link to a post that never came in still finds the portal,
            # at one address: no copy of the home page per unknown number.
            return HttpResponsePermanentRedirect(lookup("/", query) or "/")
        response = self.get_response(request)
        if response.status_code == 404:
            target = lookup(request.path)
            if target:
                return HttpResponsePermanentRedirect(target)
        return response
