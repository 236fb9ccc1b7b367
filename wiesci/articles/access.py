"""Who may see which article: the only door readers have to articles."""

from __future__ import annotations

from django.http import Http404

from wiesci.articles.models import Article, ArticleSlug


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


def get_article_for_viewer(slug: str) -> Article:
    """Return the public article at `slug` with everything its page shows.

    Raises Http404 for anything a reader may not see (a draft, a story
    scheduled for later, an unknown slug), so guessing a slug never reveals
    an unpublished article; ArticleMoved for a former slug of a public
    article; ArticleWithdrawn for a withdrawn one.
    """
    queryset = Article.objects.select_related("section", "main_photo").prefetch_related(
        "tags",
        "places",
        "organisations",
        "labels",
        "authors__photo",
        "gallery_items__photo",
        "videos__poster",
    )
    article = queryset.filter(slug=slug).first()
    if article is None:
        former = ArticleSlug.objects.select_related("article").filter(slug=slug).first()
        if former is not None and former.article.is_public:
            raise ArticleMoved(former.article.get_absolute_url())
        raise Http404
    if article.is_public:
        return article
    if article.status == Article.Status.WITHDRAWN and article.published_at is not None:
        raise ArticleWithdrawn(article)
    raise Http404
