"""The newsroom's desk: articles, bylines and labels in the Django admin.

Presentation only: saving, status changes, corrections and share links all go
through `services`, and who may do what through `access`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_prose_editor.widgets import AdminProseEditorWidget

from wiesci.accounts.access import acting_user
from wiesci.articles import access, services
from wiesci.articles.admin_views import NewsroomViews
from wiesci.articles.dashboard import MineFilter
from wiesci.articles.forms import MultipleFileField, MultipleFileInput
from wiesci.articles.models import Article, AuditEntry, Author, Correction, Label
from wiesci.core.text import local_time
from wiesci.photos.models import Photo
from wiesci.photos.templatetags.photos import picture

# What the body editor offers: what articles use, nothing more. The model
# sanitises whatever arrives with the same list (`BODY_TAGS`).
BODY_EDITOR: dict[str, Any] = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [2, 3]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HardBreak": True,
        "Link": {
            "enableTarget": False,
            "protocols": ["http", "https", "mailto", "tel"],
        },
        "Figure": True,
        "Caption": True,
        "Image": True,
        "History": True,
    }
}


def body_editor_config(request: HttpRequest) -> dict[str, Any]:
    """The body editor; on an article's change form its image dialog can
    browse the article's gallery."""
    match = request.resolver_match
    article_id = match.kwargs.get("object_id") if match else None
    if not (article_id and str(article_id).isdigit()):
        return BODY_EDITOR
    picker = reverse("admin:articles_article_image_picker", args=[int(article_id)])
    extensions = {**BODY_EDITOR["extensions"], "Figure": {"pickerUrl": picker}}
    return {**BODY_EDITOR, "extensions": extensions}


PUBLICATION_FIELDS = (
    "published_at",
    "updated_at",
    "is_featured",
    "pinned_until",
    "is_sponsored",
    "breaking_text",
    "breaking_until",
    "comments_open",
    "comments_premoderated",
    "withdrawal_note",
)


class AuditInline(admin.TabularInline[AuditEntry, Article]):
    model = AuditEntry
    extra = 0
    can_delete = False
    fields = ("at", "who", "action", "note")
    readonly_fields = fields
    verbose_name_plural = _("history")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("by"))
    def who(self, entry: AuditEntry) -> str:
        return entry.actor


class CorrectionInline(admin.TabularInline[Correction, Article]):
    model = Correction
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "text", "by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # added through the workflow box, which records them


class PhotoChoices(forms.RadioSelect):
    """The main photo picked from the article's own photos, by thumbnail."""

    option_template_name = "admin/articles/article/photo_option.html"

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        photo = getattr(option["value"], "instance", None)
        option["thumbnail"] = (
            picture(
                photo,
                "mini",
                sizes="8rem",
                loading="eager",
                css_class="photo-choice__image",
            )
            if photo is not None
            else ""
        )
        return option


class ArticleForm(forms.ModelForm[Article]):
    correction = forms.CharField(
        label=_("New correction or update note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Shown under the title with today's date and listed on the corrections "
            "page."
        ),
    )
    correction_kind = forms.ChoiceField(
        label=_("kind"), choices=Correction.Kind.choices, required=False
    )
    # Photos dropped on the article's own screen join its gallery on saving;
    # a public story's photos are described one by one on the gallery screen.
    new_photos = MultipleFileField(
        label=_("Add photos to the gallery"),
        required=False,
        help_text=_(
            "Drop photos here or choose them; they join the gallery when you save."
        ),
        widget=MultipleFileInput(
            attrs={"accept": "image/*", "multiple": True, "class": "photo-drop"}
        ),
    )

    class Meta:
        model = Article
        # The admin's fieldsets choose the fields; these are the ones it edits.
        fields = ("title", "slug", "lead", "body", "section")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("main_photo")
        if isinstance(field, forms.ModelChoiceField):
            article = self.instance
            own = (
                Photo.objects.filter(gallery_items__article=article.pk)
                if article.pk
                else Photo.objects.none()
            )
            if article.main_photo_id:
                own = own | Photo.objects.filter(pk=article.main_photo_id)
            field.queryset = own.distinct().order_by("pk")
            field.widget = PhotoChoices()
            field.widget.choices = field.choices
            field.empty_label = gettext("None: the gallery's first photo")
            field.help_text = gettext(
                "Chosen from the article's gallery: add photos there first."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("is_sponsored")
            and not Label.objects.filter(is_sponsored=True).exists()
        ):
            raise ValidationError(
                _(
                    "Sponsored content needs a label marked as sponsored; "
                    "add it under Labels."
                )
            )
        main = data.get("main_photo")
        public = self.instance.pk is not None and self.instance.needs_alt_texts
        if main is not None and public and not main.alt_text.strip():
            self.add_error(
                "main_photo",
                _(
                    "This article is published or scheduled, so its main photo "
                    "needs an alternative text: describe the photo first."
                ),
            )
        return data


# The article search of the newsroom, given by the search app above this one
# (see `register_admin_search`); without it, Django's search over titles.
_admin_search: list[Callable[[QuerySet[Article], str], QuerySet[Article]]] = []


def register_admin_search(
    search: Callable[[QuerySet[Article], str], QuerySet[Article]],
) -> None:
    """`search(queryset, text)` narrows the newsroom's article list to `text`."""
    _admin_search[:] = [search]


@admin.register(Article)
class ArticleAdmin(NewsroomViews, admin.ModelAdmin[Article]):
    form = ArticleForm
    list_display = (
        "thumbnail",
        "title",
        "section",
        "status",
        "published_at",
        "comment_count",
    )
    list_display_links = ("thumbnail", "title")
    list_filter = (
        "status",
        MineFilter,
        "section",
        "places",
        "authors",
        "published_at",
    )
    list_select_related = ("section", "main_photo")
    search_fields = ("title", "lead")
    date_hierarchy = "published_at"
    # Typed, not Ctrl-clicked: select2's search over the related screens.
    autocomplete_fields = (
        "tags",
        "places",
        "organisations",
        "authors",
        "labels",
        "videos",
    )
    inlines = [CorrectionInline, AuditInline]
    actions = ["publish", "withdraw"]
    change_form_template = "admin/articles/article/change_form.html"
    change_list_template = "admin/articles/article/change_list.html"

    def get_fieldsets(self, request: HttpRequest, obj: Article | None = None) -> Any:
        publication = ("status", *PUBLICATION_FIELDS)
        fieldsets: list[tuple[Any, dict[str, Any]]] = [
            (
                None,
                {
                    "fields": (
                        "title",
                        "slug",
                        "lead",
                        "body",
                        "text_stats",
                        "section",
                        "part",
                    )
                },
            ),
            (
                _("Filed under"),
                {"fields": ("tags", "places", "organisations", "authors", "labels")},
            ),
            (_("Media"), {"fields": self._media_fields(obj)}),
            (_("Publication"), {"fields": publication}),
        ]
        if obj is not None and access.can_publish(request.user):
            fieldsets.append(
                (
                    _("Correction or update"),
                    {"fields": ("correction", "correction_kind")},
                )
            )
        return fieldsets

    @staticmethod
    def _media_fields(obj: Article | None) -> tuple[str, ...]:
        if obj is not None and obj.needs_alt_texts:
            return ("gallery_link", "main_photo", "videos")
        return ("gallery_link", "new_photos", "main_photo", "videos")

    def get_readonly_fields(
        self, request: HttpRequest, obj: Article | None = None
    ) -> Any:
        readonly = ["status", "gallery_link", "text_stats"]
        if not access.can_publish(request.user):
            readonly += list(PUBLICATION_FIELDS)
        return readonly

    def formfield_for_dbfield(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> Any:
        if db_field.name == "body":
            kwargs["widget"] = AdminProseEditorWidget(
                config=body_editor_config(request), preset="configurable"
            )
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateTimeField) and field is not None:
            # The admin's label names the pair; each box gets its own name.
            date, time = field.widget.widgets
            date.attrs["aria-label"] = f"{db_field.verbose_name}: {gettext('date')}"
            time.attrs["aria-label"] = f"{db_field.verbose_name}: {gettext('time')}"
        return field

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return access.visible_in_newsroom(request.user).select_related(
            "section", "main_photo"
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Article], search_term: str
    ) -> tuple[QuerySet[Article], bool]:
        if search_term.strip() and _admin_search:
            return _admin_search[0](queryset, search_term), False
        return super().get_search_results(request, queryset, search_term)

    def has_change_permission(
        self, request: HttpRequest, obj: Article | None = None
    ) -> bool:
        if obj is None:
            return super().has_change_permission(request)
        return access.can_edit(request.user, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: Article | None = None
    ) -> bool:
        return access.can_publish(request.user) and super().has_delete_permission(
            request, obj
        )

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        if not access.can_publish(request.user):
            actions.pop("publish", None)
            actions.pop("withdraw", None)
        return actions

    # --- Saving through the services ---------------------------------------

    def save_model(
        self, request: HttpRequest, obj: Article, form: Any, change: bool
    ) -> None:
        was_published = obj.status == Article.Status.PUBLISHED
        services.save_article(obj, by=acting_user(request), revision=False)
        if was_published and obj.status == Article.Status.SCHEDULED:
            self.message_user(
                request,
                gettext(
                    "The publication time is in the future: the article is hidden "
                    "from readers and scheduled for %(time)s."
                )
                % {"time": local_time(obj.published_at)},
                messages.WARNING,
            )

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        services.delete_article(obj, by=acting_user(request))

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> None:
        for article in queryset:
            services.delete_article(article, by=acting_user(request))

    def save_related(
        self, request: HttpRequest, form: Any, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        article = form.instance
        # The form has just set the labels ticked in it, over the sponsored
        # label `save_article` added.
        services.record_filing(article, by=acting_user(request))
        files = form.cleaned_data.get("new_photos") or []
        if files:
            added, rejected = services.upload_to_gallery(
                article,
                [services.NewPhoto(upload) for upload in files],
                by=acting_user(request),
            )
            self._report_upload(request, len(added), rejected)
        text = form.cleaned_data.get("correction", "").strip()
        if text:
            services.add_correction(
                article,
                by=acting_user(request),
                text=text,
                kind=form.cleaned_data.get("correction_kind")
                or Correction.Kind.CORRECTION,
            )

    def response_change(self, request: HttpRequest, obj: Article) -> HttpResponse:
        transition = request.POST.get("_transition")
        if transition:
            self.run_transition(request, obj, transition)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(
        self, request: HttpRequest, obj: Article, post_url_continue: str | None = None
    ) -> HttpResponse:
        transition = request.POST.get("_transition")
        if transition:
            self.run_transition(request, obj, transition)
            return HttpResponseRedirect(
                reverse("admin:articles_article_change", args=[obj.pk])
            )
        return super().response_add(request, obj, post_url_continue)

    def run_transition(self, request: HttpRequest, article: Article, name: str) -> None:
        """The workflow buttons: each calls one service and reports in Polish."""
        user = acting_user(request)
        article.refresh_from_db()
        try:
            if name == "submit":
                services.submit_for_review(article, by=user)
                message = gettext("Sent to the editors for review.")
            elif name == "return":
                from_review = article.status == Article.Status.IN_REVIEW
                services.return_to_draft(
                    article, by=user, note=request.POST.get("review_note", "")
                )
                message = (
                    gettext("Returned to the author with your note.")
                    if from_review
                    else gettext("Returned to draft.")
                )
            elif name == "publish_now":
                # Now, whatever time the form holds; a published story keeps
                # its original time.
                published = article.status == Article.Status.PUBLISHED
                services.publish_article(
                    article, by=user, at=None if published else timezone.now()
                )
                message = gettext("Published.")
            elif name == "schedule":
                if (
                    article.published_at is None
                    or article.published_at <= timezone.now()
                ):
                    raise ValidationError(
                        gettext(
                            "Set a publication time in the future to schedule "
                            "the article."
                        )
                    )
                services.publish_article(article, by=user, at=article.published_at)
                message = gettext("Scheduled for %(time)s.") % {
                    "time": local_time(article.published_at)
                }
            elif name == "publish":
                services.publish_article(article, by=user, at=article.published_at)
                if article.status == Article.Status.SCHEDULED:
                    message = gettext("Scheduled for %(time)s.") % {
                        "time": local_time(article.published_at)
                    }
                else:
                    message = gettext("Published.")
            elif name == "withdraw":
                services.withdraw_article(
                    article, by=user, note=article.withdrawal_note
                )
                message = gettext("Withdrawn; its address now says so.")
            elif name == "share":
                token = services.share_article(article, by=user)
                url = request.build_absolute_uri(
                    reverse("articles:shared_preview", args=[token])
                )
                message = gettext("Share link, valid for 3 days: %(url)s") % {
                    "url": url
                }
            elif name == "revoke":
                services.revoke_share_links(article, by=user)
                message = gettext("All share links of this article stopped working.")
            else:
                raise ValidationError(gettext("Unknown action."))
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(getattr(error, "messages", [str(error)]))
            self.message_user(request, text, messages.ERROR)
        else:
            self.message_user(request, message, messages.SUCCESS)

    def render_change_form(
        self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        obj = context.get("original")
        context["can_publish"] = access.can_publish(request.user)
        if obj is not None:
            context["title_before"] = " ".join(f"[{m}]" for m in obj.label_markers)
            context["title_after"] = f"[{obj.media_marker}]" if obj.media_marker else ""
            context["title_preview"] = obj.title_with_markers
        context["can_edit"] = obj is None or access.can_edit(request.user, obj)
        if obj is not None:
            last = obj.audit.order_by("-at", "-pk").first()
            returned = last is not None and last.action == AuditEntry.Action.RETURNED
            if obj.status == Article.Status.DRAFT and returned:
                context["returned"] = last
            context["preview_url"] = reverse("articles:preview", args=[obj.pk])
            context["revisions_url"] = reverse(
                "admin:articles_article_revisions", args=[obj.pk]
            )
            context["autosave_url"] = reverse(
                "admin:articles_article_autosave", args=[obj.pk]
            )
        return super().render_change_form(request, context, *args, **kwargs)

    # --- Columns and read-only displays --------------------------------------

    @admin.display(description=_("photo"))
    def thumbnail(self, article: Article) -> SafeString:
        return picture(
            article.main_photo, "mini", sizes="6rem", css_class="admin-thumbnail"
        )

    @admin.display(description=_("length"))
    def text_stats(self, article: Article) -> str:
        return ngettext(
            "%(words)d word, about %(minutes)d min to read",
            "%(words)d words, about %(minutes)d min to read",
            article.word_count,
        ) % {"words": article.word_count, "minutes": article.reading_minutes}

    @admin.display(description=_("gallery"))
    def gallery_link(self, article: Article) -> SafeString:
        if not article.pk:
            return SafeString(
                gettext(
                    "Add photos below; you can caption and order them once the "
                    "article is saved."
                )
            )
        count = article.gallery_items.count()
        label = ngettext(
            "Manage the gallery (%(count)d photo)",
            "Manage the gallery (%(count)d photos)",
            count,
        ) % {"count": count}
        url = reverse("admin:articles_article_gallery", args=[article.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, label)

    def get_urls(self) -> list[URLPattern]:
        return [*self.newsroom_urls(), *super().get_urls()]

    # --- Bulk actions -----------------------------------------------------------

    @admin.action(description=_("Publish the selected articles"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = 0
        for article in queryset:
            try:
                services.publish_article(article, by=acting_user(request))
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(getattr(error, "messages", [str(error)]))
                self.message_user(request, f"{article.title}: {text}", messages.ERROR)
            else:
                count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d article published.", "%(count)d articles published.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Withdraw the selected articles"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.withdraw_article(
                article, by=acting_user(request), note=article.withdrawal_note
            )
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d article withdrawn.", "%(count)d articles withdrawn.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """The newsroom's log, read-only; it keeps deleted articles' entries too."""

    list_display = ("at", "action", "article_title", "article_number", "who", "note")
    list_filter = ("action", "by_system", "at")
    search_fields = ("article_title", "note")
    list_select_related = ("by",)
    date_hierarchy = "at"

    @admin.display(description=_("by"), ordering="by")
    def who(self, entry: AuditEntry) -> str:
        return entry.actor

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(
        self, request: HttpRequest, obj: AuditEntry | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: AuditEntry | None = None
    ) -> bool:
        return False


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin[Author]):
    list_display = ("name", "user")
    search_fields = ("name",)
    raw_id_fields = ("photo",)
    autocomplete_fields = ("user",)


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin[Label]):
    list_display = ("name", "description", "is_sponsored", "position")
    list_editable = ("position",)
    search_fields = ("name",)
