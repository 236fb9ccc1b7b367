"""What a tip's reader is told: the wording of the consents they give, kept
with the tip, and the confirmation mail with the tip's reference number."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from wiesci.core.mail import send_later
from wiesci.tips.models import Tip

CONSENT_VERSION = "2026-12"


def terms_text() -> str:
    return _(
        "I have read the terms and the privacy policy. The newsroom may use "
        "what I send in its reporting, and keeps my contact details only to "
        "reach me about this tip."
    )


def credit_consent_text() -> str:
    return _(
        "Publish my name with what I send (for example “Fot. Anna Kowalczyk”). "
        "Without this, the newsroom credits “a reader”."
    )


terms_text_lazy = lazy(terms_text, str)()
credit_consent_text_lazy = lazy(credit_consent_text, str)()


def send_confirmation(tip: Tip) -> None:
    """Tell the reader the tip arrived, with its number.

    Neither the tip's text nor its files go back: anyone may type any address
    into the form, and the portal must not mail a stranger's words to it.
    Nothing that tracks, either.
    """
    if not tip.email:
        return
    portal = Site.objects.get_current().name
    context = {
        "portal": portal,
        "reference": tip.reference,
        "site_url": settings.SITE_URL,
    }
    subject = _("%(portal)s: we have received your tip %(reference)s") % {
        "portal": portal,
        "reference": tip.reference,
    }
    message = EmailMultiAlternatives(
        subject,
        render_to_string("tips/email/received.txt", context),
        None,
        [tip.email],
    )
    message.attach_alternative(
        render_to_string("tips/email/received.html", context), "text/html"
    )
    send_later(message)
