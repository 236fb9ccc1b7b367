"""The readers' search page: /szukaj/?q=…&dzial=…&miejscowosc=…&od=…&do=…"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from wiesci import conf
from wiesci.articles.models import Article
from wiesci.core import pagecache
from wiesci.search import snippets
from wiesci.search.models import SearchEntry
from wiesci.search.query import Filters, search_articles
from wiesci.taxonomy.models import Place, Section

PARAMETERS = ("q", "dzial", "miejscowosc", "od", "do", pagecache.PAGE_PARAMETER)
SLUG = re.compile(r"[a-z0-9-]{1,160}")
MAX_QUERY = 200


def is_search_page(path: str) -> bool:
    return path == reverse("search:results")


def _iso_date(value: str) -> str | None:
    try:
        return date.fromisoformat(value).isoformat() if len(value) == 10 else None
    except ValueError:
        return None


def canonical_query(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The search page's parameters as its links write them, in one order.

    The words as typed (Unicode NFC, spaces collapsed, at most 200
    characters), known kinds of filter only, a date only as YYYY-MM-DD, the
    page number as lists write it. The page cache stores results under this
    form, and sends any other spelling of the same search to it.
    """
    given: dict[str, str] = {}
    for name, value in pairs:
        given.setdefault(name, value)
    canonical = []
    words = " ".join(unicodedata.normalize("NFC", given.get("q", "")).split())
    if words:
        canonical.append(("q", words[:MAX_QUERY].strip()))
    for name in ("dzial", "miejscowosc"):
        if SLUG.fullmatch(given.get(name, "")):
            canonical.append((name, given[name]))
    for name in ("od", "do"):
        day = _iso_date(given.get(name, ""))
        if day:
            canonical.append((name, day))
    return canonical + pagecache.page_number(pairs)


def results(request: HttpRequest) -> HttpResponse:
    asked = [
        (name, value)
        for name in PARAMETERS
        for value in request.GET.getlist(name)
        if value.strip()
    ]
    query = dict(canonical_query(asked))
    # Looked up only when asked for: most searches filter by nothing.
    section = place = None
    if "dzial" in query:
        section = Section.objects.filter(slug=query["dzial"]).first()
    if "miejscowosc" in query:
        place = Place.objects.filter(slug=query["miejscowosc"]).first()
    since = query.get("od")
    until = query.get("do")
    filters = Filters(
        section=section,
        place=place,
        since=_start_of(since) if since else None,
        until=_start_of(until) + timedelta(days=1) if until else None,
    )
    text = query.get("q", "")
    found = search_articles(text, filters=filters) if text else None
    context: dict[str, Any] = {
        "query": text,
        "filters": filters,
        "since": since or "",
        "until": until or "",
        "sections": Section.objects.only("name", "slug"),
        "found": found,
    }
    if found is not None and found.ranked:
        paginator = Paginator(found.ranked, conf.PAGE_SIZE)
        try:
            page = paginator.page(int(query.get(pagecache.PAGE_PARAMETER, 1)))
        except EmptyPage:
            raise Http404 from None
        ids = list(page.object_list)
        chosen = {
            a.pk: a for a in Article.objects.published().for_lists().filter(pk__in=ids)
        }
        texts = dict(
            SearchEntry.objects.filter(article_id__in=ids).values_list(
                "article_id", "text"
            )
        )
        marker = snippets.Marker(found.words)
        context["page"] = page
        context["hits"] = [
            {
                "article": chosen[pk],
                "title": marker.highlight(chosen[pk].title),
                "snippet": marker.snippet(texts.get(pk, "")),
            }
            for pk in ids
            if pk in chosen
        ]
        context["page_link"] = _page_link(query)
    return render(request, "search/results.html", context)


def _start_of(day: str) -> datetime:
    return timezone.make_aware(datetime.combine(date.fromisoformat(day), time.min))


def _page_link(query: dict[str, str]) -> str:
    """The results' address without its page number, for the page links."""
    from urllib.parse import urlencode

    kept = [(k, v) for k, v in query.items() if k != pagecache.PAGE_PARAMETER]
    return urlencode(kept)
