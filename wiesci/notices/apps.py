from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    name = "wiesci.notices"
    label = "notices"
    verbose_name = _("Official notices")

    def ready(self) -> None:
        from wiesci.articles import views as article_views
        from wiesci.core import dashboard, pagecache, periodic
        from wiesci.core.actors import SCHEDULER
        from wiesci.distribution import sitemaps
        from wiesci.notices import caching, services, views
        from wiesci.notices import dashboard as notices_dashboard

        def close_ended_periods() -> None:
            services.record_ended_periods(by=SCHEDULER)

        periodic.register(close_ended_periods)
        dashboard.register(notices_dashboard.panels)
        pagecache.register_expiry(caching.next_change)
        sitemaps.register_pages(views.sitemap_pages)
        pagecache.register_paginated(views.is_paginated)
        article_views.register_page_part("place", "notices/_place_notices.html")
        article_views.register_page_part(
            "organisation", "notices/_organisation_notices.html"
        )
