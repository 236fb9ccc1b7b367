from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MovingConfig(AppConfig):
    name = "wiesci.moving"
    label = "moving"
    verbose_name = _("Moving in")

    def ready(self) -> None:
        from wiesci.core import pagecache
        from wiesci.moving import redirects

        # `/?p=123` must reach the redirects, not the stored home page.
        pagecache.register_parameters(
            redirects.is_root, redirects.QUERY_NAMES, redirects.canonical_query
        )
