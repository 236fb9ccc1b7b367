"""Photos and videos: private originals, public renditions, privacy-first embeds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wiesci.core.models import TimeStampedModel
from wiesci.core.storage import private_files


def private_storage() -> Any:
    # On disk or in a private bucket, whichever STORAGES["private"] is now.
    return private_files


def original_path(instance: Photo, filename: str) -> str:
    # The original's name is never public; keep the extension for tooling only.
    extension = filename.rsplit(".", 1)[-1].lower()[:5] if "." in filename else "bin"
    return f"originals/{instance.uploaded_on:%Y/%m}/{instance.content_hash}.{extension}"


class Photo(TimeStampedModel):
    """An uploaded image: the original kept private, re-encoded public renditions.

    `renditions` maps a size name from `conf.PHOTO_RENDITIONS` to its width,
    height and one file per format, so a page shows any number of photos
    without a query per photo.
    """

    original = models.FileField(
        _("original"), storage=private_storage, upload_to=original_path, max_length=200
    )
    uploaded_on = models.DateField(_("uploaded on"), auto_now_add=True)
    content_hash = models.CharField(_("content hash"), max_length=64, editable=False)
    width = models.PositiveIntegerField(_("width"), editable=False, default=0)
    height = models.PositiveIntegerField(_("height"), editable=False, default=0)
    caption = models.CharField(_("caption"), max_length=400, blank=True)
    credit = models.CharField(
        _("credit"),
        max_length=150,
        blank=True,
        help_text=_("E.g. “Fot. Anna Kowalczyk”."),
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the photo shows, for readers who cannot see it. "
            "Required before the article is published."
        ),
    )
    focal_x = models.FloatField(_("focal point x"), default=0.5)
    focal_y = models.FloatField(_("focal point y"), default=0.5)
    name_hint = models.SlugField(
        _("name in addresses"),
        max_length=80,
        blank=True,
        help_text=_("Public file names carry it, e.g. the article's slug."),
    )
    renditions = models.JSONField(
        _("renditions"), default=dict, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    focal_x__gte=0, focal_x__lte=1, focal_y__gte=0, focal_y__lte=1
                ),
                name="photos_photo_focal_point_inside",
            ),
        ]

    def __str__(self) -> str:
        return self.caption or self.alt_text or f"#{self.pk}"

    def nearest_rendition(self, wanted: str) -> tuple[str, dict[str, Any]] | None:
        """The rendition named `wanted`, else the ready one closest in width."""
        renditions: dict[str, Any] = self.renditions or {}
        if wanted in renditions:
            return wanted, renditions[wanted]
        if not renditions:
            return None
        from wiesci.photos.processing import specs

        target = next((s.width for s in specs() if s.name == wanted), 800)
        name = min(renditions, key=lambda n: abs(renditions[n]["width"] - target))
        return name, renditions[name]

    def public_file(
        self, wanted: str, fmt: str = "jpeg", *, exact: bool = False
    ) -> PublicFile | None:
        """One public file of the rendition `wanted` (or the nearest, unless
        `exact`), in `fmt` where it exists, for feeds and structured data."""
        if exact and wanted not in (self.renditions or {}):
            return None
        found = self.nearest_rendition(wanted)
        if found is None:
            return None
        rendition = found[1]
        files = rendition["files"]
        chosen = fmt if fmt in files else next(iter(files))
        return PublicFile(
            url=default_storage.url(files[chosen]),
            width=rendition["width"],
            height=rendition["height"],
            bytes=rendition.get("bytes", {}).get(chosen, 0),
            mime=MIME[chosen],
        )


MIME = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"}


@dataclass(frozen=True)
class PublicFile:
    """A rendition file as the world sees it: address, size, type."""

    url: str  # as the media storage gives it: a path on the portal's own disk,
    # or an absolute address on object storage or its CDN
    width: int
    height: int
    bytes: int  # 0 for renditions made before their sizes were kept
    mime: str


def video_provider(url: str) -> tuple[str, str] | None:
    """(provider, its id of the video) for a YouTube, Vimeo or Facebook
    video address; None for any other."""
    for provider, pattern in VIDEO_PATTERNS.items():
        found = pattern.match(url)
        if found:
            return provider, found.group("id")
    return None


VIDEO_PATTERNS = {
    "youtube": re.compile(
        r"^https?://(?:www\.|m\.)?(?:youtube\.com/(?:watch\?(?:.*&)?v=|shorts/|embed/)"
        r"|youtu\.be/)(?P<id>[A-Za-z0-9_-]{11})"
    ),
    "vimeo": re.compile(
        r"^https?://(?:www\.|player\.)?vimeo\.com/(?:video/)?(?P<id>\d+)"
    ),
    "facebook": re.compile(
        r"^https?://(?:www\.|m\.)?facebook\.com/(?:watch/?\?v=|[^/]+/videos/(?:[^/]+/)?)"
        r"(?P<id>\d+)"
    ),
}


class Video(TimeStampedModel):
    """A YouTube, Vimeo or Facebook video, or an uploaded MP4 file.

    Pages show our own poster and a play button; the host's player loads only
    when the reader clicks, so no request reaches the video host before that.
    """

    class Provider(models.TextChoices):
        YOUTUBE = "youtube", "YouTube"
        VIMEO = "vimeo", "Vimeo"
        FACEBOOK = "facebook", "Facebook"
        FILE = "file", _("uploaded file")

    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(
        _("address"),
        blank=True,
        help_text=_("A YouTube, Vimeo or Facebook video address."),
    )
    file = models.FileField(
        _("MP4 file"), upload_to="filmy/%Y/%m/", blank=True, max_length=200
    )
    provider = models.CharField(
        _("source"), max_length=10, choices=Provider, editable=False
    )
    provider_id = models.CharField(max_length=40, editable=False, blank=True)
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    duration = models.FloatField(_("duration in seconds"), default=0, editable=False)
    poster = models.ForeignKey(
        Photo,
        verbose_name=_("poster"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        constraints = [
            # An address or a file, never both, never neither. The admin's
            # add form checks the upload itself, before the file is set.
            models.CheckConstraint(
                condition=(models.Q(url="") & ~models.Q(file=""))
                | (~models.Q(url="") & models.Q(file="")),
                name="photos_video_address_or_file",
                violation_error_message=_(
                    "Give either a video address or an MP4 file."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.url and not self._match():
            raise ValidationError(
                {
                    "url": _(
                        "Only YouTube, Vimeo and Facebook video addresses are accepted."
                    )
                }
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        match = self._match()
        if match:
            self.provider, self.provider_id = match
        elif self.file:
            self.provider, self.provider_id = self.Provider.FILE, ""
        super().save(*args, **kwargs)

    def _match(self) -> tuple[str, str] | None:
        return video_provider(self.url or "")

    @cached_property
    def embed_url(self) -> str:
        """The player address, loaded only after the reader clicks play."""
        if self.provider == self.Provider.YOUTUBE:
            return (
                f"https://www.youtube-nocookie.com/embed/{self.provider_id}?autoplay=1"
            )
        if self.provider == self.Provider.VIMEO:
            return f"https://player.vimeo.com/video/{self.provider_id}?autoplay=1&dnt=1"
        if self.provider == self.Provider.FACEBOOK:
            return (
                "https://www.facebook.com/plugins/video.php?href="
                f"https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D{self.provider_id}"
            )
        return ""
