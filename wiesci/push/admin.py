"""What the newsroom sees of the notifications: how many browsers want which
sections, and what each breaking story's push reached. Nobody adds or edits
a row here: subscriptions come from readers' browsers, broadcasts from
marking a story breaking."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wiesci.push.models import Broadcast, PushSubscription


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PushSubscription)
class PushSubscriptionAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "wanted_sections",
        "created_at",
        "last_success_at",
        "failures",
    )
    list_filter = ("sections",)
    ordering = ("-created_at",)
    # The endpoint and the keys are the reader's browser's secrets.
    fields = ("wanted_sections", "user", "created_at", "last_success_at", "failures")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PushSubscription]:
        return super().get_queryset(request).prefetch_related("sections")

    @admin.display(description=_("sections"))
    def wanted_sections(self, subscription: PushSubscription) -> str:
        names = [section.name for section in subscription.sections.all()]
        return ", ".join(names) if names else str(_("all sections"))


@admin.register(Broadcast)
class BroadcastAdmin(ReadOnlyAdmin):
    list_display = (
        "text",
        "article",
        "created_at",
        "sent_count",
        "removed_count",
        "failed_count",
        "finished_at",
    )
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    fields = (
        "text",
        "article",
        "breaking_until",
        "created_at",
        "sent_count",
        "removed_count",
        "failed_count",
        "finished_at",
    )
    readonly_fields = fields
    list_select_related = ("article",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The row is what keeps a story from being pushed twice in one period.
        return False
