from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wiesci.newsletter.models import Subscriber


class SubscribeForm(forms.Form):
    email = forms.EmailField(label=_("Your e-mail address"), max_length=254)
    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=[
            (Subscriber.Frequency.DAILY, _("Every morning: the previous day's news")),
            (Subscriber.Frequency.WEEKLY, _("Once a week: the week's news")),
        ],
        initial=Subscriber.Frequency.DAILY,
        widget=forms.RadioSelect,
        required=False,
    )
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

    def clean_frequency(self) -> str:
        # A form sent without the choice (an old page, a script) means daily.
        return self.cleaned_data.get("frequency") or Subscriber.Frequency.DAILY

    def filled_by_a_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
