"""The newsroom's list of newsletter subscribers: find an address, see where
it stands, suppress it. Nobody adds one here: a subscription needs the
reader's own confirmation (double opt-in)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wiesci.accounts.access import acting_user
from wiesci.core.actors import SYSTEM_ACTORS
from wiesci.newsletter import services
from wiesci.newsletter.models import Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin[Subscriber]):
    list_display = ("email", "status", "reason", "created_at", "confirmed_at")
    list_filter = ("status", "reason")
    search_fields = ("email",)
    ordering = ("-created_at",)
    actions = ("suppress",)
    # Every change goes through the services (the action below): the form
    # only shows the row.
    readonly_fields = (
        "email",
        "status",
        "reason",
        "created_at",
        "confirmed_at",
        "ended_at",
        "confirmation_sent_at",
        "consent_text",
        "consent_version",
        "last_change_by",
    )
    fields = readonly_fields

    @admin.display(description=_("last changed by"))
    def last_change_by(self, subscriber: Subscriber) -> str:
        if subscriber.changed_by_id is not None:
            return str(subscriber.changed_by)
        actor = SYSTEM_ACTORS.get(subscriber.changed_by_system)
        return str(actor.label) if actor else str(_("the address's owner, by its link"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Any, form: Any, change: Any
    ) -> None:
        """Nothing to save: every field is read-only."""

    @admin.action(
        description=_("Suppress the selected addresses"), permissions=["change"]
    )
    def suppress(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        count = 0
        for subscriber in queryset:
            services.suppress(
                subscriber, by=acting_user(request), reason=Subscriber.Reason.EDITOR
            )
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d address suppressed.",
                "%(count)d addresses suppressed.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
