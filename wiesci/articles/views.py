"""Reader pages: parse the request, ask the queryset or access layer, render."""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, Model, OuterRef, Prefetch
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from wiesci import conf
from wiesci.articles import access, caching, readership
from wiesci.articles.access import (
    ArticleMoved,
    ArticleWithdrawn,
    get_article_for_viewer,
)
from wiesci.articles.models import (
    Article,
    ArticleQuerySet,
    Author,
    Correction,
    NewestFirst,
)
from wiesci.core import pagecache
from wiesci.taxonomy.models import Organisation, Place, Section, Tag

PAGE_PARAMETER = pagecache.PAGE_PARAMETER
# The pages with numbered pages (`?strona=2`); see `is_paginated`.
PAGINATED = {
    "articles:latest",
    "articles:corrections",
    "articles:section",
    "articles:tag",
    "articles:place",
    "articles:organisation",
    "articles:author",
}

# Apps above this one (comments) extend the article page by registering a
# template that extends "articles/article_detail.html"; the first one wins.
ARTICLE_TEMPLATES: list[str] = ["articles/article_detail.html"]


def register_article_template(name: str) -> None:
    if name not in ARTICLE_TEMPLATES:
        ARTICLE_TEMPLATES.insert(0, name)


# What apps above add to a page, by the page's name: "article_top" (in the
# story, between its lead and its body), "article" (inside the story, before
# its filing), "place" and "organisation" (after the news). Each
# template reads what it shows through its own template tags, in a fixed
# number of queries, and is cached with the page.
PAGE_PARTS: dict[str, list[str]] = {
    "article_top": [],
    "article": [],
    "place": [],
    "organisation": [],
}


def register_page_part(page: str, name: str) -> None:
    if name not in PAGE_PARTS[page]:
        PAGE_PARTS[page].append(name)


def is_paginated(path: str) -> bool:
    """Whether the page at `path` lists stories over numbered pages."""
    try:
        return resolve(path).view_name in PAGINATED
    except Resolver404:
        return False


# How far back the numbered lists reach (2,000 stories at 20 a page). Older
# stories keep their addresses and are found through search, so that no page
# reads further into the archive than this, however large it grows.
MAX_PAGES = 100


def paginate(request: HttpRequest, queryset: Any, *, per_page: int = 0) -> Any:
    """The requested page of `queryset` (conf.PAGE_SIZE rows unless told);
    an address past the end is a 404."""
    paginator = Paginator(queryset, per_page or conf.PAGE_SIZE)
    try:
        return paginator.page(request.GET.get(PAGE_PARAMETER, 1))
    except (EmptyPage, PageNotAnInteger):
        raise Http404 from None


def paginate_stories(
    request: HttpRequest,
    stories: ArticleQuerySet,
    *,
    filed: tuple[str, Model] | None = None,
) -> Any:
    """The requested page of public `stories` newest first (filed under
    `filed`, a relation and its item), reaching MAX_PAGES back: an address
    further back is a 404, as one past the end, and the last page says where
    older stories are (`page.paginator.object_list.truncated`)."""
    per_page = conf.PAGE_SIZE
    newest = NewestFirst(stories, reach=MAX_PAGES * per_page, filed=filed)
    page = paginate(request, newest, per_page=per_page)
    # A long filed list is counted by its filings, which drafts may inflate.
    if page.number > 1 and not page.object_list:
        raise Http404
    return page


def paginate_filed(request: HttpRequest, relation: str, item: Model) -> Any:
    """The requested page of the public stories filed under `item`."""
    return paginate_stories(
        request, Article.objects.published(), filed=(relation, item)
    )


def home(request: HttpRequest) -> HttpResponse:
    # Queried only when the cached lists (keyed by `lists_version`) are stale.
    lists = SimpleLazyObject(home_lists)
    return render(request, "articles/home.html", {"lists": lists})


def home_lists() -> dict[str, Any]:
    """The featured story, the latest news and a block per section.

    Ids are chosen first, on indexed columns alone, each list reading only as
    many rows as it shows however many stories the portal holds; only the
    chosen rows are then loaded with everything a list item shows.
    """
    newest = Article.objects.published().newest_first().values_list("pk", flat=True)
    featured_pk = newest.filter(is_featured=True).first() or newest.first()
    shown = [] if featured_pk is None else [featured_pk]
    # Pinned stories stay on top of the latest news until their time runs out.
    pinned = caching.marks().pinned()
    latest_ids = [pk for pk in pinned if pk not in shown][: conf.LATEST_ON_HOME]
    latest_ids += newest.exclude(pk__in=[*shown, *latest_ids])[
        : conf.LATEST_ON_HOME - len(latest_ids)
    ]
    block_ids = Article.objects.newest_per_section(
        conf.SECTION_BLOCK_SIZE, sections=Section.objects.filter(on_home_page=True)
    )
    chosen = {
        article.pk: article
        for article in Article.objects.list_items([*shown, *latest_ids, *block_ids])
    }
    blocks: dict[Section, list[Article]] = {}
    for pk in block_ids:
        if pk in chosen:
            blocks.setdefault(chosen[pk].section, []).append(chosen[pk])
    return {
        "featured": chosen.get(featured_pk) if featured_pk is not None else None,
        "latest": [chosen[pk] for pk in latest_ids if pk in chosen],
        "section_blocks": sorted(
            blocks.items(), key=lambda item: (item[0].position, item[0].name)
        ),
    }


def latest(request: HttpRequest) -> HttpResponse:
    page = paginate_stories(request, Article.objects.published())
    return render(request, "articles/latest.html", {"page": page})


def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        article = get_article_for_viewer(slug)
    except ArticleMoved as moved:
        return HttpResponsePermanentRedirect(moved.url)
    except ArticleWithdrawn as withdrawn:
        return render(
            request,
            "articles/article_withdrawn.html",
            {"article": withdrawn.article},
            status=410,
        )
    return render_article(request, article)


def render_article(
    request: HttpRequest,
    article: Article,
    *,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The article page; apps above (comments) add to its context through `extra`."""
    # Read only when the cached "other news" fragment must be made again.
    others = SimpleLazyObject(lambda: other_stories(article))
    context = {
        "article": article,
        "others": others,
        "top_parts": PAGE_PARTS["article_top"],
        "page_parts": PAGE_PARTS["article"],
        **(extra or {}),
    }
    return render(request, ARTICLE_TEMPLATES, context, status=status)


def other_stories(article: Article) -> list[Article]:
    """The newest public stories but `article`, for its page."""
    newest = Article.objects.published().exclude(pk=article.pk).newest_first()
    ids = newest.values_list("pk", flat=True)[: conf.OTHER_STORIES]
    return Article.objects.list_items(list(ids))


@csrf_exempt
@require_POST
def read_beacon(request: HttpRequest) -> HttpResponse:
    """An article page's beacon, when no page-cache layer answered it."""
    readership.on_beacon(request.META, request.body[: pagecache.MAX_BEACON_BODY])
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Any article as readers would see it, for the newsroom; 404 for anyone else."""
    article = access.get_article_for_preview(pk, request.user)
    response = render_article(request, article, extra={"preview": True})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
def shared_preview(request: HttpRequest, token: str) -> HttpResponse:
    """An unpublished article opened by a signed, expiring share link."""
    article = access.get_article_for_share_token(token)
    if article.is_public:
        return HttpResponseRedirect(article.get_absolute_url())
    response = render_article(request, article, extra={"preview": True})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def corrections(request: HttpRequest) -> HttpResponse:
    """Every correction and update note, newest first, with its article."""
    notes = (
        # Asked per note (a few), not by listing every public story first.
        Correction.objects.filter(
            Exists(Article.objects.published().filter(pk=OuterRef("article_id")))
        )
        # The articles with what their markers need, in one query per page.
        .prefetch_related(Prefetch("article", queryset=Article.objects.for_lists()))
        .order_by("-created_at", "-pk")
    )
    return render(
        request, "articles/corrections.html", {"page": paginate(request, notes)}
    )


def section(request: HttpRequest, slug: str) -> HttpResponse:
    section = get_object_or_404(Section, slug=slug)
    return render(
        request,
        "articles/section.html",
        {
            "section": section,
            "page": paginate_stories(
                request, Article.objects.published().in_section(section)
            ),
        },
    )


def tag(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    return render(
        request,
        "articles/tag.html",
        {"tag": tag, "page": paginate_filed(request, "tags", tag)},
    )


def place(request: HttpRequest, slug: str) -> HttpResponse:
    place = get_object_or_404(Place, slug=slug)
    return render(
        request,
        "articles/place.html",
        {
            "place": place,
            "page": paginate_filed(request, "places", place),
            "organisations": place.organisations.all(),
            "page_parts": PAGE_PARTS["place"],
        },
    )


def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = get_object_or_404(
        Organisation.objects.select_related("place"), slug=slug
    )
    return render(
        request,
        "articles/organisation.html",
        {
            "organisation": organisation,
            "partners": organisation.partners.select_related("place"),
            "page": paginate_filed(request, "organisations", organisation),
            "page_parts": PAGE_PARTS["organisation"],
        },
    )


def author(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    return render(
        request,
        "articles/author.html",
        {"author": author, "page": paginate_filed(request, "authors", author)},
    )
