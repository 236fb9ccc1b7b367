from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LiveConfig(AppConfig):
    name = "wiesci.live"
    label = "live"
    verbose_name = _("Live coverage")

    def ready(self) -> None:
        from wiesci.articles import access
        from wiesci.articles import views as article_views
        from wiesci.core import pagecache
        from wiesci.live import views

        article_views.register_page_part("article_top", "live/_coverage.html")
        # Whether an article has coverage comes with the article itself.
        access.register_page_relation("live_coverage")
        # A poll answers the same to every reader, logged in or not.
        pagecache.register_shared(views.POLL_PREFIX)
