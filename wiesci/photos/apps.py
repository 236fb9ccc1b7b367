from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "wiesci.photos"
    label = "photos"
    verbose_name = _("Photos and videos")
    # Phone photos arrive as HEIC; pillow-heif is loaded only when one does
    # (`processing.open_image`), which keeps 10 MiB out of every process.
