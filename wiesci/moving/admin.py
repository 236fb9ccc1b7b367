from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from wiesci.moving.models import ImportedItem, Redirect


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin[Redirect]):
    """The old addresses of an imported portal. Only administrators change
    them: a redirect answers for an address of the portal."""

    list_display = ["__str__", "source", "created_at"]
    list_filter = ["source"]
    search_fields = ["path", "query", "target"]
    fields = ["path", "query", "target", "source"]


@admin.register(ImportedItem)
class ImportedItemAdmin(admin.ModelAdmin[ImportedItem]):
    """What came in from where: a record the importer keeps, read only."""

    list_display = ["__str__", "target_id", "imported_at"]
    list_filter = ["source", "kind"]
    search_fields = ["key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
