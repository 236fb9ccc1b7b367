"""The newsletter's pages: sign-up, confirmation and unsubscribing.

None of them is ever stored by the page cache (`never_cache`): they answer
a form or a token. A GET never changes anything, since mail scanners follow
links; confirming and unsubscribing are POSTs from the page's button, and the
one-click POST of RFC 8058 comes from a mail program with no session and no
CSRF token, authenticated by the token in the address alone.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from wiesci.core.ratelimit import hourly_count
from wiesci.newsletter import services, tokens
from wiesci.newsletter.forms import SubscribeForm
from wiesci.newsletter.models import Subscriber

# Sign-ups one client address may send in an hour, and attempts for one
# e-mail address (beyond it, the form answers as usual and does nothing).
SIGNUPS_PER_CLIENT_PER_HOUR = 10
SIGNUPS_PER_EMAIL_PER_HOUR = 5


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client = get_adapter(request).get_client_ip(request)
        if hourly_count("newsletter.client", client) > SIGNUPS_PER_CLIENT_PER_HOUR:
            form.add_error(
                None,
                _(
                    "Many sign-ups came from your connection in a short time. "
                    "Try again in an hour."
                ),
            )
            return render(
                request, "newsletter/subscribe.html", {"form": form}, status=429
            )
        email = form.cleaned_data["email"]
        if (
            not form.filled_by_a_bot()
            and hourly_count("newsletter.email", email.strip().lower())
            <= SIGNUPS_PER_EMAIL_PER_HOUR
        ):
            services.subscribe(
                email, by=request.user, frequency=form.cleaned_data["frequency"]
            )
        # The same answer for a new, pending, confirmed or suppressed address.
        return render(request, "newsletter/subscribed.html", {"email": email})
    status = 400 if request.method == "POST" else 200
    return render(request, "newsletter/subscribe.html", {"form": form}, status=status)


def _refusal(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "newsletter/refused.html", {"message": message}, status=400)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = tokens.subscriber_for_confirmation(token)
    except tokens.TokenExpired:
        return _refusal(
            request,
            _(
                "This confirmation link has expired. Sign up again and we will "
                "send you a new one."
            ),
        )
    except tokens.TokenInvalid:
        return _refusal(
            request,
            _(
                "This confirmation link is not valid. Check that it was copied "
                "whole, or sign up again."
            ),
        )
    if request.method == "POST":
        try:
            services.confirm(subscriber, by=request.user)
        except PermissionDenied as refusal:
            return _refusal(request, str(refusal))
        return render(request, "newsletter/confirmed.html")
    return render(request, "newsletter/confirm.html", {"subscriber": subscriber})


# RFC 8058: the mail program's POST carries no session and no CSRF token; the
# signed token in the address is what authorises it, and it can only ever
# unsubscribe, so a forged request can do no more than the link itself.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = tokens.subscriber_for_unsubscribe(token)
    except tokens.TokenInvalid:
        return _refusal(
            request,
            _(
                "This unsubscribe link is not valid. Check that it was copied "
                "whole, or write to the newsroom."
            ),
        )
    if request.method == "POST":
        services.unsubscribe(subscriber, by=request.user)
        return render(request, "newsletter/unsubscribed.html")
    return render(
        request,
        "newsletter/unsubscribe.html",
        {
            "subscriber": subscriber,
            "subscribed": subscriber.status
            in (Subscriber.Status.PENDING, Subscriber.Status.CONFIRMED),
        },
    )
