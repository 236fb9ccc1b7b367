"""Readers' pages of official notices and the issuer's proof of publication."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve

from wiesci.articles.views import paginate
from wiesci.notices.models import Notice, NoticeAttachment

PAGINATED = {"notices:current", "notices:archive"}


def is_paginated(path: str) -> bool:
    try:
        return resolve(path).view_name in PAGINATED
    except Resolver404:
        return False


def for_lists(notices: Any) -> Any:
    return notices.for_lists().prefetch_related(
        Prefetch(
            "attachments", queryset=NoticeAttachment.objects.only("notice_id", "pk")
        )
    )


def current(request: HttpRequest) -> HttpResponse:
    notices = for_lists(Notice.objects.current()).newest_first()
    return render(
        request,
        "notices/notice_list.html",
        {"page": paginate(request, notices), "archive": False},
    )


def archive(request: HttpRequest) -> HttpResponse:
    notices = for_lists(Notice.objects.archived()).order_by("-until_at", "-pk")
    return render(
        request,
        "notices/notice_list.html",
        {"page": paginate(request, notices), "archive": True},
    )


def _readable(slug: str) -> Notice:
    return get_object_or_404(
        Notice.objects.readable()
        .select_related("issuer")
        .prefetch_related("attachments", "places"),
        slug=slug,
    )


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    notice = _readable(slug)
    return render(
        request,
        "notices/notice_detail.html",
        {"notice": notice, "is_current": notice.is_current()},
    )


def proof(request: HttpRequest, slug: str) -> HttpResponse:
    """The printable proof: every step with its time and hashes."""
    notice = _readable(slug)
    entries = list(notice.proof.select_related("by").order_by("at", "pk"))
    intact = all(
        entry.digest == entry.compute_digest()
        and entry.previous == (entries[n - 1].digest if n else "")
        for n, entry in enumerate(entries)
    )
    return render(
        request,
        "notices/notice_proof.html",
        {
            "notice": notice,
            "entries": entries,
            "intact": intact,
            "is_current": notice.is_current(),
        },
    )


def text(request: HttpRequest, slug: str) -> HttpResponse:
    """The exact text the proof hashes, to check with any SHA-256 tool."""
    notice = _readable(slug)
    response = HttpResponse(
        notice.proof_text(), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{notice.slug}.txt"'
    return response


SITEMAP_NOTICES = 5000


def sitemap_pages() -> list[tuple[str, Any]]:
    """The notice lists and the newest notices, for the sitemap: two queries."""
    from django.db.models import Max
    from django.urls import reverse

    notices = Notice.objects.readable().newest_first()
    newest = notices.aggregate(last=Max("modified_at"))["last"]
    found: list[tuple[str, Any]] = [
        (reverse("notices:current"), newest),
        (reverse("notices:archive"), newest),
    ]
    for slug, modified in notices.values_list("slug", "modified_at")[:SITEMAP_NOTICES]:
        found.append((reverse("notices:detail", kwargs={"slug": slug}), modified))
    return found
