"""Who may see which article: the only door readers have to articles."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db import connections, router
from django.db.models import Q, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.http import Http404
from django.utils import timezone

from wiesci.articles.models import Article, ArticleSlug, GalleryItem
from wiesci.photos.models import Photo, Video


class ArticleMoved(Exception):
    """The slug is a former one; the article lives at `url` now."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class ArticleWithdrawn(Exception):
    """The article was published and then withdrawn by the newsroom."""

    def __init__(self, article: Article) -> None:
        super().__init__(article.slug)
        self.article = article


# One-to-one relations apps above keep beside an article and show on its
# page (live coverage), joined to the page's query: see `register_page_relation`.
PAGE_RELATIONS: list[str] = []


def register_page_relation(name: str) -> None:
    """Read the article's one-to-one relation `name` with its page's query:
    an app's part of the page then costs no query of its own to learn that
    the article has none. Register in `ready()`, before any page is read."""
    if name not in PAGE_RELATIONS:
        PAGE_RELATIONS.append(name)


def page_queryset() -> QuerySet[Article]:
    """An article with what its page needs on every render, in one query.

    The rest (markers, gallery, videos, places, tags…) is read only when the
    page's cached fragments have to be rendered again, one query per relation.
    """
    return Article.objects.select_related("section", "main_photo", *PAGE_RELATIONS)


def _with_page_relations(pk: int) -> Article:
    return page_queryset().get(pk=pk)


# Stands for the slug while the article page's query is compiled.
_SLUG = "\x00slug\x00"


@dataclass(frozen=True)
class _PageQuery:
    """`page_queryset()` by slug, compiled once per process and database.

    The article page runs this query on every view past the page cache, and
    the ORM's compiling of it (the joins, the columns, the quoting) cost
    more than the rest of the request's SQL work together: a fifth of the
    page's CPU with its fragments warm. Only the slug changes between views,
    so the SQL, its parameters and what turns a row into an article with its
    section and main photo (the compiler's converters, the select_related
    populators, as Django's ModelIterable uses them) are kept.
    """

    sql: str
    params: tuple[Any, ...]
    slot: int
    compiler: Any
    converters: dict[int, Any]
    fields: list[str]
    start: int
    end: int
    populators: list[Any]

    @classmethod
    def compile(cls, using: str) -> _PageQuery | None:
        query = page_queryset().filter(slug=_SLUG).query
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if list(params).count(_SLUG) != 1:
            return None  # not a plain parameter: let the ORM run it
        info, select = compiler.klass_info, compiler.select
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        return cls(
            sql=sql,
            params=tuple(params),
            slot=list(params).index(_SLUG),
            compiler=compiler,
            converters=compiler.get_converters(
                [column[0] for column in select[: compiler.col_count]]
            ),
            fields=[column[0].target.attname for column in select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(info, select, using),
        )

    def get(self, using: str, slug: str) -> Article | None:
        params = list(self.params)
        params[self.slot] = slug
        with connections[using].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchmany(2)
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        for row in rows:
            article = Article.from_db(using, self.fields, row[self.start : self.end])
            for populator in self.populators:
                populator.populate(row, article)
            return article
        return None


_compiled: dict[str, _PageQuery | None] = {}


def _page_article(slug: str) -> Article | None:
    """The article at `slug` (current), as `page_queryset()` reads it."""
    using = router.db_for_read(Article)
    if using not in _compiled:
        _compiled[using] = _PageQuery.compile(using)
    compiled = _compiled[using]
    if compiled is None:
        return page_queryset().filter(slug=slug).first()
    return compiled.get(using, slug)


def get_article_for_viewer(slug: str) -> Article:
    """Return the public article at `slug` with everything its page shows.

    Raises Http404 for anything a reader may not see (a draft, a story
    scheduled for later, an unknown slug, one withdrawn before readers ever
    saw it), so guessing a slug never reveals an unpublished article;
    ArticleMoved for a former slug of a public article; ArticleWithdrawn for
    a withdrawn article that readers saw.
    """
    article = _page_article(slug)
    if article is None:
        former = ArticleSlug.objects.select_related("article").filter(slug=slug).first()
        if former is not None and former.article.is_public:
            raise ArticleMoved(former.article.get_absolute_url())
        raise Http404
    if article.is_public:
        return article
    if article.status == Article.Status.WITHDRAWN and article.has_been_public:
        raise ArticleWithdrawn(article)
    raise Http404


# --- The newsroom ------------------------------------------------------------


def can_publish(user: Any) -> bool:
    """Editors publish, schedule and withdraw; journalists do not."""
    return bool(user.is_active and user.has_perm("articles.publish_article"))


def can_write(user: Any) -> bool:
    """Journalists and editors start articles."""
    return bool(
        user.is_active and user.is_staff and user.has_perm("articles.add_article")
    )


def can_edit(user: Any, article: Article) -> bool:
    """Editors edit any article; a journalist only their own draft."""
    if not (user.is_active and user.is_staff):
        return False
    if user.has_perm("articles.edit_any_article"):
        return True
    return (
        user.has_perm("articles.change_article")
        and article.created_by_id == user.pk
        and article.status == Article.Status.DRAFT
    )


def visible_in_newsroom(user: Any) -> QuerySet[Article]:
    """Articles a staff member sees in the admin: editors all, journalists their own."""
    articles = Article.objects.all()
    if user.has_perm("articles.edit_any_article"):
        return articles
    return articles.filter(created_by=user)


def get_article_for_preview(pk: int, user: Any) -> Article:
    """Any article, as readers would see it, for newsroom staff who may see it."""
    if not (user.is_authenticated and user.is_staff):
        raise Http404
    article = visible_in_newsroom(user).filter(pk=pk).first()
    if article is None:
        raise Http404
    return _with_page_relations(article.pk)


# --- Photos the articles use ------------------------------------------------------


def _used_by(articles: QuerySet[Article]) -> Q:
    """Photos in the gallery of one of `articles`, its main photo or a video poster."""
    return (
        Q(pk__in=GalleryItem.objects.filter(article__in=articles).values("photo"))
        | Q(pk__in=articles.filter(main_photo__isnull=False).values("main_photo"))
        | Q(
            pk__in=Video.objects.filter(
                articles__in=articles, poster__isnull=False
            ).values("poster")
        )
    )


def photos_shown_publicly(photos: QuerySet[Photo]) -> QuerySet[Photo]:
    """The photos among `photos` that a public article shows, or a scheduled one
    will show without anyone checking again."""
    return photos.filter(_used_by(Article.objects.live()))


def _beyond_reach_of(user: Any) -> QuerySet[Article] | None:
    """The articles `user` may not edit (see `can_edit`); None for editors."""
    staff = user.is_active and user.is_staff
    if staff and user.has_perm("articles.edit_any_article"):
        return None
    others = Article.objects.all()
    if staff and user.has_perm("articles.change_article"):
        others = others.exclude(created_by=user, status=Article.Status.DRAFT)
    return others


def photos_editable_by(user: Any, photos: QuerySet[Photo]) -> QuerySet[Photo]:
    """The photos among `photos` that `user` may change in the newsroom.

    Editors change any photo; anyone else only photos that no article they
    may not edit uses (see `can_edit`: a journalist's own drafts), so the
    caption or alternative text of a published story's photo is the editors'.
    A photo no article uses yet is free to change.
    """
    others = _beyond_reach_of(user)
    return photos if others is None else photos.exclude(_used_by(others))


def videos_editable_by(user: Any, videos: QuerySet[Video]) -> QuerySet[Video]:
    """The videos among `videos` that `user` may change: as for photos, those
    that no article beyond the user's reach shows."""
    others = _beyond_reach_of(user)
    if others is None:
        return videos
    shown = Article.videos.through.objects.filter(article__in=others)
    return videos.exclude(pk__in=shown.values("video"))


SHARE_SALT = "wiesci.articles.share"


def share_token(article: Article, *, expires_at: datetime) -> str:
    """A signed token that opens one unpublished article until `expires_at`."""
    payload = {
        "a": article.pk,
        "e": int(expires_at.timestamp()),
        "s": article.preview_secret[:12],
    }
    return signing.dumps(payload, salt=SHARE_SALT, compress=True)


def get_article_for_share_token(token: str) -> Article:
    """The article a share link opens; 404 once expired, revoked or forged."""
    try:
        payload = signing.loads(token, salt=SHARE_SALT)
    except signing.BadSignature:
        raise Http404 from None
    if payload.get("e", 0) < timezone.now().timestamp():
        raise Http404
    article = Article.objects.filter(pk=payload.get("a")).first()
    if article is None or article.preview_secret[:12] != payload.get("s"):
        raise Http404
    if article.status == Article.Status.WITHDRAWN:
        raise Http404
    return _with_page_relations(article.pk)
