"""The sign-up form: allauth's, timed the same for old and new addresses.

A module of its own: allauth builds its form on `forms.SignupExtraForm`, so
the two cannot live in one module.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest


class SignupForm(AllauthSignupForm):  # type: ignore[misc]
    """allauth's sign-up, doing the same work whether or not the address has
    an account, so that the time of the answer does not tell.

    A new account costs a password hash; an address that has one is only
    sent a mail (by the worker, as the new account's confirmation is), so
    its password is hashed as well and thrown away.
    """

    def try_save(self, request: HttpRequest) -> Any:
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)
