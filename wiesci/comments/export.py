"""The comments' part of a reader's data export (see accounts.export)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from wiesci.accounts.export import moment
from wiesci.accounts.models import User
from wiesci.comments.models import Appeal, Comment, Report


def export_for_reader(user: User) -> dict[str, Any]:
    """The reader's comments, reports and appeals for their data export: what
    they wrote, with where it stands, and nothing written by anyone else."""
    comments = (
        Comment.objects.filter(author=user)
        .select_related("article", "removal_reason")
        .order_by("created_at")
    )
    return {
        "comments": [
            {
                "id": c.pk,
                "article": c.article.title,
                "address": settings.SITE_URL + c.article.get_absolute_url(),
                "in_reply_to": c.parent_id,
                "text": c.body,
                "status": c.get_status_display(),
                "written_at": moment(c.created_at),
                "edited_at": moment(c.edited_at),
                "removal_reason": c.removal_reason.name if c.removal_reason else None,
                "removal_note": c.removal_note or None,
            }
            for c in comments
        ],
        "reports": [
            {
                "comment": r.comment_id,
                "reason": r.get_reason_display(),
                "note": r.note,
                "reported_at": moment(r.created_at),
                "outcome": r.get_outcome_display(),
            }
            for r in Report.objects.filter(reporter=user).order_by("created_at")
        ],
        "appeals": [
            {
                "comment": a.comment_id,
                "text": a.text,
                "sent_at": moment(a.created_at),
                "status": a.get_status_display(),
                "decision_note": a.decision_note or None,
            }
            for a in Appeal.objects.filter(appellant=user).order_by("created_at")
        ],
    }
