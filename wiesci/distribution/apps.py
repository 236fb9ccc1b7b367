from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "wiesci.distribution"
    label = "distribution"
    verbose_name = _("Distribution")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wiesci.articles import caching
        from wiesci.articles.signals import article_changed
        from wiesci.core import head
        from wiesci.distribution import feeds, pings, profile
        from wiesci.distribution.models import PortalProfile

        caching.register_paths(feeds.paths_for)
        head.register("distribution/head.html")
        article_changed.connect(pings.on_article_changed, dispatch_uid="pings")
        for signal in (post_save, post_delete):
            signal.connect(
                profile.on_profile_changed,
                sender=PortalProfile,
                dispatch_uid=f"profile-{signal is post_save}",
            )
