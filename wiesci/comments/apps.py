from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "wiesci.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from wiesci.articles.views import register_article_template

        register_article_template("comments/article_detail.html")
