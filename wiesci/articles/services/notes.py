"""Corrections under the title, and share links to unpublished articles."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci.articles import access
from wiesci.articles.models import (
    Article,
    Correction,
)
from wiesci.articles.services._common import (
    Action,
    Actor,
    announce,
    audit,
    require,
)
from wiesci.core.actors import user_of
from wiesci.core.text import local_time

logger = logging.getLogger(__name__)


@transaction.atomic
def add_correction(
    article: Article,
    *,
    by: Actor,
    text: str,
    kind: str = Correction.Kind.CORRECTION,
) -> Correction:
    """Add a dated note under the title; an update also sets the update time."""
    require(access.can_publish(by), _("Only editors can correct articles."))
    correction = Correction.objects.create(
        article=article, kind=kind, text=text, by=user_of(by)
    )
    if kind == Correction.Kind.UPDATE:
        article.updated_at = correction.created_at
        article.save(update_fields=["updated_at", "modified_at"])
    audit(article, by, Action.CORRECTED, text)
    if article.is_public:
        announce(article, "corrected")
    return correction


@transaction.atomic
def share_article(article: Article, *, by: Actor, days: int = 3) -> str:
    """A signed link that shows this unpublished article to anyone for `days`."""
    require(access.can_edit(by, article) or access.can_publish(by), _("Not allowed."))
    expires_at = timezone.now() + timedelta(days=days)
    token = access.share_token(article, expires_at=expires_at)
    audit(
        article,
        by,
        Action.SHARED,
        _("Valid until %(time)s") % {"time": local_time(expires_at)},
    )
    return token


@transaction.atomic
def revoke_share_links(article: Article, *, by: Actor) -> None:
    require(access.can_edit(by, article) or access.can_publish(by), _("Not allowed."))
    from wiesci.articles.models import new_secret

    article.preview_secret = new_secret()
    article.save(update_fields=["preview_secret"])
