"""Who hears of a story's step through review: the editors when it is
submitted, its author when it is returned, published or scheduled.

Told by e-mail (queued, sent by the worker after commit) and on the
newsroom's dashboard, which reads the same audit entries; nobody is told of
their own step.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from wiesci.accounts.access import staff_with_permission
from wiesci.accounts.models import User
from wiesci.articles.models import Article, AuditEntry
from wiesci.core.mail import send_later

Action = AuditEntry.Action
TO_EDITORS = {Action.SUBMITTED}
TO_AUTHOR = {
    Action.RETURNED,
    Action.PUBLISHED,
    Action.SCHEDULED,
    Action.PUBLISHED_ON_SCHEDULE,
}
SUBJECTS: dict[str, str] = {
    Action.SUBMITTED: gettext_noop("“%(title)s” waits for your review"),
    Action.RETURNED: gettext_noop("“%(title)s” has been returned to you"),
    Action.PUBLISHED: gettext_noop("“%(title)s” has been published"),
    Action.SCHEDULED: gettext_noop("“%(title)s” has been scheduled"),
    Action.PUBLISHED_ON_SCHEDULE: gettext_noop("“%(title)s” has been published"),
}


def editors() -> list[User]:
    """Active staff who publish, with an address to be told at."""
    return staff_with_permission("articles.publish_article")


def recipients(article: Article, entry: AuditEntry) -> list[str]:
    if entry.action in TO_EDITORS:
        people = editors()
    elif entry.action in TO_AUTHOR and article.created_by is not None:
        people = [article.created_by]
    else:
        return []
    return sorted(
        {p.email for p in people if p.email and p.is_active and p.pk != entry.by_id}
    )


def notify(article: Article, entry: AuditEntry) -> None:
    """Mail the people `entry`'s step concerns (see the module's docstring)."""
    if entry.action not in TO_EDITORS | TO_AUTHOR:
        return
    addresses = recipients(article, entry)
    if not addresses:
        return
    subject = gettext(SUBJECTS[entry.action]) % {"title": article.title}
    context: dict[str, Any] = {
        "article": article,
        "entry": entry,
        "admin_url": settings.SITE_URL
        + reverse("admin:articles_article_change", args=[article.pk]),
    }
    body = render_to_string("articles/email/workflow.txt", context)
    for address in addresses:
        send_later(EmailMessage(subject, body, None, [address]))
