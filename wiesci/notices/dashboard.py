"""The notices' panel on the newsroom's dashboard (see core.dashboard)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from wiesci.core.dashboard import Panel, first
from wiesci.core.editorial import Status
from wiesci.notices.models import Notice
from wiesci.notices.services import WORKFLOW


def panels(request: HttpRequest) -> list[Panel]:
    user = request.user
    if not WORKFLOW.can_publish(user):
        return []
    waiting = (
        Notice.objects.filter(status=Status.IN_REVIEW)
        .select_related("issuer")
        .order_by("modified_at")
    )
    url = reverse("admin:notices_notice_changelist")
    return [
        Panel(
            "notices-review",
            _("Official notices waiting for review"),
            waiting.count(),
            url + "?" + urlencode({"status__exact": Status.IN_REVIEW}),
            first(
                waiting,
                lambda n: n.title,
                lambda n: reverse("admin:notices_notice_change", args=[n.pk]),
                lambda n: n.issuer.name,
            ),
            urgent=True,
            empty_text=_("Nothing is waiting."),
        )
    ]
