"""The moderation queue: approve, reject, remove with a reason, ban."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wiesci.accounts.forms import BanForm
from wiesci.accounts.services import ban_reader
from wiesci.comments import services, transparency
from wiesci.comments.models import (
    Appeal,
    Comment,
    ModerationSettings,
    RemovalReason,
    Report,
)
from wiesci.comments.moderation import CommentRefused


class ReportInline(admin.TabularInline[Report, Comment]):
    model = Report
    extra = 0
    can_delete = False
    fields = ("sender", "reason", "note", "created_at", "outcome", "resolved_by")
    readonly_fields = fields

    @admin.display(description=_("reported by"))
    def sender(self, report: Report) -> str:
        if report.reporter is not None:
            return str(report.reporter)
        return gettext("an anonymous reader")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


QUEUE = "queue"


class StatusFilter(admin.SimpleListFilter):
    """The queue opens on what waits for a decision: comments held for
    approval and comments with open reports, the most reported first."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            (QUEUE, _("waiting for a decision or reported")),
            *Comment.Status.choices,
            ("all", _("all")),
        ]

    def choices(self, changelist: Any) -> Any:
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or QUEUE) == lookup,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: lookup}
                ),
                "display": title,
            }

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Comment]
    ) -> QuerySet[Comment]:
        value = self.value() or QUEUE
        if value == QUEUE:
            return queryset.filter(
                Q(status=Comment.Status.PENDING) | Q(open_reports__gt=0)
            )
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

    def get_ordering(self, request: HttpRequest) -> Any:
        """The queue: the most reported first, then the longest waiting."""
        if request.GET.get(StatusFilter.parameter_name, QUEUE) == QUEUE:
            return ("-open_reports", "created_at")
        return super().get_ordering(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        # Annotated before the ordering, which may sort by it.
        queryset = Comment.objects.with_open_reports()
        return queryset.order_by(*(self.get_ordering(request) or ()))

    @admin.display(description=_("text"))
    def excerpt(self, comment: Comment) -> str:
        return comment.body[:120]

    @admin.display(description=_("open reports"), ordering="open_reports")
    def reports(self, comment: Comment) -> int:
        return int(getattr(comment, "open_reports", 0))

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

    def get_urls(self) -> list[Any]:
        from django.urls import path

        return [
            path(
                "przejrzystosc/",
                self.admin_site.admin_view(self.transparency_view),
                name="comments_transparency",
            ),
            *super().get_urls(),
        ]

    def transparency_view(self, request: HttpRequest) -> HttpResponse:
        """The yearly transparency count, on screen and as a CSV file."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        this_year = timezone.localdate().year
        try:
            year = int(request.GET.get("rok", this_year))
        except ValueError:
            year = this_year
        year = min(max(year, 2000), this_year)
        if request.GET.get("format") == "csv":
            response = HttpResponse(
                transparency.as_csv(year), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = (
                f'attachment; filename="przejrzystosc-{year}.csv"'
            )
            return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Transparency report %(year)d") % {"year": year},
            "year": year,
            "years": range(this_year, max(this_year - 5, 2000) - 1, -1),
            "rows": transparency.counts(year),
        }
        return TemplateResponse(
            request, "admin/comments/comment/transparency.html", context
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {"transparency_url": reverse("admin:comments_transparency")}
        return super().changelist_view(request, {**(extra_context or {}), **extra})


class AppealDecisionForm(forms.ModelForm[Appeal]):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            ("", _("— not decided yet —")),
            ("uphold", _("Uphold the removal")),
            ("restore", _("Restore the comment")),
        ],
        required=False,
    )

    class Meta:
        model = Appeal
        fields = ("decision_note",)


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin[Appeal]):
    """Appeals against removals: decided by a moderator other than the one
    who removed the comment (DSA Article 20)."""

    form = AppealDecisionForm
    list_display = ("comment", "appellant", "created_at", "status", "removed_by")
    list_filter = ("status",)
    list_select_related = ("comment", "appellant", "removed_by")
    readonly_fields = (
        "comment_text",
        "removal",
        "appellant",
        "text",
        "created_at",
        "removed_by",
        "status",
        "decided_by",
        "decided_at",
    )

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(self.readonly_fields)
        if obj is not None and obj.status == Appeal.Status.PENDING:
            fields += ["decision", "decision_note"]
        elif obj is not None:
            fields.append("decision_note")
        return fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status != Appeal.Status.PENDING:
            return (*self.readonly_fields, "decision_note")
        return self.readonly_fields

    @admin.display(description=_("comment"))
    def comment_text(self, appeal: Appeal) -> str:
        return appeal.comment.body

    @admin.display(description=_("reason for removal"))
    def removal(self, appeal: Appeal) -> str:
        comment = appeal.comment
        parts = [str(comment.removal_reason or ""), comment.removal_note]
        return " — ".join(part for part in parts if part)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("comments.moderate_comment")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("comments.moderate_comment")

    def save_model(
        self, request: HttpRequest, obj: Appeal, form: Any, change: bool
    ) -> None:
        decision = form.cleaned_data.get("decision")
        if not decision:
            self.message_user(
                request, gettext("Choose a decision first."), messages.WARNING
            )
            obj._refused = True  # type: ignore[attr-defined]
            return
        try:
            services.decide_appeal(
                obj,
                by=request.user,  # type: ignore[arg-type]
                restore=decision == "restore",
                note=form.cleaned_data.get("decision_note", ""),
            )
        except (CommentRefused, PermissionDenied) as refusal:
            text = getattr(refusal, "message", None) or str(refusal)
            self.message_user(request, text, messages.ERROR)
            # Seen by response_change, which gets this same object.
            obj._refused = True  # type: ignore[attr-defined]

    def response_change(self, request: HttpRequest, obj: Appeal) -> HttpResponse:
        if getattr(obj, "_refused", False):
            return HttpResponseRedirect(request.path)
        self.message_user(
            request,
            gettext("The appeal is decided; its author has been told by e-mail."),
        )
        return HttpResponseRedirect(reverse("admin:comments_appeal_changelist"))


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
