"""The comment thread under an article, and how a comment's text is shown."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django import template
from django.utils.safestring import SafeString

from wiesci.articles.models import Article
from wiesci.comments import access, moderation
from wiesci.comments.forms import CommentForm
from wiesci.comments.models import Comment, ModerationSettings
from wiesci.comments.text import render_comment

register = template.Library()


@register.filter
def comment_text(body: str) -> SafeString:
    """Plain text to HTML: escaped, paragraphs kept, links clickable and unendorsed."""
    return render_comment(body)


@register.inclusion_tag("comments/thread.html", takes_context=True)
def comment_thread(context: dict[str, Any], article: Article) -> dict[str, Any]:
    """Comments under `article` with the form, the login invitation or why not."""
    request = context["request"]
    user = request.user
    policy = ModerationSettings.cached()
    comments = list(Comment.objects.in_thread(article, viewer=user))
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
    thread = [(c, replies.get(c.pk, [])) for c in comments if c.parent_id is None]
    state = "open"
    if moderation.comments_closed(article, policy):
        state = "closed"
    elif not user.is_authenticated:
        state = "anonymous"
    elif not EmailAddress.objects.filter(user=user, verified=True).exists():
        state = "unverified"
    elif user.is_banned:
        state = "banned"
    return {
        "article": article,
        "thread": thread,
        "state": state,
        "user": user,
        "form": context.get("comment_form") or CommentForm(),
        "request": request,
    }


@register.simple_tag
def comments_open_now(article: Article) -> bool:
    """Whether readers may comment under `article` now; read without a query."""
    return not moderation.comments_closed(article, ModerationSettings.cached())


@register.simple_tag
def new_token_form(parent: Comment) -> CommentForm:
    return CommentForm(initial={"parent": parent.pk})


@register.filter
def editable_by(comment: Comment, user: Any) -> bool:
    return access.can_edit(comment, user)
