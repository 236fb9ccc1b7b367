from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from wiesci.core.editorial_admin import EditorialAdmin
from wiesci.events import services
from wiesci.events.dashboard import NEEDS_REPORT
from wiesci.events.models import Event


class NeedsReportFilter(SimpleListFilter):
    title = _("report")
    parameter_name = NEEDS_REPORT

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", _("over, without a report"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Event]
    ) -> QuerySet[Event]:
        if self.value() == "1":
            return queryset.filter(pk__in=Event.objects.needing_report().values("pk"))
        return queryset


@admin.register(Event)
class EventAdmin(EditorialAdmin):
    workflow = services.WORKFLOW
    transitions = {
        "submit": services.submit_event,
        "publish": services.publish_event,
        "return": services.return_event,
        "withdraw": services.withdraw_event,
    }
    record_saved = services.record_event_saved
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "starts_at", "place", "kind", "status", "report")
    list_filter = (NeedsReportFilter, "status", "kind", "place")
    list_select_related = ("place", "report")
    search_fields = ("title", "description", "address")
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)
    autocomplete_fields = ("venue", "place", "organisers", "photo", "preview", "report")
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "description", "photo")}),
        (_("When"), {"fields": ("starts_at", "ends_at", "all_day")}),
        (_("Where"), {"fields": ("venue", "place", "address")}),
        (
            _("Organisers and admission"),
            {"fields": ("organisers", "is_free", "price", "link")},
        ),
        (_("Articles"), {"fields": ("preview", "report")}),
    )
