"""What every article service shares: the actor, the refusal, the audit log
and the announcement after commit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from wiesci.accounts.models import User
from wiesci.articles import notifications
from wiesci.articles.models import Article, AuditEntry
from wiesci.articles.signals import article_changed
from wiesci.core.actors import SystemActor, system_name, user_of

Status = Article.Status
Action = AuditEntry.Action
Actor = User | SystemActor


class NotAllowed(PermissionDenied):
    """The acting staff member's role does not allow this."""


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def audit(article: Article, by: Actor, action: str, note: str = "") -> None:
    """Log the step; the people it concerns are told (see `notifications`)."""
    entry = AuditEntry.objects.create(
        article=article,
        article_title=article.title[:200],
        article_number=article.pk,
        by=user_of(by),
        by_system=system_name(by),
        action=action,
        note=note,
    )
    notifications.notify(article, entry)


def announce(article: Article, reason: str) -> None:
    """Tell listeners (`signals.article_changed`) after the change is committed."""
    pk = article.pk

    def send() -> None:
        fresh = Article.objects.filter(pk=pk).first()
        if fresh is not None:
            article_changed.send(sender=Article, article=fresh, reason=reason)

    transaction.on_commit(send)
