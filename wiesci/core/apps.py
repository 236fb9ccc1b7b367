from pathlib import Path

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wiesci.core"
    label = "core"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from wiesci.core.catalogs import compile_catalogs

        compile_catalogs(Path(__file__).resolve().parent.parent / "locale")
