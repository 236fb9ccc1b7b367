"""The readers' tip form: what happened, photos or a video, contact, consent."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wiesci.photos import processing, video
from wiesci.tips import challenge, letters
from wiesci.tips.models import MAX_PHOTOS

TEXT_MAX_LENGTH = 5000


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class TipForm(forms.Form):
    text = forms.CharField(
        label=_("What happened?"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Describe what you saw or know. Up to 5000 characters."),
    )
    place = forms.CharField(
        label=_("Where?"),
        required=False,
        max_length=200,
        help_text=_("A town or village, a street, a landmark."),
    )
    happened = forms.CharField(
        label=_("When?"),
        required=False,
        max_length=100,
        help_text=_("E.g. “today about 14:30” or “on Saturday evening”."),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
        help_text=_("Up to 10 photos, or one video below: JPEG, PNG, WebP or HEIC."),
    )
    video = forms.FileField(
        label=_("Video"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "video/mp4,video/quicktime"}),
        help_text=_("One MP4 film from a phone (H.264, HEVC or AV1)."),
    )
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We will send a confirmation with the tip's number to it."),
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    accept_terms = forms.BooleanField(label=letters.terms_text_lazy)
    credit_consent = forms.BooleanField(
        label=letters.credit_consent_text_lazy, required=False
    )
    answer = forms.CharField(
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    challenge = forms.CharField(
        widget=forms.HiddenInput, required=False, max_length=500
    )
    # A field people do not see and bots fill in.
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new question every time the form is shown, a sent one is spent.
        self.challenge_question = challenge.new_challenge()
        self.fields["answer"].label = self.challenge_question.question

    def clean_photos(self) -> list[UploadedFile]:
        photos: list[UploadedFile] = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise ValidationError(
                ngettext(
                    "You can send at most %(limit)d photo; you chose %(count)d.",
                    "You can send at most %(limit)d photos; you chose %(count)d.",
                    MAX_PHOTOS,
                )
                % {"limit": MAX_PHOTOS, "count": len(photos)},
                code="too_many",
            )
        problems = []
        for photo in photos:
            try:
                processing.inspect_upload(photo, size=photo.size)
            except processing.PhotoRejected as rejected:
                problems.append(f"{photo.name}: {' '.join(rejected.messages)}")
        if problems:
            raise ValidationError(problems)
        return photos

    def clean_video(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("video")
        if upload:
            # Checked by content as the photo library checks it; the copy it
            # makes is not kept: the newsroom's draft makes its own.
            clean = video.clean_video(upload, size=upload.size or 0)
            clean.file.close()
            upload.seek(0)
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("photos") and data.get("video"):
            self.add_error(
                None,
                ValidationError(
                    _("Send up to 10 photos or one video, not both."),
                    code="photos_and_video",
                ),
            )
        if data.get("website"):
            self.add_error(
                None,
                ValidationError(
                    _(
                        "The form was filled in the way automated programs do. "
                        "If you are a person, send it again."
                    ),
                    code="honeypot",
                ),
            )
        if "answer" in data:
            try:
                challenge.check(data.get("challenge", ""), data["answer"])
            except challenge.ChallengeFailed as failed:
                self.add_error("answer", failed)
        return data
