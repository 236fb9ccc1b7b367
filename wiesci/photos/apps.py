from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "wiesci.photos"
    label = "photos"
    verbose_name = _("Photos and videos")

    def ready(self) -> None:
        from pillow_heif import register_heif_opener

        # Phone photos arrive as HEIC; Pillow reads them once this is registered.
        register_heif_opener()
