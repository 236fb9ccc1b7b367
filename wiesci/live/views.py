"""The readers' poll: what a live coverage shows now, for open pages to catch up.

One answer for every reader (no cookie read, no parameter), so the page
cache and any proxy in front keep it: an update purges it with the article's
page, and a poll between updates is a 304 on its ETag.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, JsonResponse
from django.template.loader import render_to_string

from wiesci.articles.models import Article
from wiesci.live.models import POLL_UPDATES, Coverage
from wiesci.live.templatetags.live import newest_updates

POLL_PREFIX = "/na-zywo/"
# Browsers ask again every time (and get a 304 while nothing changed);
# proxies that miss a purge keep an answer at most this long.
POLL_PROXY_SECONDS = 2
TEMPLATE = "live/_coverage.html"


def poll(request: HttpRequest, article: int) -> JsonResponse:
    coverage = (
        Coverage.objects.filter(article__in=Article.objects.published(), pk=article)
        .select_related("article")
        .first()
    )
    if coverage is None:
        raise Http404
    updates = list(newest_updates().filter(coverage=coverage)[:POLL_UPDATES])
    context = {"coverage": coverage, "article": coverage.article}
    response = JsonResponse(
        {
            "live": coverage.is_live,
            "facts": render_to_string(f"{TEMPLATE}#facts", context),
            "status": render_to_string(
                f"{TEMPLATE}#status",
                {**context, "count": coverage.updates.count()},
            ).strip(),
            "updates": [
                {
                    "id": update.pk,
                    "html": render_to_string(f"{TEMPLATE}#update", {"update": update}),
                }
                for update in updates
            ],
        }
    )
    response["Cache-Control"] = f"max-age=0, s-maxage={POLL_PROXY_SECONDS}"
    return response
