"""Readers' comment actions: post, edit, delete, report, appeal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wiesci.accounts.access import acting_user
from wiesci.articles.access import (
    ArticleMoved,
    ArticleWithdrawn,
    get_article_for_viewer,
)
from wiesci.articles.views import render_article
from wiesci.comments import access, moderation, services
from wiesci.comments.forms import (
    AppealForm,
    CommentForm,
    EditCommentForm,
    ReportForm,
)
from wiesci.comments.models import Comment
from wiesci.comments.moderation import CommentRefused

# Refusals that mean "not now" rather than "not this".
TOO_MANY = {"too_fast", "daily_cap"}


@require_POST
@login_required
def post(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        article = get_article_for_viewer(slug)
    except (ArticleMoved, ArticleWithdrawn):
        raise Http404 from None
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"]).first()
        try:
            comment = services.post_comment(
                article,
                author=acting_user(request),
                body=form.cleaned_data["body"],
                token=form.cleaned_data["token"],
                parent=parent,
            )
        except CommentRefused as refusal:
            form.add_error(None, refusal)
            status = 429 if refusal.code in TOO_MANY else 400
            return render_article(
                request, article, extra={"comment_form": form}, status=status
            )
        if comment.status == Comment.Status.PENDING:
            messages.info(
                request, _("Thank you. Your comment will appear once approved.")
            )
            return redirect(article.get_absolute_url() + "#komentarze")
        return redirect(comment.get_absolute_url())
    return render_article(request, article, extra={"comment_form": form}, status=400)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = access.get_comment_for_viewer(pk)
    reader = acting_user(request)
    context: dict[str, object] = {"comment": comment}
    try:
        access.check_edit(comment, by=reader)
    except CommentRefused as refusal:
        context["refusal"] = refusal.message
        return render(request, "comments/edit.html", context, status=403)
    form = EditCommentForm(request.POST or None, initial={"body": comment.body})
    context["form"] = form
    if request.method == "POST" and form.is_valid():
        was_approved = comment.status == Comment.Status.APPROVED
        try:
            services.edit_comment(comment, by=reader, body=form.cleaned_data["body"])
        except CommentRefused as refusal:
            form.add_error("body", refusal)
            return render(request, "comments/edit.html", context, status=400)
        if comment.status == Comment.Status.PENDING:
            if was_approved:
                messages.info(
                    request,
                    _(
                        "Your comment has been changed and will appear again "
                        "once approved."
                    ),
                )
            return redirect(comment.article.get_absolute_url() + "#komentarze")
        return redirect(comment.get_absolute_url())
    return render(request, "comments/edit.html", context)


@login_required
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = access.get_comment_for_viewer(pk)
    reader = acting_user(request)
    try:
        access.check_delete(comment, by=reader)
        if request.method == "POST":
            services.delete_own_comment(comment, by=reader)
            messages.success(request, _("Your comment has been deleted."))
            return redirect(comment.article.get_absolute_url() + "#komentarze")
    except CommentRefused as refusal:
        return render(
            request,
            "comments/delete.html",
            {"comment": comment, "refusal": refusal.message},
            status=400,
        )
    return render(request, "comments/delete.html", {"comment": comment})


def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A notice about a comment, from anyone (DSA Article 16)."""
    # Readers report what they see; anything else is not theirs to read.
    comment = access.get_comment_for_viewer(pk, shown=True)
    anonymous = not request.user.is_authenticated
    form = ReportForm(request.POST or None, anonymous=anonymous)
    if request.method == "POST" and form.is_valid():
        address = services.AnonymousReader.of(
            request, contact=form.cleaned_data.get("contact", "")
        )
        try:
            moderation.check_report_pace(address.fingerprint)
            services.report_comment(
                comment,
                by=address if anonymous else acting_user(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except CommentRefused as refusal:
            form.add_error(None, refusal)
            status = 429 if refusal.code in TOO_MANY else 400
            return render(
                request,
                "comments/report.html",
                {"form": form, "comment": comment},
                status=status,
            )
        messages.success(
            request, _("Thank you. The newsroom will look at this comment.")
        )
        return redirect(comment.article.get_absolute_url() + "#komentarze")
    return render(request, "comments/report.html", {"form": form, "comment": comment})


@login_required
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """The author's appeal against a removal (DSA Article 20)."""
    comment = access.get_comment_for_viewer(pk)
    reader = acting_user(request)
    if comment.author_id != reader.pk:
        raise Http404
    form = AppealForm(request.POST or None)
    context = {
        "form": form,
        "comment": comment,
        "appeals": comment.appeals.order_by("-created_at"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_removal(comment, by=reader, text=form.cleaned_data["text"])
        except CommentRefused as refusal:
            form.add_error(None, refusal)
            return render(request, "comments/appeal.html", context, status=400)
        messages.success(
            request,
            _(
                "Your appeal has been sent. Another moderator will decide it; "
                "we will write to you."
            ),
        )
        return redirect(comment.get_absolute_url())
    return render(request, "comments/appeal.html", context)
