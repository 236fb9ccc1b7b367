"""The newsroom's forms for live coverage: short, for a phone in the field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wiesci.live.models import MAX_FACT_CHARACTERS, MAX_UPDATE_CHARACTERS, Coverage


class StartForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Coverage
        fields = ("article", "key_facts")

    def clean_article(self) -> Any:
        article = self.cleaned_data["article"]
        if article is not None and article.status == article.Status.WITHDRAWN:
            raise forms.ValidationError(
                _("A withdrawn article cannot carry live coverage.")
            )
        return article


class UpdateForm(forms.Form):
    text = forms.CharField(
        label=_("Update"),
        required=False,
        max_length=MAX_UPDATE_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 5, "autofocus": True}),
        help_text=_("Plain text; an empty line starts a new paragraph, links work."),
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    alt_text = forms.CharField(
        label=_("What the photo shows (for blind readers)"),
        required=False,
        max_length=250,
    )
    caption = forms.CharField(label=_("Caption"), required=False, max_length=300)
    credit = forms.CharField(label=_("Credit"), required=False, max_length=120)
    video_url = forms.URLField(
        label=_("Video address (YouTube, Vimeo, Facebook)"),
        required=False,
        assume_scheme="https",
    )
    remove_media = forms.BooleanField(
        label=_("Remove the photo and the video"), required=False
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["remove_media"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("photo") and not data.get("alt_text", "").strip():
            self.add_error(
                "alt_text",
                _("Describe what the photo shows, in a few words, for blind readers."),
            )
        if data.get("photo") and data.get("video_url"):
            self.add_error(
                "video_url", _("An update carries a photo or a video, not both.")
            )
        return data


class FactsForm(forms.Form):
    key_facts = forms.CharField(
        label=_("Key facts"),
        required=False,
        max_length=MAX_FACT_CHARACTERS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One fact per line, shown in a box above the updates."),
    )
