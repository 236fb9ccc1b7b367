from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wiesci.distribution.models import PortalProfile


@admin.register(PortalProfile)
class PortalProfileAdmin(admin.ModelAdmin[PortalProfile]):
    """One row: the list view opens it straight away."""

    fieldsets = [
        (None, {"fields": ["short_name", "description", "email", "theme_color"]}),
        (_("Logo and icon"), {"fields": ["logo", "icon"]}),
        (
            _("Social profiles"),
            {"fields": ["facebook", "instagram", "youtube", "x", "tiktok", "linkedin"]},
        ),
        (_("Last change"), {"fields": ["changed_by", "modified_at"]}),
    ]
    readonly_fields = ["changed_by", "modified_at"]

    def changelist_view(
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        profile, _ = PortalProfile.objects.get_or_create(pk=1)
        return HttpResponseRedirect(
            reverse("admin:distribution_portalprofile_change", args=[profile.pk])
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: PortalProfile, form: Any, change: bool
    ) -> None:
        obj.changed_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
