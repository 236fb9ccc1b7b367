"""The newsroom's live desk: a list of coverages and, for each, one compact
screen to post an update in seconds from a phone, keep the key facts and end
the coverage. Every write goes through `services`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wiesci.live import access, services
from wiesci.live.forms import FactsForm, StartForm, UpdateForm
from wiesci.live.models import Coverage, Update
from wiesci.photos.models import Photo, Video
from wiesci.photos.services import create_photo, create_video

DESK_LOG_ENTRIES = 15


@admin.register(Coverage)
class CoverageAdmin(admin.ModelAdmin[Coverage]):
    form = StartForm
    list_display = ("article", "live", "updates", "started_at", "changed_at")
    list_select_related = ("article",)
    autocomplete_fields = ("article",)
    fields = ("article", "key_facts")
    ordering = ("-changed_at",)
    change_list_template = "admin/live/coverage/change_list.html"

    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        # "Add <name>" would need the accusative in Polish: say what it does.
        context = {"title": _("Start live coverage"), **(extra_context or {})}
        return super().add_view(request, form_url, context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Coverage]:
        return super().get_queryset(request).annotate(update_count=Count("updates"))

    @admin.display(boolean=True, description=gettext_lazy("live"))
    def live(self, coverage: Coverage) -> bool:
        return coverage.is_live

    @admin.display(description=gettext_lazy("updates"), ordering="update_count")
    def updates(self, coverage: Any) -> int:
        return int(coverage.update_count)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and access.can_run(request.user)

    def has_change_permission(
        self, request: HttpRequest, obj: Coverage | None = None
    ) -> bool:
        return super().has_change_permission(request, obj) and access.can_run(
            request.user
        )

    def has_delete_permission(
        self, request: HttpRequest, obj: Coverage | None = None
    ) -> bool:
        return False  # coverage ends, and its updates stay with the article

    def save_model(
        self, request: HttpRequest, obj: Coverage, form: Any, change: bool
    ) -> None:
        # Only the add form saves here: the desk below handles the rest.
        services.start_coverage(obj.article, by=request.user, key_facts=obj.key_facts)

    def response_add(
        self, request: HttpRequest, obj: Coverage, post_url_continue: str | None = None
    ) -> HttpResponse:
        """Straight to the desk, where the first update is written."""
        messages.success(request, _("The coverage is live: write its first update."))
        return HttpResponseRedirect(
            reverse("admin:live_coverage_change", args=[obj.pk])
        )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:object_id>/wpis/<int:update_id>/",
                self.admin_site.admin_view(self.update_view),
                name="live_coverage_update",
            ),
            *super().get_urls(),
        ]

    # The desk

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        coverage = get_object_or_404(
            Coverage.objects.select_related("article"), pk=object_id
        )
        if not self.has_view_permission(request, coverage):
            raise PermissionDenied
        user = request.user
        update_form = UpdateForm()
        facts_form = FactsForm(initial={"key_facts": coverage.key_facts})
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                if action == "post":
                    update_form = UpdateForm(request.POST, request.FILES)
                    if update_form.is_valid() and self._post(
                        request, coverage, update_form
                    ):
                        messages.success(request, _("The update is on the page."))
                        return HttpResponseRedirect(request.path)
                elif action == "facts":
                    facts_form = FactsForm(request.POST)
                    if facts_form.is_valid():
                        services.set_key_facts(
                            coverage,
                            by=user,
                            key_facts=facts_form.cleaned_data["key_facts"],
                        )
                        messages.success(request, _("The key facts are saved."))
                        return HttpResponseRedirect(request.path)
                elif action == "end":
                    services.end_coverage(coverage, by=user)
                    messages.success(request, _("The coverage has ended."))
                    return HttpResponseRedirect(request.path)
                elif action == "resume":
                    services.resume_coverage(coverage, by=user)
                    messages.success(request, _("The coverage is live again."))
                    return HttpResponseRedirect(request.path)
            except services.NotAllowed as refused:
                messages.error(request, str(refused))
            except ValidationError as error:
                form = facts_form if action == "facts" else update_form
                _errors_onto(form, error)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Live desk: %(article)s") % {"article": coverage.article.title},
            "coverage": coverage,
            "article": coverage.article,
            "update_form": update_form,
            "facts_form": facts_form,
            "updates": coverage.updates.order_by("-at", "-pk"),
            "log": coverage.log.select_related("by")[:DESK_LOG_ENTRIES],
            "can_post": access.can_post(user),
            "can_run": access.can_run(user),
        }
        return TemplateResponse(request, "admin/live/coverage/desk.html", context)

    def _post(self, request: HttpRequest, coverage: Coverage, form: UpdateForm) -> bool:
        """Post the form's update; False (errors on the form) if refused."""
        try:
            with transaction.atomic():
                photo, video = _media(request, form)
                services.add_update(
                    coverage,
                    by=request.user,
                    text=form.cleaned_data["text"],
                    photo=photo,
                    video=video,
                )
        except ValidationError as error:
            _errors_onto(form, error)
            return False
        return True

    def update_view(
        self, request: HttpRequest, object_id: int, update_id: int
    ) -> HttpResponse:
        """Edit or delete one update."""
        update = get_object_or_404(
            Update.objects.select_related("coverage__article", "photo", "video"),
            pk=update_id,
            coverage_id=object_id,
        )
        user = request.user
        if not access.can_edit(user, update):
            raise PermissionDenied
        desk = reverse("admin:live_coverage_change", args=[object_id])
        form = UpdateForm(
            initial={"text": update.text}, editing=True, use_required_attribute=False
        )
        if request.method == "POST":
            try:
                if request.POST.get("action") == "delete":
                    services.delete_update(update, by=user)
                    messages.success(request, _("The update is deleted."))
                    return HttpResponseRedirect(desk)
                form = UpdateForm(request.POST, request.FILES, editing=True)
                if form.is_valid():
                    with transaction.atomic():
                        photo, video = _media(request, form)
                        # A new photo or video replaces what the update showed.
                        keep = not form.cleaned_data["remove_media"]
                        if keep and photo is None and video is None:
                            photo, video = update.photo, update.video
                        services.edit_update(
                            update,
                            by=user,
                            text=form.cleaned_data["text"],
                            photo=photo,
                            video=video,
                        )
                    messages.success(request, _("The update is saved."))
                    return HttpResponseRedirect(desk)
            except services.NotAllowed as refused:
                messages.error(request, str(refused))
            except ValidationError as error:
                _errors_onto(form, error)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Edit the update of %(time)s") % {"time": f"{update.at:%H:%M}"},
            "coverage": update.coverage,
            "update": update,
            "form": form,
            "desk": desk,
            "can_delete": access.can_delete(user),
        }
        return TemplateResponse(request, "admin/live/coverage/update.html", context)


def _media(request: HttpRequest, form: UpdateForm) -> tuple[Photo | None, Video | None]:
    """The photo or the video the form brings, added to the library."""
    data = form.cleaned_data
    photo = video = None
    if data.get("photo"):
        upload = data["photo"]
        try:
            photo = create_photo(
                upload,
                by=request.user,
                filename=upload.name or "zdjecie.jpg",
                caption=data["caption"],
                credit=data["credit"],
                alt_text=data["alt_text"],
                name_hint=data["text"][:60],
                renditions="now",
            )
        except ValidationError as rejected:
            raise ValidationError({"photo": rejected.messages}) from rejected
    if data.get("video_url"):
        try:
            video = create_video(
                by=request.user,
                title=data["text"][:100] or _("Video"),
                url=data["video_url"],
            )
        except ValidationError as rejected:
            raise ValidationError({"video_url": rejected.messages}) from rejected
    return photo, video


def _errors_onto(form: Any, error: ValidationError) -> None:
    """Put a refusal onto the form, by field where it names one the form has."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
