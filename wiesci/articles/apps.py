from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "wiesci.articles"
    label = "articles"
    verbose_name = _("Articles")

    def ready(self) -> None:
        from wiesci.articles.services import run_due_publications
        from wiesci.core import periodic

        periodic.register(run_due_publications)
