from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wiesci.articles import services
from wiesci.articles.models import Article, Author, GalleryItem, Label


class GalleryItemInline(admin.TabularInline[GalleryItem, Article]):
    model = GalleryItem
    extra = 0
    raw_id_fields = ("photo",)
    fields = ("photo", "position")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin[Article]):
    list_display = ("title", "section", "status", "published_at", "comment_count")
    list_filter = ("status", "section", "places", "authors", "published_at")
    search_fields = ("title", "lead")
    date_hierarchy = "published_at"
    autocomplete_fields = (
        "section",
        "tags",
        "places",
        "organisations",
        "authors",
        "labels",
    )
    raw_id_fields = ("main_photo",)
    filter_horizontal = ("videos",)
    inlines = [GalleryItemInline]
    actions = ["publish", "withdraw"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "lead", "body", "section", "part")}),
        (
            _("Filed under"),
            {"fields": ("tags", "places", "organisations", "authors", "labels")},
        ),
        (_("Media"), {"fields": ("main_photo", "videos")}),
        (
            _("Publication"),
            {
                "fields": (
                    "status",
                    "published_at",
                    "updated_at",
                    "is_featured",
                    "breaking_text",
                    "breaking_until",
                    "comments_open",
                    "withdrawal_note",
                )
            },
        ),
    )

    def save_model(
        self, request: HttpRequest, obj: Article, form: Any, change: bool
    ) -> None:
        services.save_article(obj)

    @admin.action(description=_("Publish the selected articles"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.publish_article(article)
        count = len(queryset)
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
            services.withdraw_article(article, note=article.withdrawal_note)
        count = len(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d article withdrawn.", "%(count)d articles withdrawn.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


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
