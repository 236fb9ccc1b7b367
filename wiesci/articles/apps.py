from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "wiesci.articles"
    label = "articles"
    verbose_name = _("Articles")

    def ready(self) -> None:
        from django.contrib.flatpages.models import FlatPage
        from django.db.models.signals import post_delete, post_save

        from wiesci.articles import access, caching, readership, views
        from wiesci.articles import dashboard as articles_dashboard
        from wiesci.articles.models import Author, Label
        from wiesci.articles.services import run_due_publications
        from wiesci.articles.signals import article_changed
        from wiesci.core import dashboard, pagecache, periodic
        from wiesci.core.actors import SCHEDULER
        from wiesci.photos import usage
        from wiesci.photos.models import Photo, Video
        from wiesci.photos.signals import photo_changed, renditions_made, video_changed
        from wiesci.taxonomy.models import Organisation, Place, Section, Tag

        def publish_due() -> None:
            run_due_publications(by=SCHEDULER)

        periodic.register(publish_due)
        dashboard.register(articles_dashboard.panels)
        pagecache.register_expiry(caching.next_change)
        pagecache.register_beacon(readership.BEACON_PATH, readership.on_beacon)
        pagecache.register_paginated(views.is_paginated)
        article_changed.connect(caching.on_article_changed, dispatch_uid="pagecache")
        renditions_made.connect(
            caching.on_filing_changed, dispatch_uid="pagecache-photos"
        )
        photo_changed.connect(
            caching.on_filing_changed, dispatch_uid="pagecache-photo-edits"
        )
        video_changed.connect(
            caching.on_filing_changed, dispatch_uid="pagecache-video-edits"
        )
        usage.register_public_rule(access.photos_shown_publicly)
        usage.register_change_rule(access.photos_editable_by, model=Photo)
        usage.register_change_rule(access.videos_editable_by, model=Video)
        for model in (Section, Tag, Place, Organisation, Author, Label, FlatPage):
            post_save.connect(
                caching.on_filing_changed, sender=model, dispatch_uid=f"pc-{model}"
            )
            post_delete.connect(
                caching.on_filing_changed, sender=model, dispatch_uid=f"pd-{model}"
            )
