from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wiesci import conf
from wiesci.comments.models import Report


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text. Separate paragraphs with an empty line; links work."),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # One key per rendered form, so sending it twice makes one comment.
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs["maxlength"] = conf.COMMENT_MAX_LENGTH
        if not self.is_bound:
            self.initial.setdefault("token", secrets.token_urlsafe(24))


class EditCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 5})
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Details (optional)"), max_length=300, required=False
    )
    contact = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        help_text=_("We will write to tell you what we decided."),
    )
    good_faith = forms.BooleanField(
        label=_("I report this in good faith: to my knowledge what I say is true."),
        error_messages={"required": _("Confirm that you report in good faith.")},
    )

    def __init__(self, *args: Any, anonymous: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not anonymous:
            # A logged-in reader is answered at their account's address.
            del self.fields["contact"]


class AppealForm(forms.Form):
    text = forms.CharField(
        label=_("Why do you think the decision is wrong?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
    )
