"""What the push app hears from the others."""

from __future__ import annotations

from typing import Any

from wiesci.articles.models import Article
from wiesci.core.actors import WORKER
from wiesci.push import delivery, services, vapid


def on_article_changed(
    sender: Any, article: Article, reason: str, **kwargs: Any
) -> None:
    """A public story in its breaking period is pushed, once per period.

    Sent after commit for every change (and at a scheduled story's
    publication, which is when one marked breaking in advance goes out); a
    deleted story, one not breaking, or a portal without a VAPID key costs no
    query.
    """
    if (
        reason == "deleted"
        or vapid.signing_key() is None
        or not delivery.is_breaking(article)
    ):
        return
    # A sender other than the article services may hold an older copy.
    fresh = Article.objects.filter(pk=article.pk).select_related("section").first()
    if fresh is not None:
        services.start_broadcast(fresh, by=WORKER)
