"""Forms of the newsroom's gallery screen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wiesci.articles.models import GalleryItem


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class GalleryUploadForm(forms.Form):
    photos = MultipleFileField(
        label=_("Photos"),
        help_text=_("JPEG, PNG, WebP or HEIC; choose many at once or drop them here."),
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
    )


class GalleryItemForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    caption = forms.CharField(label=_("caption"), max_length=400, required=False)
    credit = forms.CharField(label=_("credit"), max_length=150, required=False)
    alt_text = forms.CharField(
        label=_("alternative text"),
        max_length=300,
        required=False,
        help_text=_("Required before publishing."),
    )
    position = forms.IntegerField(label=_("position"), min_value=0)
    focal_x = forms.FloatField(
        label=_("focal point x"), min_value=0, max_value=1, widget=forms.HiddenInput
    )
    focal_y = forms.FloatField(
        label=_("focal point y"), min_value=0, max_value=1, widget=forms.HiddenInput
    )
    remove = forms.BooleanField(label=_("remove from the gallery"), required=False)

    @classmethod
    def initial_for(cls, item: GalleryItem) -> dict[str, Any]:
        photo = item.photo
        return {
            "item": item.pk,
            "caption": photo.caption,
            "credit": photo.credit,
            "alt_text": photo.alt_text,
            "position": item.position,
            "focal_x": photo.focal_x,
            "focal_y": photo.focal_y,
        }


GalleryFormSet = forms.formset_factory(GalleryItemForm, extra=0)
