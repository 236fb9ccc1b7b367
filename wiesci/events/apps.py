from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "wiesci.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from wiesci.articles import views as article_views
        from wiesci.core import dashboard, pagecache
        from wiesci.distribution import sitemaps
        from wiesci.events import caching, calendar, views
        from wiesci.events import dashboard as events_dashboard

        dashboard.register(events_dashboard.panels)
        pagecache.register_expiry(caching.next_change)
        sitemaps.register_pages(views.sitemap_pages)
        pagecache.register_parameters(
            views.is_filtered, calendar.FILTERS, calendar.canonical_filters
        )
        pagecache.register_parameters(
            views.is_paginated,
            (*calendar.FILTERS, pagecache.PAGE_PARAMETER),
            views.canonical_list_query,
        )
        article_views.register_page_part("article", "events/_article_event.html")
        article_views.register_page_part("place", "events/_place_events.html")
        article_views.register_page_part(
            "organisation", "events/_organisation_events.html"
        )
