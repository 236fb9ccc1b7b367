"""What a digest says: the stories of its time and the message made of them.

Nothing here writes. The message is rendered for no one in particular: the
place of each address's own unsubscribe link holds `UNSUBSCRIBE`, which
`personalise` fills in per address. Links go straight to the articles (no
redirect that counts clicks) and the only images are the stories' own public
thumbnails, the same file for every reader: nothing in it tells the newsroom
who opened what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.sites.models import Site
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wiesci import conf
from wiesci.articles.models import Article
from wiesci.newsletter import letters
from wiesci.newsletter.models import Digest

# Stands for the address's own link until `personalise` puts it in.
UNSUBSCRIBE = "https://wiesci.invalid/newsletter/unsubscribe-link/"
LEAD_WORDS = 40


@dataclass(frozen=True)
class Story:
    title: str
    url: str
    lead: str
    section: str
    published_at: datetime
    image_url: str
    image_alt: str


@dataclass(frozen=True)
class Message:
    subject: str
    html: str
    text: str


def next_send_at(kind: str, *, after: datetime) -> datetime:
    """The first sending time of a `kind` digest later than `after`.

    Daily digests go every day at NEWSLETTER_DAILY_AT, weekly ones on
    NEWSLETTER_WEEKLY_DAY (0 is Monday) at the same hour, in local time.
    """
    hour, minute = (int(part) for part in conf.NEWSLETTER_DAILY_AT.split(":"))
    local = timezone.localtime(after)
    day = local.date()
    while True:
        moment = timezone.make_aware(datetime.combine(day, time(hour, minute)))
        weekday_fits = kind == Digest.Kind.DAILY or (
            day.weekday() == conf.NEWSLETTER_WEEKLY_DAY
        )
        if moment > after and weekday_fits:
            return moment
        day += timedelta(days=1)


def period(kind: str, send_at: datetime) -> tuple[datetime, datetime]:
    """The stories a digest sent at `send_at` covers: the day or week before it."""
    length = timedelta(days=1 if kind == Digest.Kind.DAILY else 7)
    return send_at - length, send_at


def articles(digest: Digest) -> list[Article]:
    """The digest's stories, newest first: those it was sent with, once sending
    started; before that, those public now from its period."""
    if digest.article_ids:
        return Article.objects.list_items(digest.article_ids)
    until = min(timezone.now(), digest.covers_until)
    ids = list(
        Article.objects.published(at=until)
        .filter(published_at__gte=digest.covers_from, published_at__lt=until)
        .newest_first()
        .values_list("pk", flat=True)[: conf.NEWSLETTER_MAX_STORIES]
    )
    return Article.objects.list_items(ids)


def top_story(digest: Digest, found: list[Article]) -> Article | None:
    """The newsroom's pick when it is among the stories, else the featured
    story, else the newest one."""
    by_pk = {article.pk: article for article in found}
    if digest.top_story_id in by_pk:
        return by_pk[digest.top_story_id]
    featured = next((article for article in found if article.is_featured), None)
    return featured or (found[0] if found else None)


def _absolute(url: str) -> str:
    return url if "://" in url else settings.SITE_URL + url


def _story(article: Article, *, image: str) -> Story:
    photo = article.main_photo
    picture = photo.public_file(image, "jpeg") if photo is not None else None
    return Story(
        title=article.title_with_markers,
        url=_absolute(article.get_absolute_url()),
        lead=Truncator(article.lead).words(LEAD_WORDS),
        section=article.section.name,
        published_at=article.published_at or timezone.now(),
        image_url=_absolute(picture.url) if picture else "",
        image_alt=photo.alt_text if photo is not None and picture else "",
    )


def _sections(stories: list[Story]) -> list[tuple[str, list[Story]]]:
    """Stories grouped by section, the sections in the order of their newest."""
    grouped: dict[str, list[Story]] = {}
    for story in stories:
        grouped.setdefault(story.section, []).append(story)
    return list(grouped.items())


def heading(digest: Digest) -> str:
    if digest.kind == Digest.Kind.DAILY:
        day = timezone.localtime(digest.send_at)
        return _("The day's news, %(date)s") % {"date": date_format(day, "l, j E Y")}
    first = timezone.localtime(digest.covers_from)
    last = timezone.localtime(digest.covers_until - timedelta(seconds=1))
    return _("The week's news, %(first)s to %(last)s") % {
        "first": date_format(first, "j E"),
        "last": date_format(last, "j E Y"),
    }


def intro_paragraphs(intro: str) -> list[str]:
    return [
        part.strip()
        for part in intro.replace("\r\n", "\n").split("\n\n")
        if part.strip()
    ]


def render(digest: Digest, found: list[Article] | None = None) -> Message:
    """The digest as a message: its subject, HTML and plain text."""
    found = articles(digest) if found is None else found
    top = top_story(digest, found)
    others = [_story(article, image="mini") for article in found if article != top]
    portal = Site.objects.get_current().name
    context: dict[str, Any] = {
        "portal_name": portal,
        "site_url": settings.SITE_URL,
        "heading": heading(digest),
        "intro": intro_paragraphs(digest.intro),
        "top": _story(top, image="article") if top is not None else None,
        "sections": _sections(others),
        "unsubscribe_url": UNSUBSCRIBE,
        "subscribe_url": letters.subscribe_url(),
        "weekly": digest.kind == Digest.Kind.WEEKLY,
    }
    if top is None:
        subject = f"{portal}: {heading(digest)}"
    else:
        subject = ngettext(
            "%(portal)s: %(title)s and %(count)d more story",
            "%(portal)s: %(title)s and %(count)d more stories",
            len(others),
        ) % {"portal": portal, "title": top.title, "count": len(others)}
        if not others:
            subject = f"{portal}: {top.title}"
    return Message(
        subject=subject[:200],
        html=render_to_string("newsletter/email/digest.html", context),
        text=render_to_string("newsletter/email/digest.txt", context),
    )


def personalise(content: str, unsubscribe_url: str) -> str:
    return content.replace(UNSUBSCRIBE, unsubscribe_url)
