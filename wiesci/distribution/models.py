"""The portal's public identity, set by the newsroom in the admin: what feeds,
structured data, the web app manifest and icons say the portal is."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wiesci.core.models import TimeStampedModel

LOGO_MIN_PIXELS = 112  # Google's smallest accepted publisher logo side
ICON_MIN_PIXELS = 512  # the largest icon the manifest names
IMAGE_MAX_BYTES = 5 * 1024 * 1024
SOCIAL_FIELDS = ("facebook", "instagram", "youtube", "x", "tiktok", "linkedin")


def _check_image(upload: Any, *, smallest: int, square: bool) -> None:
    """A PNG or JPEG large enough (and square, for an icon), else a clear
    message in Polish; nothing is stored when it fails."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than 5 MB; send a smaller one."), code="size"
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind, (width, height) = image.format, image.size
    except (UnidentifiedImageError, OSError):
        raise ValidationError(
            _("This is not an image; send a PNG or JPEG file."), code="format"
        ) from None
    finally:
        upload.seek(0)
    if kind not in ("PNG", "JPEG"):
        raise ValidationError(_("Send the image as a PNG or JPEG file."), code="format")
    if min(width, height) < smallest:
        raise ValidationError(
            _("The image must be at least %(px)s pixels on each side.")
            % {"px": smallest},
            code="small",
        )
    if square and width != height:
        raise ValidationError(
            _("The icon must be square (it is %(w)s×%(h)s pixels).")
            % {"w": width, "h": height},
            code="square",
        )


def check_logo(upload: Any) -> None:
    _check_image(upload, smallest=LOGO_MIN_PIXELS, square=False)


def check_icon(upload: Any) -> None:
    _check_image(upload, smallest=ICON_MIN_PIXELS, square=True)


class PortalProfile(TimeStampedModel):
    """One row: the portal as search engines, feed readers and phones see it.

    The name itself is the Site's (Sites in the admin), so that every page,
    e-mail and feed says the same.
    """

    short_name = models.CharField(
        _("short name"),
        max_length=12,
        blank=True,
        help_text=_("Under the icon on a phone's home screen, e.g. “Wieści”."),
    )
    description = models.CharField(
        _("description"),
        max_length=300,
        blank=True,
        help_text=_("One sentence on what the portal covers, for search engines."),
    )
    logo = models.ImageField(
        _("logo"),
        upload_to="portal/",
        blank=True,
        validators=[check_logo],
        help_text=_("PNG or JPEG, at least 112 pixels on each side."),
    )
    icon = models.ImageField(
        _("icon"),
        upload_to="portal/",
        blank=True,
        validators=[check_icon],
        help_text=_(
            "Square PNG or JPEG, at least 512×512 pixels: the favicon and the "
            "icon of the portal on phones. Without it, one is drawn from the "
            "portal's initial."
        ),
    )
    theme_color = models.CharField(
        _("theme colour"),
        max_length=7,
        default="#0b4f8a",
        validators=[
            RegexValidator(
                r"^#[0-9a-fA-F]{6}$", _("Give the colour as #rrggbb, e.g. #0b4f8a.")
            )
        ],
    )
    email = models.EmailField(_("newsroom's e-mail"), blank=True)
    facebook = models.URLField(_("Facebook profile"), blank=True)
    instagram = models.URLField(_("Instagram profile"), blank=True)
    youtube = models.URLField(_("YouTube channel"), blank=True)
    x = models.URLField(_("X (Twitter) profile"), blank=True)
    tiktok = models.URLField(_("TikTok profile"), blank=True)
    linkedin = models.URLField(_("LinkedIn profile"), blank=True)
    changed_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = _("portal profile")
        verbose_name_plural = _("portal profile")

    def __str__(self) -> str:
        return str(_("Portal profile"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.pk = 1  # one row, whatever the admin posts
        super().save(*args, **kwargs)

    @property
    def social_profiles(self) -> list[str]:
        return [url for url in (getattr(self, f) for f in SOCIAL_FIELDS) if url]
