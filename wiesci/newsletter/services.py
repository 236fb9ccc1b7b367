"""Every write to the newsletter's subscribers: sign-up, confirmation,
unsubscribing and suppression.

Sign-up answers the same whatever the address's state (no one learns from
the form who subscribes), and only a confirmed address is ever in
`Subscriber.objects.confirmed()`, the list a digest goes to. The links in
mail carry signed tokens (`tokens.py`), so confirming and unsubscribing need
no account and no session: the token is the authority, and `by` records who
acted (the request's user, often anonymous, or a system actor).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci.core.actors import SystemActor, system_name
from wiesci.newsletter import letters
from wiesci.newsletter.models import Subscriber

# A pending address gets the confirmation mail again at most this often.
RESEND_AFTER = timedelta(minutes=15)
CONSENT_VERSION = "2026-12"


def _changed(subscriber: Subscriber, by: Any) -> list[str]:
    """Name `by` as the author of the change being saved; the fields to save."""
    user = getattr(by, "is_authenticated", False) and not isinstance(by, SystemActor)
    subscriber.changed_by = by if user else None
    subscriber.changed_by_system = system_name(by)
    return ["changed_by", "changed_by_system"]


@transaction.atomic
def subscribe(email: str, *, by: Any) -> Subscriber:
    """Sign `email` up, pending its confirmation, and mail it the link.

    A pending address gets the link again (at most once per RESEND_AFTER), one
    that unsubscribed signs up anew; a confirmed or suppressed address is
    left as it is and gets nothing. The caller answers the same in every case.
    """
    email = email.strip()
    now = timezone.now()
    subscriber = Subscriber.objects.select_for_update().with_email(email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber(
                    email=email,
                    consent_text=letters.consent_text(),
                    consent_version=CONSENT_VERSION,
                )
                _changed(subscriber, by)
                subscriber.save()
        except IntegrityError:  # signed up at the same moment by another request
            return Subscriber.objects.with_email(email).get()
    elif subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.PENDING
        subscriber.reason = Subscriber.Reason.NONE
        subscriber.confirmed_at = None
        subscriber.ended_at = None
        subscriber.consent_text = letters.consent_text()
        subscriber.consent_version = CONSENT_VERSION
        subscriber.save(
            update_fields=[
                "status",
                "reason",
                "confirmed_at",
                "ended_at",
                "consent_text",
                "consent_version",
                *_changed(subscriber, by),
            ]
        )
    elif subscriber.status != Subscriber.Status.PENDING:
        return subscriber
    sent = subscriber.confirmation_sent_at
    if sent is not None and now - sent < RESEND_AFTER:
        return subscriber
    subscriber.confirmation_sent_at = now
    subscriber.save(update_fields=["confirmation_sent_at"])
    letters.send_confirmation(subscriber)
    return subscriber


@transaction.atomic
def confirm(subscriber: Subscriber, *, by: Any) -> Subscriber:
    """Confirm a pending address; a confirmed one stays so, others are refused.

    An address that unsubscribed or was suppressed since the link was sent
    does not come back by an old link.
    """
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return subscriber
    if subscriber.status != Subscriber.Status.PENDING:
        raise PermissionDenied(
            _("This address is no longer signed up. Sign up again to confirm it.")
        )
    subscriber.status = Subscriber.Status.CONFIRMED
    subscriber.confirmed_at = timezone.now()
    subscriber.save(update_fields=["status", "confirmed_at", *_changed(subscriber, by)])
    return subscriber


@transaction.atomic
def unsubscribe(subscriber: Subscriber, *, by: Any) -> Subscriber:
    """Stop all newsletter mail to the address; doing it twice changes nothing."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status in (
        Subscriber.Status.UNSUBSCRIBED,
        Subscriber.Status.SUPPRESSED,
    ):
        return subscriber
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.reason = Subscriber.Reason.UNSUBSCRIBED
    subscriber.ended_at = timezone.now()
    subscriber.save(
        update_fields=["status", "reason", "ended_at", *_changed(subscriber, by)]
    )
    return subscriber


@transaction.atomic
def suppress(subscriber: Subscriber, *, by: Any, reason: str) -> Subscriber:
    """Never mail the address again, for a bounce, a complaint or the newsroom.

    A suppressed address cannot sign up again by the form: only an
    administrator may lift it (by deleting the row).
    """
    if not isinstance(by, SystemActor) and not by.has_perm(
        "newsletter.change_subscriber"
    ):
        raise PermissionDenied(_("You may not suppress newsletter addresses."))
    if reason not in Subscriber.Reason.values or reason == Subscriber.Reason.NONE:
        raise ValueError(f"not a suppression reason: {reason!r}")
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    if subscriber.status == Subscriber.Status.SUPPRESSED:
        return subscriber
    subscriber.status = Subscriber.Status.SUPPRESSED
    subscriber.reason = reason
    subscriber.ended_at = timezone.now()
    subscriber.save(
        update_fields=["status", "reason", "ended_at", *_changed(subscriber, by)]
    )
    return subscriber
