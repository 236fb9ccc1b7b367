"""The newsroom's screens for events and notices: one workflow, one set of buttons.

`EditorialAdmin` is a ModelAdmin whose form ends with the workflow's buttons
(send for review, publish, return with a note, withdraw), each calling the
app's service; saves are logged through the app's `record_saved`. Editors
change anything; a journalist changes only their own draft and sees the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from wiesci.core.editorial import Action, Editorial, Status, Workflow

Transition = Callable[..., Any]


def acting_user(request: HttpRequest) -> Any:
    """The logged-in staff member a screen acts for (as accounts.access does)."""
    if not request.user.is_authenticated:
        raise PermissionDenied
    return request.user


class EditorialAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    change_form_template = "admin/editorial/change_form.html"
    workflow: Workflow
    # name → service(row, by=…, note=…); the app binds its own services.
    transitions: dict[str, Transition] = {}
    record_saved: Callable[..., Any]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = [
            "status",
            "published_at",
            *super().get_readonly_fields(request, obj),
        ]
        return readonly

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["review_note"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return super().has_change_permission(request) and self.workflow.can_edit(
            request.user, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.workflow.can_publish(
            request.user
        ) and super().has_delete_permission(request, obj)

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        # Logged once the row and its relations (organisers, attachments)
        # are saved, so that the log and the proof see all of it.
        super().save_related(request, form, formsets, change)
        type(self).record_saved(
            form.instance, by=acting_user(request), created=not change
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.workflow.record(obj, acting_user(request), Action.DELETED, str(obj))
        super().delete_model(request, obj)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        transition = request.POST.get("_transition")
        if transition:
            self.run_transition(request, obj, transition)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        transition = request.POST.get("_transition")
        if transition:
            self.run_transition(request, obj, transition)
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]
                )
            )
        return super().response_add(request, obj, post_url_continue)

    def run_transition(self, request: HttpRequest, row: Editorial, name: str) -> None:
        messages_for = {
            "submit": _("Sent to the editors for review."),
            "publish": _("Published."),
            "return": _("Returned to the author with your note."),
            "withdraw": _("Withdrawn."),
        }
        row.refresh_from_db()
        try:
            service = self.transitions.get(name)
            if service is None:
                raise ValidationError(_("Unknown action."))
            if name in ("return", "withdraw"):
                service(
                    row,
                    by=acting_user(request),
                    note=request.POST.get("review_note", ""),
                )
            else:
                service(row, by=acting_user(request))
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(
                getattr(error, "messages", [str(error) or _("Not allowed.")])
            )
            self.message_user(request, text, messages.ERROR)
        else:
            self.message_user(request, messages_for[name], messages.SUCCESS)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        obj = context.get("original")
        context["can_publish"] = self.workflow.can_publish(request.user)
        context["can_edit"] = obj is None or self.workflow.can_edit(request.user, obj)
        if obj is not None and obj.status == Status.DRAFT and obj.review_note:
            context["review_note"] = obj.review_note
        if obj is not None:
            context["log"] = obj.log.select_related("by")[:20]
        return super().render_change_form(request, context, *args, **kwargs)
