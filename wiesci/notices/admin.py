from __future__ import annotations

from typing import Any

from django.contrib import admin

from wiesci.core.editorial_admin import EditorialAdmin
from wiesci.notices import services
from wiesci.notices.models import Notice, NoticeAttachment


class AttachmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = NoticeAttachment
    extra = 1
    readonly_fields = ("sha256", "size")
    fields = ("title", "file", "position", "sha256", "size")


@admin.register(Notice)
class NoticeAdmin(EditorialAdmin):
    workflow = services.WORKFLOW
    transitions = {
        "submit": services.submit_notice,
        "publish": services.publish_notice,
        "return": services.return_notice,
        "withdraw": services.withdraw_notice,
    }
    record_saved = services.record_notice_saved
    inlines = [AttachmentInline]
    list_display = (
        "title",
        "issuer",
        "reference",
        "published_at",
        "stays_until",
        "status",
    )
    list_filter = ("status", "issuer")
    list_select_related = ("issuer",)
    search_fields = ("title", "reference", "body")
    autocomplete_fields = ("issuer", "places")
    fields = ("title", "slug", "issuer", "reference", "stays_until", "places", "body")
    change_form_template = "admin/notices/notice/change_form.html"

    def has_delete_permission(self, request: Any, obj: Notice | None = None) -> bool:
        # Once published, a notice has a proof to keep: it is withdrawn, never deleted.
        if obj is not None and obj.proof.exists():
            return False
        return super().has_delete_permission(request, obj)
