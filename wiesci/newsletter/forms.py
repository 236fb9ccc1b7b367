from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    consent = forms.BooleanField(
        label=_(
            "I want to receive the newsletter by e-mail. I can unsubscribe at any "
            "time with the link in every message."
        )
    )
    # A field people do not see and bots fill in.
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200
    )

    def filled_by_a_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
