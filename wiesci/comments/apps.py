from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "wiesci.comments"
    label = "comments"
    verbose_name = _("Comments")

    def ready(self) -> None:
        from wiesci.accounts import export
        from wiesci.articles.views import register_article_template
        from wiesci.comments import dashboard as comments_dashboard
        from wiesci.comments.export import export_for_reader
        from wiesci.core import dashboard

        register_article_template("comments/article_detail.html")
        export.register("comments", export_for_reader)
        dashboard.register(comments_dashboard.panels)
