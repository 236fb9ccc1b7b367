from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from wiesci.core.text import polish_slugify
from wiesci.photos import processing, services, usage, video
from wiesci.photos.models import Photo, Video
from wiesci.photos.templatetags.photos import picture


class PhotoAddForm(forms.ModelForm[Photo]):
    upload = forms.FileField(label=_("photo file"))

    class Meta:
        model = Photo
        fields = ("caption", "credit", "alt_text", "name_hint", "focal_x", "focal_y")

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        processing.inspect_upload(upload, size=upload.size)
        return upload


class PhotoChangeForm(forms.ModelForm[Photo]):
    class Meta:
        model = Photo
        fields = ("caption", "credit", "alt_text", "focal_x", "focal_y")

    def clean_alt_text(self) -> str:
        alt_text = str(self.cleaned_data.get("alt_text", ""))
        if not alt_text.strip() and usage.is_shown_publicly(self.instance):
            raise services.AltTextRequired
        return alt_text


class UsageRules(admin.ModelAdmin[Any]):
    """Photo and video screens list, show, change and delete only what the
    usage rules let the user change (see `photos.usage`), as the services do."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return usage.changeable_by(request.user, super().get_queryset(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and (
            obj is None or usage.may_change(request.user, obj)
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (
            obj is None or usage.may_change(request.user, obj)
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (
            obj is None or usage.may_change(request.user, obj)
        )


@admin.register(Photo)
class PhotoAdmin(UsageRules):
    """The newsroom's photo library.

    Every change goes through the photo services, so a new focal point
    re-cuts the crops and a deletion removes the files; a journalist sees and
    changes only photos that no article of someone else's (or no story
    already out) uses.
    """

    form = PhotoChangeForm
    list_display = ("thumbnail", "caption", "alt_text", "credit", "width", "height")
    search_fields = ("caption", "alt_text", "credit")
    readonly_fields = ("thumbnail", "width", "height", "content_hash")
    fields = (
        "thumbnail",
        "caption",
        "credit",
        "alt_text",
        "focal_x",
        "focal_y",
        "width",
        "height",
    )

    @admin.display(description=_("photo"))
    def thumbnail(self, photo: Photo) -> SafeString:
        return picture(photo, "mini", sizes="8rem", css_class="admin-thumbnail")

    def get_form(
        self,
        request: HttpRequest,
        obj: Photo | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        if obj is None:
            kwargs["form"] = PhotoAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Photo | None = None) -> Any:
        if obj is None:
            return (
                "upload",
                "caption",
                "credit",
                "alt_text",
                "name_hint",
                "focal_x",
                "focal_y",
            )
        return self.fields

    def delete_model(self, request: HttpRequest, obj: Photo) -> None:
        services.delete_photo(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Photo]) -> None:
        for photo in queryset:
            services.delete_photo(photo, by=request.user)

    def save_model(
        self, request: HttpRequest, obj: Photo, form: Any, change: bool
    ) -> None:
        if change:
            services.update_photo(
                obj,
                by=request.user,
                caption=obj.caption,
                credit=obj.credit,
                alt_text=obj.alt_text,
                focal=(obj.focal_x, obj.focal_y),
            )
            return
        upload = form.cleaned_data["upload"]
        photo = services.create_photo(
            upload,
            by=request.user,
            filename=upload.name,
            caption=obj.caption,
            credit=obj.credit,
            alt_text=obj.alt_text,
            name_hint=obj.name_hint,
            focal=(obj.focal_x, obj.focal_y),
        )
        form.instance = photo
        obj.pk = photo.pk


class VideoAddForm(forms.ModelForm[Video]):
    url = forms.URLField(
        label=_("address"),
        required=False,
        assume_scheme="https",
        help_text=_("A YouTube, Vimeo or Facebook video address."),
    )
    upload = forms.FileField(
        label=_("MP4 file"),
        required=False,
        help_text=_("Or give a YouTube, Vimeo or Facebook address above."),
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/quicktime"}),
    )

    class Meta:
        model = Video
        fields = ("title", "url", "poster")

    def clean_upload(self) -> video.CleanVideo | None:
        upload = self.cleaned_data.get("upload")
        return video.clean_video(upload, size=upload.size) if upload else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("url")) == bool(data.get("upload")) and not self.errors:
            raise forms.ValidationError(
                _("Give either a video address or an MP4 file.")
            )
        return data


@admin.register(Video)
class VideoAdmin(UsageRules):
    """The newsroom's videos, under the same rules as photos: a journalist
    sees and changes only videos that no article of someone else's (or no
    story already out) shows, with posters from their own photos."""

    # Django 6's default, asked for now: an address typed without a scheme is https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "provider", "url", "duration")
    list_filter = ("provider",)
    search_fields = ("title", "url")
    raw_id_fields = ("poster",)
    fields = ("title", "poster")

    def get_form(
        self,
        request: HttpRequest,
        obj: Video | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> Any:
        if obj is None:
            kwargs["form"] = VideoAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Video | None = None) -> Any:
        return ("title", "url", "upload", "poster") if obj is None else self.fields

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "poster":
            kwargs["queryset"] = usage.changeable_by(request.user, Photo.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(
        self, request: HttpRequest, obj: Video, form: Any, change: bool
    ) -> None:
        if change:
            services.update_video(
                obj, by=request.user, title=obj.title, poster=obj.poster
            )
            return
        created = services.create_video(
            by=request.user,
            title=obj.title,
            url=obj.url,
            clean=form.cleaned_data.get("upload"),
            poster=obj.poster,
            name_hint=polish_slugify(obj.title, max_length=60),
        )
        form.instance = created
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Video) -> None:
        services.delete_video(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Video]) -> None:
        for row in queryset:
            services.delete_video(row, by=request.user)
