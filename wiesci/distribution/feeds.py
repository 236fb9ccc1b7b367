"""RSS 2.0 and Atom feeds: everything, and per section, place, tag,
organisation and author.

Django's syndication framework writes them; this module says what goes in:
the newest public stories, titles with their markers, the whole lead, the
main photo as an enclosure (its JPEG, with size and type), the authors and
the section and tags as categories, dates in the portal's time zone. Every
feed lists its items in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.contrib.syndication.views import Feed
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, get_script_prefix, resolve, reverse
from django.utils import feedgenerator, timezone
from django.utils.translation import gettext as _

from wiesci.articles.models import Article, Author
from wiesci.distribution.structured import absolute
from wiesci.taxonomy.models import Organisation, Place, Section, Tag

ITEMS = 30
ENCLOSURE_SIZE = "article"  # the photo readers see on the article page


@dataclass(frozen=True)
class Kind:
    """A listing with feeds: its model, the articles' relation, the URL name."""

    model: type[Model]
    relation: str  # Article's field that holds it
    view: str  # the listing page's URL name


KINDS = {
    "section": Kind(Section, "section", "articles:section"),
    "tag": Kind(Tag, "tags", "articles:tag"),
    "place": Kind(Place, "places", "articles:place"),
    "organisation": Kind(Organisation, "organisations", "articles:organisation"),
    "author": Kind(Author, "authors", "articles:author"),
}


class HubMixin:
    """Names the WebSub hub, when one is set, beside the feed's own address."""

    def add_root_elements(self, handler: Any) -> None:
        super().add_root_elements(handler)  # type: ignore[misc]
        if settings.WEBSUB_HUB:
            handler.addQuickElement(
                "atom:link" if self.is_rss else "link",  # type: ignore[attr-defined]
                "",
                {"rel": "hub", "href": settings.WEBSUB_HUB},
            )


class RssFeed(HubMixin, feedgenerator.Rss201rev2Feed):
    is_rss = True


class AtomFeed(HubMixin, feedgenerator.Atom1Feed):
    is_rss = False


def local(moment: Any) -> Any:
    return timezone.localtime(moment) if moment else moment


class ArticlesFeed(Feed):  # type: ignore[type-arg]
    """The newest public stories of the portal, or of one listing."""

    feed_type: type[feedgenerator.SyndicationFeed] = RssFeed
    kind: str | None = None
    language = "pl"
    ttl = 15  # minutes: a local portal publishes through the day

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request: HttpRequest, slug: str = "") -> Model | None:
        if self.kind is None:
            return None
        return get_object_or_404(KINDS[self.kind].model, slug=slug)

    def _name(self) -> str:
        return get_current_site(self.request).name

    def title(self, obj: Model | None) -> str:
        return f"{self._name()} · {obj}" if obj is not None else self._name()

    def link(self, obj: Model | None) -> str:
        return absolute(obj.get_absolute_url() if obj is not None else "/")  # type: ignore[attr-defined]

    def description(self, obj: Model | None) -> str:
        if obj is None:
            return _("The latest news of the town and the county.")
        return _("The latest news: %(name)s.") % {"name": obj}

    subtitle = description

    def feed_url(self, obj: Model | None) -> str:
        return absolute(self.request.path)

    def author_name(self, obj: Model | None) -> str:
        return self._name()

    def feed_copyright(self, obj: Model | None) -> str:
        return f"© {timezone.localdate().year} {self._name()}"

    def items(self, obj: Model | None) -> QuerySet[Article]:
        articles = (
            Article.objects.published()
            .for_lists()
            .prefetch_related("authors", "tags")
            .newest_first()
        )
        if obj is not None and self.kind is not None:
            articles = articles.filter(**{KINDS[self.kind].relation: obj})
        return articles[:ITEMS]

    def item_title(self, item: Article) -> str:
        return item.title_with_markers

    def item_description(self, item: Article) -> str:
        return item.lead

    def item_link(self, item: Article) -> str:
        return absolute(item.get_absolute_url())

    def item_guid(self, item: Article) -> str:
        # Stays the same when the slug changes: a reader never sees it twice.
        host = urlsplit(settings.SITE_URL).hostname
        return f"tag:{host},2026:artykul/{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article) -> Any:
        return local(item.published_at)

    def item_updateddate(self, item: Article) -> Any:
        return local(item.updated_at or item.published_at)

    def item_author_name(self, item: Article) -> str | None:
        names = [author.name for author in item.authors.all()]
        return ", ".join(names) or None

    def item_author_link(self, item: Article) -> str | None:
        authors = list(item.authors.all())
        return absolute(authors[0].get_absolute_url()) if len(authors) == 1 else None

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.name, *(tag.name for tag in item.tags.all())]

    def item_enclosures(self, item: Article) -> list[feedgenerator.Enclosure]:
        photo = item.main_photo
        found = photo.public_file(ENCLOSURE_SIZE) if photo is not None else None
        if found is None:
            return []
        # RSS asks for the length; 0 is the agreed value when it is unknown.
        return [
            feedgenerator.Enclosure(absolute(found.url), str(found.bytes), found.mime)
        ]


def feed(kind: str | None, *, atom: bool) -> ArticlesFeed:
    """The view of one feed: everything (`kind` None) or a listing's."""
    view = type(
        f"{(kind or 'all').title()}{'Atom' if atom else 'Rss'}Feed",
        (ArticlesFeed,),
        {"kind": kind, "feed_type": AtomFeed if atom else RssFeed},
    )
    made: ArticlesFeed = view()
    return made


# The portal's own two, by the address the portal is mounted at: every
# page's head names them.
_portal_feeds: dict[str, tuple[str, str]] = {}


def addresses(kind: str | None, slug: str = "") -> tuple[str, str]:
    """The RSS and Atom addresses of everything or of one listing."""
    if kind is None:
        prefix = get_script_prefix()
        found = _portal_feeds.get(prefix)
        if found is None:
            found = reverse("distribution:rss"), reverse("distribution:atom")
            _portal_feeds[prefix] = found
        return found
    return (
        reverse(f"distribution:{kind}-rss", kwargs={"slug": slug}),
        reverse(f"distribution:{kind}-atom", kwargs={"slug": slug}),
    )


def paths_for(article: Article, pages: set[str]) -> set[str]:
    """Feeds that list `article`: the portal's, and the feed of each listing
    page among `pages` (the paths the page cache purges), so purged with
    them; derived from those paths, with no query of their own."""
    found = set(addresses(None))
    listings = {kind.view for kind in KINDS.values()}
    for path in pages:
        try:
            view = resolve(path).view_name
        except Resolver404:
            continue
        if view in listings:
            found |= {f"{path}rss/", f"{path}atom/"}
    return found
