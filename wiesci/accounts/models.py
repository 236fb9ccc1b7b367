from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wiesci.accounts.names import name_key
from wiesci.core import legal


class User(AbstractUser):
    """Anyone who logs in: a reader, a journalist, an editor."""

    display_name = models.CharField(
        _("display name"),
        max_length=60,
        blank=True,
        help_text=_("Shown with the reader's comments instead of the e-mail address."),
    )

    # The display name as names are compared (see names.name_key).
    display_key = models.CharField(max_length=60, blank=True, editable=False)

    banned_until = models.DateTimeField(
        _("banned until"),
        null=True,
        blank=True,
        help_text=_("The reader cannot comment until then. Empty: not banned."),
    )
    ban_reason = models.CharField(_("reason for the ban"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_unique",
                violation_error_message=_(
                    "A user with this e-mail address already exists."
                ),
            ),
            # Accounts an import brought in are inactive and keep the names
            # readers signed with elsewhere, twins included.
            models.UniqueConstraint(
                "display_key",
                condition=models.Q(is_active=True) & ~models.Q(display_key=""),
                name="accounts_user_display_name_unique",
                violation_error_message=_("This name is already taken."),
            ),
        ]

    def __str__(self) -> str:
        return self.public_name

    def clean(self) -> None:
        """Refuse a name another active account has, as the constraint would:
        forms leave the constraint out, since they do not edit display_key."""
        super().clean()
        self.display_key = name_key(self.display_name)[:60]
        if not (self.display_key and self.is_active):
            return
        twins = User.objects.filter(is_active=True, display_key=self.display_key)
        if twins.exclude(pk=self.pk).exists():
            raise ValidationError({"display_name": _("This name is already taken.")})

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.display_key = name_key(self.display_name)[:60]
        fields = kwargs.get("update_fields")
        if fields is not None and "display_name" in fields:
            kwargs["update_fields"] = {*fields, "display_key"}
        super().save(*args, **kwargs)

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def is_banned(self) -> bool:
        return self.banned_until is not None and self.banned_until > timezone.now()


class TermsVersion(models.Model):
    """A text of the terms as readers were shown it, kept word for word, so
    that every consent names exactly what was agreed to."""

    digest = models.CharField(_("SHA-256 of the text"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("text"))
    first_shown_at = models.DateTimeField(_("first shown"), auto_now_add=True)

    class Meta:
        ordering = ["-first_shown_at"]
        verbose_name = _("version of the terms")
        verbose_name_plural = _("versions of the terms")

    def __str__(self) -> str:
        shown = timezone.localtime(self.first_shown_at).strftime("%Y-%m-%d")
        return f"{self.title} ({shown}, {self.digest[:12]})"

    @classmethod
    def current(cls) -> TermsVersion | None:
        """The terms page as readers see it now, kept as a version the first
        time it is asked for; None if the newsroom has no terms page."""
        from django.contrib.flatpages.models import FlatPage

        page = FlatPage.objects.filter(url=legal.TERMS).first()
        if page is None:
            return None
        text = f"{page.title}\n{page.content}"
        digest = hashlib.sha256(text.encode()).hexdigest()
        version, _created = cls.objects.get_or_create(
            digest=digest, defaults={"title": page.title, "content": page.content}
        )
        return version


class Consent(models.Model):
    """A reader's agreement to the terms, with the version agreed to."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    terms = models.ForeignKey(
        TermsVersion,
        verbose_name=_("version of the terms"),
        on_delete=models.PROTECT,
        null=True,
        related_name="consents",
    )
    given_at = models.DateTimeField(_("given"), auto_now_add=True)

    class Meta:
        ordering = ["-given_at"]
        verbose_name = _("consent to the terms")
        verbose_name_plural = _("consents to the terms")

    def __str__(self) -> str:
        return f"{self.user}: {self.terms}"
