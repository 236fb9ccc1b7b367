"""The newsroom's screens beyond Django's add and change forms.

A mixin for ArticleAdmin: the gallery, the revisions with their diff, the
schedule, and the autosave endpoint. Each screen checks access through
`wiesci.articles.access` and writes through `services`.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from wiesci.accounts.access import acting_user
from wiesci.articles import access, services
from wiesci.articles.diffing import word_diff
from wiesci.articles.forms import gallery_formset, gallery_upload_form
from wiesci.articles.models import Article, GalleryItem, Revision

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    Base = ModelAdmin[Article]
else:
    Base = object

DIFF_FIELDS = ("title", "lead", "body")


class NewsroomViews(Base):
    def newsroom_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "zaplanowane/",
                wrap(self.schedule_view),
                name="articles_article_schedule",
            ),
            path(
                "<int:article_id>/galeria/",
                wrap(self.gallery_view),
                name="articles_article_gallery",
            ),
            path(
                "<int:article_id>/wersje/",
                wrap(self.revisions_view),
                name="articles_article_revisions",
            ),
            path(
                "<int:article_id>/wersje/<int:revision_id>/przywroc/",
                wrap(require_POST(self.restore_view)),
                name="articles_article_restore",
            ),
            path(
                "<int:article_id>/galeria/wybierz/",
                wrap(self.image_picker_view),
                name="articles_article_image_picker",
            ),
            path(
                "<int:article_id>/autosave/",
                wrap(require_POST(self.autosave_view)),
                name="articles_article_autosave",
            ),
        ]

    def _editable(self, request: HttpRequest, article_id: int) -> Article:
        article = get_object_or_404(
            access.visible_in_newsroom(request.user), pk=article_id
        )
        if not access.can_edit(request.user, article):
            raise PermissionDenied
        return article

    def _context(
        self, request: HttpRequest, title: str, **extra: Any
    ) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            **extra,
        }

    # --- The schedule ----------------------------------------------------------------

    def schedule_view(self, request: HttpRequest) -> HttpResponse:
        """What goes out when, day by day; anything overdue flagged on top."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        scheduled = list(
            access.visible_in_newsroom(request.user)
            .filter(status=Article.Status.SCHEDULED)
            .select_related("section")
            .order_by("published_at")
        )
        overdue = set(Article.objects.overdue().values_list("pk", flat=True))
        days = [
            (day, list(items))
            for day, items in groupby(
                scheduled,
                key=lambda a: timezone.localtime(a.published_at).date(),
            )
        ]
        context = self._context(
            request,
            gettext("Scheduled articles"),
            days=days,
            overdue=overdue,
            now=timezone.now(),
        )
        return TemplateResponse(
            request, "admin/articles/article/schedule.html", context
        )

    # --- Revisions -------------------------------------------------------------------

    def revisions_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        """Every saved version; any two side by side; any one restorable."""
        article = get_object_or_404(
            access.visible_in_newsroom(request.user), pk=article_id
        )
        revisions = list(article.revisions.select_related("by"))
        by_id = {str(r.pk): r for r in revisions}
        older = by_id.get(request.GET.get("a", ""))
        newer = by_id.get(request.GET.get("b", ""))
        if older is None and len(revisions) > 1:
            older, newer = revisions[1], revisions[0]
        diffs = []
        if older is not None and newer is not None:
            for field in DIFF_FIELDS:
                before, after = older.data.get(field, ""), newer.data.get(field, "")
                if before != after:
                    diffs.append((field, word_diff(before, after)))
        context = self._context(
            request,
            gettext("Revisions: %(title)s") % {"title": article.title},
            article=article,
            revisions=revisions,
            older=older,
            newer=newer,
            diffs=diffs,
            can_edit=access.can_edit(request.user, article),
        )
        return TemplateResponse(
            request, "admin/articles/article/revisions.html", context
        )

    @staticmethod
    def _revision_label(revision: Revision) -> str:
        when = formats.date_format(
            timezone.localtime(revision.created_at), "j E Y, H:i:s"
        )
        who = revision.by.get_full_name() or revision.by.username if revision.by else ""
        return f"{when} {who}".strip()

    def restore_view(
        self, request: HttpRequest, article_id: int, revision_id: int
    ) -> HttpResponse:
        """Restore a version; for a story readers see (or will at its time),
        only after a page that shows what changes says so and is confirmed."""
        article = self._editable(request, article_id)
        revision = get_object_or_404(Revision, pk=revision_id, article=article)
        live = article.is_public or article.status == Article.Status.SCHEDULED
        if live and request.POST.get("confirm") != "1":
            current = {field: getattr(article, field) for field in DIFF_FIELDS}
            changes = [
                (field, word_diff(current[field], revision.data.get(field, "")))
                for field in DIFF_FIELDS
                if current[field] != revision.data.get(field, "")
            ]
            context = self._context(
                request,
                gettext("Restore a version of a public article?"),
                article=article,
                revision=revision,
                label=self._revision_label(revision),
                changes=changes,
            )
            return TemplateResponse(
                request, "admin/articles/article/restore_confirm.html", context
            )
        services.restore_revision(revision, by=acting_user(request))
        self.message_user(
            request,
            gettext("Restored the version of %(time)s.")
            % {"time": self._revision_label(revision)},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:articles_article_change", args=[article.pk])
        )

    # --- Autosave --------------------------------------------------------------------

    def autosave_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        """Keep a draft's title, lead and body every few seconds while it is edited.

        A public article is never changed behind the editor's back: its autosave
        becomes a revision only, restorable from the revisions screen.
        """
        article = self._editable(request, article_id)
        for field in DIFF_FIELDS:
            if field in request.POST:
                setattr(article, field, request.POST[field])
        if article.is_public or article.status == Article.Status.SCHEDULED:
            services.record_revision(article, by=acting_user(request), autosave=True)
        else:
            services.save_article(article, by=acting_user(request), autosave=True)
        saved = formats.time_format(timezone.localtime(), "H:i:s")
        return JsonResponse({"saved": saved})

    # --- Photos placed in the text ------------------------------------------------

    def image_picker_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        """The body editor's "Browse…" window: the article's own gallery photos.

        Choosing one hands its address, alternative text and caption back to the
        editor's image dialog; only these addresses survive saving the body
        (see `sanitise_body`).
        """
        article = self._editable(request, article_id)
        choices = []
        for item in article.gallery_items.select_related("photo"):
            files = (item.photo.renditions or {}).get("article", {}).get("files", {})
            if "jpeg" in files:
                choices.append((item.photo, default_storage.url(files["jpeg"])))
        context = self._context(
            request,
            gettext("Photos of the gallery: %(title)s") % {"title": article.title},
            article=article,
            choices=choices,
            is_popup=True,
        )
        return TemplateResponse(
            request, "admin/articles/article/image_picker.html", context
        )

    # --- The gallery -----------------------------------------------------------------

    def gallery_view(self, request: HttpRequest, article_id: int) -> HttpResponse:
        """Upload many photos at once, then caption, describe, order and crop them."""
        article = self._editable(request, article_id)
        items = list(article.gallery_items.select_related("photo"))
        upload_form = gallery_upload_form(article)
        formset = gallery_formset(article, items=items)
        if request.method == "POST" and "upload" in request.POST:
            upload_form = gallery_upload_form(article, request.POST, request.FILES)
            if upload_form.is_valid():
                added, rejected = services.upload_to_gallery(
                    article, upload_form.uploads(), by=acting_user(request)
                )
                self._report_upload(request, len(added), rejected)
                return HttpResponseRedirect(request.path)
        elif request.method == "POST":
            formset = gallery_formset(article, request.POST)
            if formset.is_valid():
                try:
                    self._save_gallery(request, article, items, formset)
                except ValidationError as error:
                    # Nothing was saved; the form keeps what was typed.
                    for message in error.messages:
                        self.message_user(request, message, messages.ERROR)
                else:
                    return HttpResponseRedirect(request.path)
        context = self._context(
            request,
            gettext("Gallery: %(title)s") % {"title": article.title},
            article=article,
            upload_form=upload_form,
            rows=list(zip(items, formset, strict=False)),
            formset=formset,
        )
        return TemplateResponse(request, "admin/articles/article/gallery.html", context)

    def _report_upload(
        self, request: HttpRequest, added: int, rejected: Iterable[services.Rejected]
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
        services.update_gallery(article, rows, by=acting_user(request), main=main)
        self.message_user(request, gettext("The gallery was saved."), messages.SUCCESS)
