"""What the newsletter's mail carries: the confirmation message, the signed
links, the unsubscribe headers every list message must have, and the wording
of the consent a reader gives."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from wiesci.core.mail import send_later
from wiesci.newsletter import tokens
from wiesci.newsletter.models import Subscriber


def consent_text() -> str:
    return _(
        "I want to receive the newsletter by e-mail. I can unsubscribe at any "
        "time with the link in every message."
    )


def subscribe_url() -> str:
    return settings.SITE_URL + reverse("newsletter:subscribe")


def confirmation_url(subscriber: Subscriber) -> str:
    token = tokens.confirmation_token(subscriber)
    return settings.SITE_URL + reverse("newsletter:confirm", args=[token])


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = tokens.unsubscribe_token(subscriber)
    return settings.SITE_URL + reverse("newsletter:unsubscribe", args=[token])


def list_unsubscribe_headers(subscriber: Subscriber) -> dict[str, str]:
    """The headers every newsletter message must carry (RFC 2369, RFC 8058).

    Mail programs offer their own unsubscribe button from these and send the
    one-click POST to the address, which `views.unsubscribe` answers without a
    session. Only for list mail: the confirmation is transactional.
    """
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(subscriber)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_confirmation(subscriber: Subscriber) -> None:
    """Mail the confirmation link, in plain text and HTML, with nothing that
    tracks: no pixel, no redirecting links."""
    context = {
        "confirm_url": confirmation_url(subscriber),
        "days": tokens.CONFIRMATION_MAX_AGE.days,
        "site_url": settings.SITE_URL,
    }
    subject = _("Confirm your newsletter subscription")
    message = EmailMultiAlternatives(
        subject,
        render_to_string("newsletter/email/confirm.txt", context),
        None,
        [subscriber.email],
    )
    message.attach_alternative(
        render_to_string("newsletter/email/confirm.html", context), "text/html"
    )
    send_later(message)
