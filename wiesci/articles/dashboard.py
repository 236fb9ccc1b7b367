"""The articles' panels on the newsroom's dashboard (see core.dashboard)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib.admin import SimpleListFilter
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci.articles import access, notifications
from wiesci.articles.models import Article, AuditEntry
from wiesci.core.dashboard import Panel, first
from wiesci.core.text import local_time

Status = Article.Status
MINE = "moje"


class MineFilter(SimpleListFilter):
    """ "Only mine": the articles the viewer created, for the dashboard's links."""

    title = _("author of the draft")
    parameter_name = MINE

    def lookups(
        self, request: HttpRequest, model_admin: object
    ) -> list[tuple[str, str]]:
        return [("1", _("only mine"))]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[Article]
    ) -> QuerySet[Article]:
        if self.value() == "1":
            return queryset.filter(created_by=request.user.pk)
        return queryset


def _change(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def _list(**params: str) -> str:
    from urllib.parse import urlencode

    return reverse("admin:articles_article_changelist") + "?" + urlencode(params)


def _with_last_note(articles: QuerySet[Article]) -> QuerySet[Article]:
    """Each article with its latest audit entry's action and note."""
    latest = AuditEntry.objects.filter(article=OuterRef("pk")).order_by("-at", "-pk")
    return articles.annotate(
        last_action=Subquery(latest.values("action")[:1]),
        last_note=Subquery(latest.values("note")[:1]),
    )


def panels(request: HttpRequest) -> list[Panel]:
    user = request.user
    if not user.has_perm("articles.view_article"):
        return []
    visible = access.visible_in_newsroom(user).order_by("-modified_at")
    editor = access.can_publish(user)
    found = []

    drafts = _with_last_note(visible.filter(status=Status.DRAFT, created_by=user.pk))
    found.append(
        Panel(
            "drafts",
            _("My drafts"),
            drafts.count(),
            _list(status__exact=Status.DRAFT, **{MINE: "1"}),
            first(
                drafts,
                lambda a: a.title,
                _change,
                lambda a: (
                    _("Returned: %(note)s") % {"note": a.last_note or "—"}
                    if a.last_action == AuditEntry.Action.RETURNED
                    else ""
                ),
            ),
            empty_text=_("No drafts."),
        )
    )
    waiting = visible.filter(status=Status.IN_REVIEW).order_by("modified_at")
    found.append(
        Panel(
            "review",
            _("Waiting for review") if editor else _("Mine, waiting for review"),
            waiting.count(),
            _list(status__exact=Status.IN_REVIEW),
            first(
                waiting.select_related("created_by"),
                lambda a: a.title,
                _change,
                lambda a: str(a.created_by or ""),
            ),
            urgent=editor,
            empty_text=_("Nothing is waiting."),
        )
    )
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    scheduled = visible.filter(
        status=Status.SCHEDULED,
        published_at__gte=timezone.now(),
        published_at__lt=start + timedelta(days=1),
    ).order_by("published_at")
    found.append(
        Panel(
            "scheduled",
            _("Scheduled for today"),
            scheduled.count(),
            reverse("admin:articles_article_schedule"),
            first(
                scheduled,
                lambda a: a.title,
                _change,
                lambda a: local_time(a.published_at),
            ),
            empty_text=_("Nothing more today."),
        )
    )
    overdue = visible.filter(pk__in=Article.objects.overdue().values("pk")).order_by(
        "published_at"
    )
    found.append(
        Panel(
            "overdue",
            _("Overdue"),
            overdue.count(),
            reverse("admin:articles_article_schedule"),
            first(
                overdue,
                lambda a: a.title,
                _change,
                lambda a: local_time(a.published_at),
            ),
            urgent=True,
            empty_text=_("Everything went out on time."),
        )
    )
    # What others did to the viewer's stories this week: the e-mails'
    # counterpart on the dashboard (see notifications).
    news = (
        AuditEntry.objects.filter(
            article__created_by=user.pk,
            action__in=notifications.TO_AUTHOR,
            at__gte=timezone.now() - timedelta(days=7),
        )
        .exclude(by=user.pk)
        .select_related("article", "by")
        .order_by("-at", "-pk")
    )
    found.append(
        Panel(
            "news",
            _("Recently on your stories"),
            news.count(),
            reverse("admin:articles_auditentry_changelist")
            if user.has_perm("articles.view_auditentry")
            else _list(**{MINE: "1"}),
            first(
                news,
                lambda e: e.article_title,
                lambda e: _change(e.article),
                lambda e: f"{e.get_action_display()} · {local_time(e.at)} · {e.actor}",
            ),
            empty_text=_("Nothing new this week."),
        )
    )
    breaking = [
        a for a in Article.objects.breaking() if editor or a.created_by_id == user.pk
    ]
    found.append(
        Panel(
            "breaking",
            _("Breaking now"),
            len(breaking),
            _list(status__exact=Status.PUBLISHED),
            first(
                breaking,
                lambda a: a.title,
                _change,
                lambda a: _("until %(time)s") % {"time": local_time(a.breaking_until)},
            ),
            empty_text=_("No breaking news."),
        )
    )
    return found
