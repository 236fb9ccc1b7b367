from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "wiesci.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_delete

        from wiesci.articles import admin as articles_admin
        from wiesci.articles.models import Article
        from wiesci.articles.signals import article_changed
        from wiesci.core import pagecache
        from wiesci.search import indexing, views

        article_changed.connect(indexing.on_article_changed, dispatch_uid="search")
        pagecache.register_parameters(
            views.is_search_page, views.PARAMETERS, views.canonical_query
        )
        post_save.connect(
            indexing.on_article_saved, sender=Article, dispatch_uid="search-save"
        )
        pre_delete.connect(
            indexing.on_article_deleting, sender=Article, dispatch_uid="search-delete"
        )
        articles_admin.register_admin_search(indexing.admin_search)
