"""The comments' panels on the newsroom's dashboard (see core.dashboard)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wiesci.comments import access
from wiesci.comments.models import Appeal, Comment
from wiesci.core.dashboard import Panel, first


def _change(comment: Comment) -> str:
    return reverse("admin:comments_comment_change", args=[comment.pk])


def panels(request: HttpRequest) -> list[Panel]:
    if not access.can_moderate(request.user):
        return []
    queue = reverse("admin:comments_comment_changelist")
    held = Comment.objects.filter(status=Comment.Status.PENDING).order_by("created_at")
    reported = (
        Comment.objects.with_open_reports()
        .filter(Q(open_reports__gt=0))
        .order_by("-open_reports", "created_at")
    )
    appeals = (
        Appeal.objects.filter(status=Appeal.Status.PENDING)
        .exclude(removed_by=request.user.pk)
        .select_related("comment")
        .order_by("created_at")
    )
    return [
        Panel(
            "held",
            _("Comments waiting for approval"),
            held.count(),
            queue + "?status=pending",
            first(
                held.select_related("article"),
                lambda c: c.body[:80],
                _change,
                lambda c: c.article.title,
            ),
            empty_text=_("No comment is waiting."),
        ),
        Panel(
            "reported",
            _("Reported comments"),
            reported.count(),
            queue,
            first(
                reported,
                lambda c: c.body[:80],
                _change,
                lambda c: _("reports: %(count)d") % {"count": c.open_reports},
            ),
            urgent=True,
            empty_text=_("No open reports."),
        ),
        Panel(
            "appeals",
            _("Appeals for you to decide"),
            appeals.count(),
            reverse("admin:comments_appeal_changelist") + "?status__exact=pending",
            first(
                appeals,
                lambda a: a.comment.body[:80],
                lambda a: reverse("admin:comments_appeal_change", args=[a.pk]),
            ),
            urgent=True,
            empty_text=_("No appeals."),
        ),
    ]
