"""Who hears of a step of an event or a notice through review: the editors
when it is submitted, its author when it is returned or published.

As for articles (see articles.notifications): mailed by the worker after
commit, nobody told of their own step. Notices use the same function with
their own permission.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from wiesci.accounts.access import staff_with_permission
from wiesci.core.editorial import Action
from wiesci.core.mail import send_later

TO_EDITORS = {Action.SUBMITTED}
TO_AUTHOR = {Action.RETURNED, Action.PUBLISHED}
SUBJECTS: dict[str, str] = {
    Action.SUBMITTED: gettext_noop("“%(title)s” waits for your review"),
    Action.RETURNED: gettext_noop("“%(title)s” has been returned to you"),
    Action.PUBLISHED: gettext_noop("“%(title)s” has been published"),
}


def notifier(permission: str) -> Callable[[Any, Any], None]:
    """The `Workflow.notify` of rows the holders of `permission` publish."""

    def notify(row: Any, entry: Any) -> None:
        if entry.action in TO_EDITORS:
            people = staff_with_permission(permission)
        elif entry.action in TO_AUTHOR and row.created_by is not None:
            people = [row.created_by]
        else:
            return
        addresses = sorted(
            {p.email for p in people if p.email and p.is_active and p.pk != entry.by_id}
        )
        if not addresses:
            return
        opts = row._meta
        context = {
            "row": row,
            "entry": entry,
            "kind": opts.verbose_name,
            "admin_url": settings.SITE_URL
            + reverse(
                f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk]
            ),
        }
        subject = gettext(SUBJECTS[entry.action]) % {"title": row.title}
        body = render_to_string("events/email/workflow.txt", context)
        for address in addresses:
            send_later(EmailMessage(subject, body, None, [address]))

    return notify
