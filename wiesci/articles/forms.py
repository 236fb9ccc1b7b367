"""Forms of the newsroom's gallery screen."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from wiesci.articles.models import Article, GalleryItem
from wiesci.articles.services import NewPhoto


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class GalleryUploadForm(forms.Form):
    """Many files at once, described afterwards: for an article not yet public."""

    describe_each = False

    photos = MultipleFileField(
        label=_("Photos"),
        help_text=_("JPEG, PNG, WebP or HEIC; choose many at once or drop them here."),
        widget=MultipleFileInput(attrs={"accept": "image/*", "multiple": True}),
    )

    def uploads(self) -> list[NewPhoto]:
        return [NewPhoto(upload) for upload in self.cleaned_data["photos"]]


class DescribedPhotoForm(forms.Form):
    """One file with its description, for an article readers already see."""

    photo = forms.FileField(
        label=_("Photo file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    alt_text = forms.CharField(
        label=_("alternative text"),
        max_length=300,
        required=False,
        help_text=_("What the photo shows, for readers who cannot see it."),
    )
    caption = forms.CharField(label=_("caption"), max_length=400, required=False)
    credit = forms.CharField(label=_("credit"), max_length=150, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("photo") and not data.get("alt_text", "").strip():
            self.add_error(
                "alt_text",
                _(
                    "This article is public: describe the photo before it "
                    "joins the gallery."
                ),
            )
        elif not data.get("photo") and any(
            data.get(name, "").strip() for name in ("alt_text", "caption", "credit")
        ):
            self.add_error("photo", _("Choose the file this description is for."))
        return data


class BaseDescribedUploadFormSet(forms.BaseFormSet[DescribedPhotoForm]):
    """Rows of file + alternative text; scripts add rows for dropped files."""

    describe_each = True

    def uploads(self) -> list[NewPhoto]:
        result = []
        for form in self.forms:
            upload: UploadedFile | None = form.cleaned_data.get("photo")
            if upload:
                result.append(
                    NewPhoto(
                        upload,
                        alt_text=form.cleaned_data["alt_text"].strip(),
                        caption=form.cleaned_data["caption"],
                        credit=form.cleaned_data["credit"],
                    )
                )
        return result

    def clean(self) -> None:
        super().clean()
        if not any(form.cleaned_data.get("photo") for form in self.forms):
            raise forms.ValidationError(_("Choose at least one photo file."))


DescribedUploadFormSet = forms.formset_factory(
    DescribedPhotoForm,
    formset=BaseDescribedUploadFormSet,
    extra=3,
    max_num=60,
    validate_max=True,
)


def gallery_upload_form(
    article: Article, data: Any = None, files: Any = None
) -> GalleryUploadForm | BaseDescribedUploadFormSet:
    """The upload part of the gallery screen, as the article's state needs it.

    A photo without alternative text never reaches the gallery of a public
    (or scheduled) article, so there each file comes with its description.
    """
    if article.needs_alt_texts:
        return cast(
            BaseDescribedUploadFormSet,
            DescribedUploadFormSet(data, files, prefix="nowe"),
        )
    return GalleryUploadForm(data, files)


class PercentField(forms.FloatField):
    """A 0–1 fraction shown and typed as a percentage (0–100)."""

    widget = forms.NumberInput(attrs={"step": "0.1"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=0, max_value=100, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        # Bound data is already what was typed; only initial fractions convert.
        if isinstance(value, float | int) and value <= 1:
            return round(float(value) * 100, 1)
        return value

    def clean(self, value: Any) -> float:
        return float(super().clean(value)) / 100


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
    focal_x = PercentField(
        label=_("Focal point from the left (%)"),
        help_text=_("0 is the left edge, 100 the right edge."),
    )
    focal_y = PercentField(
        label=_("Focal point from the top (%)"),
        help_text=_("0 is the top edge, 100 the bottom edge."),
    )
    remove = forms.BooleanField(label=_("remove from the gallery"), required=False)

    def __init__(
        self, *args: Any, require_alt_text: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.require_alt_text = require_alt_text
        if require_alt_text:
            self.fields["alt_text"].help_text = _("Required: the article is public.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            self.require_alt_text
            and not data.get("remove")
            and not data.get("alt_text", "").strip()
        ):
            self.add_error(
                "alt_text",
                _("The article is public: a photo in its gallery needs this text."),
            )
        return data

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


def gallery_formset(
    article: Article, data: Any = None, *, items: list[GalleryItem] | None = None
) -> Any:
    """The captions, descriptions, order and crops of the gallery's photos."""
    return GalleryFormSet(
        data,
        initial=[GalleryItemForm.initial_for(i) for i in items or []],
        form_kwargs={"require_alt_text": article.needs_alt_texts},
    )
