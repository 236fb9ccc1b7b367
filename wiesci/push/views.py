"""The notifications page, the two JSON addresses its script posts to, and
the service worker that shows a notification.

Nothing here is stored by the page cache (`never_cache`): the page carries a
CSRF token, and the worker script must reach browsers as soon as it changes.
The page asks for nothing when it loads; the browser's permission prompt
comes only from the reader's press of the button (`push/push.js`).
"""

from __future__ import annotations

import json

from allauth.account.adapter import get_adapter
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from wiesci.core.ratelimit import hourly_count
from wiesci.push import forms, services, vapid
from wiesci.taxonomy.models import Section

# Subscriptions (or changes of sections) one client address may post in an
# hour: a household behind one address has a few browsers, not hundreds.
SUBSCRIPTIONS_PER_CLIENT_PER_HOUR = 30
MAX_BODY = 8 * 1024


def _refusal(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def _body(request: HttpRequest) -> object:
    if len(request.body) > MAX_BODY:
        raise forms.Malformed(_("The browser sent too much data."))
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise forms.Malformed(_("The browser sent no subscription.")) from None


@never_cache
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "push/settings.html",
        {
            "sections": Section.objects.all(),
            "application_server_key": vapid.application_server_key(),
        },
    )


@never_cache
@require_POST
def subscribe(request: HttpRequest) -> JsonResponse:
    if vapid.signing_key() is None:
        return _refusal(_("This portal does not send notifications yet."), 404)
    client = get_adapter(request).get_client_ip(request)
    if hourly_count("push.client", client) > SUBSCRIPTIONS_PER_CLIENT_PER_HOUR:
        return _refusal(
            _(
                "Many subscriptions came from your connection in a short time. "
                "Try again in an hour."
            ),
            429,
        )
    try:
        parsed = forms.parse_subscription(_body(request))
    except forms.Malformed as problem:
        return _refusal(str(problem) or _("The browser sent no subscription."))
    subscription = services.subscribe(
        parsed.endpoint,
        by=request.user,
        p256dh=parsed.p256dh,
        auth=parsed.auth,
        sections=parsed.sections,
    )
    return JsonResponse(
        {"ok": True, "sections": [s.pk for s in subscription.sections.all()]}
    )


@never_cache
@require_POST
def unsubscribe(request: HttpRequest) -> JsonResponse:
    try:
        data = _body(request)
        address = forms.endpoint(
            data.get("endpoint") if isinstance(data, dict) else None
        )
    except forms.Malformed as problem:
        return _refusal(str(problem) or _("The browser sent no subscription."))
    services.unsubscribe(address, by=request.user)
    return JsonResponse({"ok": True})


@never_cache
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        render_to_string("push/sw-push.js"),
        content_type="text/javascript; charset=utf-8",
    )
