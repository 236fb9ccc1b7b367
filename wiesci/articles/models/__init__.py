"""Articles and what hangs on them, a module per concern.

`article` (the article and its QuerySet), `body` (what a body may hold),
`filing` (bylines, labels), `gallery`, `addresses` (former slugs), `history`
(audit log, revisions, corrections) and `reads` (hourly read counts). Import
from here: the names below are the app's models.
"""

from wiesci.articles.models.addresses import ArticleSlug
from wiesci.articles.models.article import Article, ArticleQuerySet, Marks, NewestFirst
from wiesci.articles.models.body import new_secret, plain_words, sanitise_body
from wiesci.articles.models.filing import Author, Label
from wiesci.articles.models.gallery import GalleryItem
from wiesci.articles.models.history import AuditEntry, Correction, Revision
from wiesci.articles.models.reads import ArticleView

__all__ = [
    "Article",
    "ArticleQuerySet",
    "ArticleSlug",
    "ArticleView",
    "AuditEntry",
    "Author",
    "Correction",
    "GalleryItem",
    "Label",
    "Marks",
    "NewestFirst",
    "Revision",
    "new_secret",
    "plain_words",
    "sanitise_body",
]
