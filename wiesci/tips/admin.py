"""The newsroom's inbox of readers' tips: read them, see their photos (through
a preview without metadata), give them to a colleague, note what was found,
turn one into an article draft. Nobody adds a tip here: readers send them
through the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from wiesci.accounts.access import acting_user
from wiesci.accounts.models import User
from wiesci.core.actors import SYSTEM_ACTORS
from wiesci.tips import access, services
from wiesci.tips.models import Tip, TipAttachment


class TipForm(forms.ModelForm[Tip]):
    class Meta:
        model = Tip
        fields = ("status", "assigned_to", "note")


def _thumbnails(tip: Tip, *, limit: int | None = None) -> SafeString:
    photos = [a for a in tip.attachments.all() if a.kind == TipAttachment.Kind.PHOTO]
    rows = []
    for number, photo in enumerate(photos[:limit], start=1):
        url = reverse("tips:preview", args=[photo.pk])
        label = _("Photo %(number)d of tip %(reference)s") % {
            "number": number,
            "reference": tip.reference,
        }
        rows.append((url, url + "?maly", label))
    return format_html_join(
        " ",
        '<a href="{}" target="_blank" rel="noopener"><img src="{}" alt="{}" '
        'width="160" class="admin-thumbnail" loading="lazy"></a>',
        rows,
    )


@admin.register(Tip)
class TipAdmin(admin.ModelAdmin[Tip]):
    form = TipForm
    change_form_template = "admin/tips/tip/change_form.html"
    list_display = (
        "reference",
        "created_at",
        "status",
        "summary",
        "place",
        "assigned_to",
        "files",
        "thumbnail",
    )
    list_filter = ("status", ("assigned_to", admin.RelatedOnlyFieldListFilter))
    search_fields = ("reference", "text", "place")
    ordering = ("-created_at",)
    actions = ("assign_to_me", "mark_checking", "mark_turned_down")
    readonly_fields = (
        "reference",
        "created_at",
        "text",
        "place",
        "happened",
        "photos",
        "video",
        "contact",
        "credit",
        "consents",
        "draft",
        "history",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tip]:
        return (
            super()
            .get_queryset(request)
            .select_related("assigned_to", "article")
            .prefetch_related("attachments")
            .annotate(file_count=Count("attachments"))
        )

    def get_fields(self, request: HttpRequest, obj: Tip | None = None) -> Any:
        fields = [
            "reference",
            "created_at",
            "status",
            "assigned_to",
            "text",
            "place",
            "happened",
            "photos",
            "video",
        ]
        if access.may_see_contact(request.user):
            fields.append("contact")
        return [*fields, "credit", "consents", "note", "draft", "history"]

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "assigned_to":
            kwargs["queryset"] = User.objects.filter(
                is_staff=True, is_active=True
            ).order_by("first_name", "username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- What the list and the page show -------------------------------------

    @admin.display(description=gettext_lazy("what happened"))
    def summary(self, tip: Tip) -> str:
        return Truncator(tip.text).chars(80)

    @admin.display(description=gettext_lazy("attached files"))
    def files(self, tip: Tip) -> int:
        return int(getattr(tip, "file_count", 0))

    @admin.display(description=gettext_lazy("photo"))
    def thumbnail(self, tip: Tip) -> SafeString:
        return _thumbnails(tip, limit=1)

    @admin.display(description=gettext_lazy("photos"))
    def photos(self, tip: Tip) -> SafeString:
        return _thumbnails(tip) or SafeString("—")

    @admin.display(description=gettext_lazy("video"))
    def video(self, tip: Tip) -> str:
        videos = [a for a in tip.attachments.all() if a.kind == "video"]
        if not videos:
            return "—"
        return _("An MP4 file (it becomes the draft's video).")

    @admin.display(description=gettext_lazy("how to reach the reader"))
    def contact(self, tip: Tip) -> SafeString:
        return format_html_join(
            "",
            "<p>{}: {}</p>",
            [
                (label, value or "—")
                for label, value in (
                    (_("reader's name"), tip.name),
                    (_("e-mail"), tip.email),
                    (_("phone number"), tip.phone),
                )
            ],
        )

    @admin.display(description=gettext_lazy("credit"))
    def credit(self, tip: Tip) -> str:
        if tip.credit:
            return _("The reader agreed to be named: %(name)s") % {"name": tip.credit}
        return _("Do not name the reader: credit “a reader”.")

    @admin.display(description=gettext_lazy("consents given"))
    def consents(self, tip: Tip) -> SafeString:
        texts = [tip.terms_text]
        if tip.credit_consent:
            texts.append(tip.credit_consent_text)
        return format_html_join("", "<p>{}</p>", [(text,) for text in texts])

    @admin.display(description=gettext_lazy("article draft"))
    def draft(self, tip: Tip) -> SafeString | str:
        if tip.article is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:articles_article_change", args=[tip.article.pk]),
            tip.article.title,
        )

    @admin.display(description=gettext_lazy("history"))
    def history(self, tip: Tip) -> SafeString:
        rows = []
        for event in tip.events.select_related("by"):
            if event.by is not None:
                who = str(event.by)
            elif event.by_system in SYSTEM_ACTORS:
                who = str(SYSTEM_ACTORS[event.by_system].label)
            else:
                who = _("the reader")
            rows.append(
                (
                    timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
                    event.get_action_display(),
                    event.detail,
                    who,
                )
            )
        return format_html_join("", "<p>{} · {} {} · {}</p>", rows)

    # --- Who may do what ----------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    # --- Every change goes through the services -----------------------------

    def save_model(
        self, request: HttpRequest, obj: Tip, form: Any, change: bool
    ) -> None:
        by = acting_user(request)
        data = form.cleaned_data
        if "status" in form.changed_data:
            services.change_status(obj, by=by, status=data["status"])
        if "assigned_to" in form.changed_data:
            services.assign_tip(obj, by=by, to=data["assigned_to"])
        if "note" in form.changed_data:
            services.update_note(obj, by=by, note=data["note"])

    def delete_model(self, request: HttpRequest, obj: Tip) -> None:
        services.delete_tip(obj, by=acting_user(request))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Tip]) -> None:
        for tip in queryset:
            services.delete_tip(tip, by=acting_user(request))

    def response_change(self, request: HttpRequest, obj: Tip) -> HttpResponse:
        if "_draft" not in request.POST:
            return super().response_change(request, obj)
        try:
            article = services.turn_into_draft(obj, by=acting_user(request))
        except ValidationError as refusal:
            self.message_user(request, " ".join(refusal.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)
        except services.NotAllowed as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.path)
        self.message_user(
            request,
            _("The draft is ready: check it, describe the photos, then send it on."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[article.pk])
        )

    # --- Actions -----------------------------------------------------------------

    def _done(self, request: HttpRequest, count: int) -> None:
        self.message_user(
            request,
            ngettext("%(count)d tip changed.", "%(count)d tips changed.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Assign to me"), permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Tip]) -> None:
        by = acting_user(request)
        tips = list(queryset)
        for tip in tips:
            services.assign_tip(tip, by=by, to=by)
        self._done(request, len(tips))

    @admin.action(
        description=gettext_lazy("Mark as being checked"), permissions=["change"]
    )
    def mark_checking(self, request: HttpRequest, queryset: QuerySet[Tip]) -> None:
        by = acting_user(request)
        tips = list(queryset)
        for tip in tips:
            services.change_status(tip, by=by, status=Tip.Status.CHECKING)
        self._done(request, len(tips))

    @admin.action(description=gettext_lazy("Turn down"), permissions=["change"])
    def mark_turned_down(self, request: HttpRequest, queryset: QuerySet[Tip]) -> None:
        by = acting_user(request)
        tips = list(queryset)
        for tip in tips:
            services.change_status(tip, by=by, status=Tip.Status.REJECTED)
        self._done(request, len(tips))
