"""The readers' tip form, its thank-you page, and the newsroom's photo preview.

None of them is stored by the page cache (`never_cache`): the form carries a
new question each time, the others are one reader's or the newsroom's own.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.core import signing
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from wiesci.core import legal
from wiesci.core.ratelimit import hourly_count
from wiesci.tips import access, previews, services
from wiesci.tips.forms import TipForm

# Tip forms one client address may send in an hour, refused ones included:
# each costs the server the upload and the checking of its files.
TIPS_PER_CLIENT_PER_HOUR = 10
THANKS_SALT = "wiesci.tips.thanks"
THANKS_MAX_AGE = 24 * 60 * 60


def _page(
    request: HttpRequest, form: TipForm, *, status: int, refusal: str = ""
) -> HttpResponse:
    return render(
        request,
        "tips/submit.html",
        {
            "form": form,
            "refusal": refusal,
            # A browser never sends files back with a returned form.
            "files_lost": bool(request.FILES),
            "terms_url": legal.TERMS,
            "privacy_url": legal.PRIVACY,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, TipForm(), status=200)
    client = get_adapter(request).get_client_ip(request)
    if hourly_count("tips.client", client) > TIPS_PER_CLIENT_PER_HOUR:
        kept = {k: v for k, v in request.POST.items() if k not in ("answer", "website")}
        return _page(
            request,
            TipForm(initial=kept),
            status=429,
            refusal=_(
                "Many tips came from your connection in a short time. Try again "
                "in an hour, or call or write to the newsroom."
            ),
        )
    form = TipForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    tip = services.submit_tip(
        by=request.user,
        text=data["text"],
        place=data["place"],
        happened=data["happened"],
        name=data["name"],
        email=data["email"],
        phone=data["phone"],
        credit_consent=data["credit_consent"],
        photos=data["photos"],
        video=data["video"],
    )
    number = signing.dumps(tip.reference, salt=THANKS_SALT)
    return HttpResponseRedirect(reverse("tips:thanks") + "?nr=" + number)


@never_cache
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    try:
        reference = signing.loads(
            request.GET.get("nr", ""), salt=THANKS_SALT, max_age=THANKS_MAX_AGE
        )
    except signing.BadSignature:
        reference = ""
    return render(request, "tips/thanks.html", {"reference": reference})


@never_cache
@require_GET
def photo_preview(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = access.get_photo_for_staff(pk, request.user)
    side = previews.SMALL if "maly" in request.GET else previews.LARGE
    response = HttpResponse(
        previews.preview_jpeg(attachment, side=side), content_type="image/jpeg"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
