"""The moderation queue: approve, reject, remove with a reason, ban."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wiesci.accounts.forms import BanForm
from wiesci.accounts.services import ban_reader
from wiesci.comments import services
from wiesci.comments.models import Comment, ModerationSettings, RemovalReason, Report
from wiesci.comments.moderation import CommentRefused


class ReportInline(admin.TabularInline[Report, Comment]):
    model = Report
    extra = 0
    can_delete = False
    readonly_fields = ("reporter", "reason", "note", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatusFilter(admin.SimpleListFilter):
    """The queue opens on what waits for a decision."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [*Comment.Status.choices, ("all", _("all"))]

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "pending") == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> QuerySet[Comment]:
        value = self.value() or "pending"
        return queryset if value == "all" else queryset.filter(status=value)


class RemoveForm(forms.Form):
    reason = forms.ModelChoiceField(
        label=_("reason for removal"), queryset=RemovalReason.objects.all()
    )
    note = forms.CharField(
        label=_("note for the author"), required=False, widget=forms.Textarea
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin[Comment]):
    list_display = (
        "excerpt",
        "author",
        "article",
        "status",
        "held_because",
        "reports",
        "created_at",
    )
    list_filter = (StatusFilter, "held_because", "created_at")
    list_select_related = ("author", "article")
    search_fields = ("body", "author__email", "author__display_name", "article__title")
    readonly_fields = (
        "article",
        "author",
        "parent",
        "body",
        "status",
        "held_because",
        "created_at",
        "edited_at",
        "removal_reason",
        "removal_note",
        "moderated_by",
        "moderated_at",
    )
    fields = readonly_fields
    inlines = [ReportInline]
    actions = ["approve", "reject", "remove", "ban_authors"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        from django.db.models import Count

        return super().get_queryset(request).annotate(report_total=Count("reports"))

    @admin.display(description=_("text"))
    def excerpt(self, comment: Comment) -> str:
        return comment.body[:120]

    @admin.display(description=_("reports"), ordering="report_total")
    def reports(self, comment: Comment) -> int:
        return int(getattr(comment, "report_total", 0))

    def _done(self, request: HttpRequest, message: str, count: int) -> None:
        self.message_user(request, message % {"count": count})

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Comment],
        act: Callable[[Comment], object],
    ) -> int:
        """Apply `act` to every comment; report the ones a rule refused, go on."""
        done = 0
        for comment in queryset:
            try:
                act(comment)
            except CommentRefused as refusal:
                self.message_user(
                    request, f"{comment}: {refusal.message}", messages.WARNING
                )
            else:
                done += 1
        return done

    @admin.action(description=_("Approve"), permissions=["moderate"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        by = request.user
        done = self._each(
            request,
            queryset,
            lambda comment: services.approve_comment(comment, by=by),  # type: ignore[arg-type]
        )
        self._done(
            request,
            ngettext(
                "%(count)d comment approved.", "%(count)d comments approved.", done
            ),
            done,
        )

    @admin.action(description=_("Reject (spam, nonsense)"), permissions=["moderate"])
    def reject(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        by = request.user
        done = self._each(
            request,
            queryset,
            lambda comment: services.reject_comment(comment, by=by),  # type: ignore[arg-type]
        )
        self._done(
            request,
            ngettext(
                "%(count)d comment rejected.", "%(count)d comments rejected.", done
            ),
            done,
        )

    @admin.action(description=_("Remove with a reason…"), permissions=["moderate"])
    def remove(
        self, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> HttpResponse | None:
        form = RemoveForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            by = request.user
            done = self._each(
                request,
                queryset,
                lambda comment: services.remove_comment(
                    comment,
                    by=by,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                ),
            )
            self._done(
                request,
                ngettext(
                    "%(count)d comment removed; its author was told why.",
                    "%(count)d comments removed; their authors were told why.",
                    done,
                ),
                done,
            )
            return None
        return self._intermediate(
            request, queryset, form, "remove", gettext("Remove comments")
        )

    @admin.action(description=_("Ban the authors…"), permissions=["moderate"])
    def ban_authors(
        self, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> HttpResponse | None:
        form = BanForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            until = form.until()
            authors = {c.author for c in queryset.select_related("author") if c.author}
            for author in authors:
                ban_reader(
                    author,
                    by=request.user,
                    until=until,
                    reason=form.cleaned_data["reason"],
                )
            self._done(
                request,
                ngettext(
                    "%(count)d reader banned.",
                    "%(count)d readers banned.",
                    len(authors),
                ),
                len(authors),
            )
            return None
        return self._intermediate(
            request, queryset, form, "ban_authors", gettext("Ban readers")
        )

    def _intermediate(
        self,
        request: HttpRequest,
        queryset: QuerySet[Comment],
        form: forms.Form,
        action: str,
        title: str,
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "comments": queryset,
            "form": form,
            "action": action,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        }
        return TemplateResponse(
            request, "admin/comments/comment/action_form.html", context
        )

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("comments.moderate_comment")


@admin.register(RemovalReason)
class RemovalReasonAdmin(admin.ModelAdmin[RemovalReason]):
    list_display = ("name", "explanation", "position")
    list_editable = ("position",)


@admin.register(ModerationSettings)
class ModerationSettingsAdmin(admin.ModelAdmin[ModerationSettings]):
    """One row: the list view opens it straight away."""

    def changelist_view(
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        settings = ModerationSettings.current()
        return HttpResponseRedirect(
            reverse("admin:comments_moderationsettings_change", args=[settings.pk])
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
