from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from wiesci.articles import services
from wiesci.articles.forms import GalleryFormSet, GalleryItemForm, GalleryUploadForm
from wiesci.articles.models import Article, Author, GalleryItem, Label


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
    readonly_fields = ("gallery_link",)
    actions = ["publish", "withdraw"]
    fieldsets = (
        (None, {"fields": ("title", "slug", "lead", "body", "section", "part")}),
        (
            _("Filed under"),
            {"fields": ("tags", "places", "organisations", "authors", "labels")},
        ),
        (_("Media"), {"fields": ("gallery_link", "main_photo", "videos")}),
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

    @admin.display(description=_("gallery"))
    def gallery_link(self, article: Article) -> SafeString:
        if not article.pk:
            return SafeString(gettext("Save the article first, then add photos."))
        count = article.gallery_items.count()
        label = ngettext(
            "Manage the gallery (%(count)d photo)",
            "Manage the gallery (%(count)d photos)",
            count,
        ) % {"count": count}
        url = reverse("admin:articles_article_gallery", args=[article.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, label)

    def get_urls(self) -> list[URLPattern]:
        gallery = path(
            "<int:article_id>/galeria/",
            self.admin_site.admin_view(self.gallery_view),
            name="articles_article_gallery",
        )
        return [gallery, *super().get_urls()]

    def gallery_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        """Upload many photos at once, then caption, describe, order and crop them."""
        article = get_object_or_404(Article, pk=article_id)
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        items = list(article.gallery_items.select_related("photo"))
        upload_form = GalleryUploadForm()
        formset = GalleryFormSet(
            initial=[GalleryItemForm.initial_for(i) for i in items]
        )
        if request.method == "POST" and "upload" in request.POST:
            upload_form = GalleryUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                added, rejected = services.upload_to_gallery(
                    article, upload_form.cleaned_data["photos"]
                )
                self._report_upload(request, len(added), rejected)
                return HttpResponseRedirect(request.path)
        elif request.method == "POST":
            formset = GalleryFormSet(request.POST)
            if formset.is_valid():
                self._save_gallery(request, article, items, formset)
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Gallery: %(title)s") % {"title": article.title},
            "article": article,
            "upload_form": upload_form,
            "rows": list(zip(items, formset, strict=False)),
            "formset": formset,
        }
        return TemplateResponse(request, "admin/articles/article/gallery.html", context)

    def _report_upload(
        self, request: HttpRequest, added: int, rejected: list[services.Rejected]
    ) -> None:
        if added:
            message = ngettext(
                "%(count)d photo added; its sizes are being made.",
                "%(count)d photos added; their sizes are being made.",
                added,
            ) % {"count": added}
            self.message_user(request, message, messages.SUCCESS)
        for problem in rejected:
            message = gettext("File “%(name)s” was not added: %(reason)s") % {
                "name": problem.filename,
                "reason": problem.reason,
            }
            self.message_user(request, message, messages.ERROR)

    def _save_gallery(
        self,
        request: HttpRequest,
        article: Article,
        items: list[GalleryItem],
        formset: Any,
    ) -> None:
        by_id = {item.pk: item for item in items}
        rows = [
            services.GalleryRow(
                item=by_id[form.cleaned_data["item"]],
                caption=form.cleaned_data["caption"],
                credit=form.cleaned_data["credit"],
                alt_text=form.cleaned_data["alt_text"],
                position=form.cleaned_data["position"],
                focal=(form.cleaned_data["focal_x"], form.cleaned_data["focal_y"]),
                remove=form.cleaned_data["remove"],
            )
            for form in formset
            if form.cleaned_data.get("item") in by_id
        ]
        main_id = request.POST.get("main")
        main = next((i.photo for i in items if str(i.photo_id) == main_id), None)
        services.update_gallery(article, rows, main=main)
        self.message_user(request, gettext("The gallery was saved."), messages.SUCCESS)

    @admin.action(description=_("Publish the selected articles"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = 0
        for article in queryset:
            try:
                services.publish_article(article)
            except ValidationError as error:
                self.message_user(
                    request,
                    f"{article.title}: {' '.join(error.messages)}",
                    messages.ERROR,
                )
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
