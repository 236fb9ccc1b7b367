"""Reader account forms: the public name and the consent asked at sign-up,
renaming, account deletion."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wiesci.accounts.models import User
from wiesci.accounts.names import check_display_name
from wiesci.accounts.services import PERMANENT_BAN, record_consent
from wiesci.core import legal

# What an account without an e-mail address or a password types to delete itself.
DELETE_PHRASE = _("delete my account")


def display_name_field() -> forms.CharField:
    return forms.CharField(
        label=_("Name shown with your comments"),
        max_length=60,
        min_length=3,
        help_text=_("Visible to everyone. Your e-mail address never is."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


def terms_help() -> str:
    return format_html(
        '<a href="{}">{}</a> · <a href="{}">{}</a>',
        legal.TERMS,
        gettext("Terms"),
        legal.PRIVACY,
        gettext("Privacy policy"),
    )


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form adds: the name shown with comments and
    the consent to the terms, recorded with the version agreed to."""

    display_name = display_name_field()
    terms = forms.BooleanField(
        label=_("I accept the portal's terms and its privacy policy."),
        help_text=lazy(terms_help, str)(),
        error_messages={"required": _("Accept the terms to create an account.")},
    )

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        check_display_name(name)
        return name

    def signup(self, request: HttpRequest, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
        record_consent(user, by=user)


class RenameForm(forms.Form):
    display_name = display_name_field()


class DeleteAccountForm(forms.Form):
    """Confirm deleting one's account: the password, or for an account without
    one (signed up through Google or Facebook) the e-mail address typed out.

    An account without a usable password must not accept whatever is typed
    into a password field: anyone at an open session could delete it.
    """

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        else:
            self.fields["confirmation"] = forms.CharField(
                label=(
                    _("Type your e-mail address to confirm")
                    if user.email
                    else _("Type “%(phrase)s” to confirm") % {"phrase": DELETE_PHRASE}
                ),
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not correct."))
        return password

    def clean_confirmation(self) -> str:
        typed: str = self.cleaned_data["confirmation"]
        expected = self.user.email or str(DELETE_PHRASE)
        if typed.strip().casefold() != expected.strip().casefold():
            if self.user.email:
                raise ValidationError(
                    _("This is not the e-mail address of your account.")
                )
            raise ValidationError(
                _("Type “%(phrase)s” exactly.") % {"phrase": DELETE_PHRASE}
            )
        return typed


class BanForm(forms.Form):
    """How long and why a reader is banned; asked by the newsroom's admin actions."""

    days = forms.IntegerField(
        label=_("days"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for a permanent ban."),
    )
    reason = forms.CharField(label=_("reason for the ban"), max_length=300)

    def until(self) -> datetime:
        days = self.cleaned_data["days"]
        return timezone.now() + (timedelta(days=days) if days else PERMANENT_BAN)
