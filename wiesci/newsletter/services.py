"""Every write of the newsletter: sign-up, confirmation, unsubscribing and
suppression of addresses; the digests' planning, editing, test, approval and
sending.

Sign-up answers the same whatever the address's state (no one learns from
the form who subscribes), and only a confirmed address is ever in
`Subscriber.objects.confirmed()`, the list a digest goes to. The links in
mail carry signed tokens (`tokens.py`), so confirming and unsubscribing need
no account and no session: the token is the authority, and `by` records who
acted (the request's user, often anonymous, or a system actor).
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci import conf
from wiesci.core.actors import SystemActor, system_name
from wiesci.core.mail import send_later
from wiesci.newsletter import digests, letters
from wiesci.newsletter.models import Delivery, Digest, Subscriber

logger = logging.getLogger(__name__)

# A pending address gets the confirmation mail again at most this often.
RESEND_AFTER = timedelta(minutes=15)
CONSENT_VERSION = "2026-12"


def _changed(row: Subscriber | Digest, by: Any) -> list[str]:
    """Name `by` as the author of the change being saved; the fields to save."""
    user = getattr(by, "is_authenticated", False) and not isinstance(by, SystemActor)
    row.changed_by = by if user else None
    row.changed_by_system = system_name(by)
    return ["changed_by", "changed_by_system"]


@transaction.atomic
def subscribe(
    email: str, *, by: Any, frequency: str = Subscriber.Frequency.DAILY
) -> Subscriber:
    """Sign `email` up, pending its confirmation, and mail it the link.

    A pending address gets the link again (at most once per RESEND_AFTER), one
    that unsubscribed signs up anew; a confirmed or suppressed address is
    left as it is and gets nothing. The caller answers the same in every case.
    A pending or returning address takes the `frequency` chosen now.
    """
    email = email.strip()
    now = timezone.now()
    subscriber = Subscriber.objects.select_for_update().with_email(email).first()
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber(
                    email=email,
                    frequency=frequency,
                    consent_text=letters.consent_text(),
                    consent_version=CONSENT_VERSION,
                )
                _changed(subscriber, by)
                subscriber.save()
        except IntegrityError:  # signed up at the same moment by another request
            return Subscriber.objects.with_email(email).get()
    elif subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        subscriber.status = Subscriber.Status.PENDING
        subscriber.frequency = frequency
        subscriber.reason = Subscriber.Reason.NONE
        subscriber.confirmed_at = None
        subscriber.ended_at = None
        subscriber.consent_text = letters.consent_text()
        subscriber.consent_version = CONSENT_VERSION
        subscriber.save(
            update_fields=[
                "status",
                "frequency",
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
    elif subscriber.frequency != frequency:
        subscriber.frequency = frequency
        subscriber.save(update_fields=["frequency", *_changed(subscriber, by)])
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


# --- Digests ----------------------------------------------------------------


def _require_digest_rights(by: Any) -> None:
    if not by.has_perm("newsletter.change_digest"):
        raise PermissionDenied(_("You may not prepare or send newsletter digests."))


def _locked(digest: Digest) -> Digest:
    return Digest.objects.select_for_update().get(pk=digest.pk)


@transaction.atomic
def plan_digests(*, by: Any, now: datetime) -> list[Digest]:
    """Draft the next daily and weekly digest, if they are not there yet.

    Drafted a day or a week ahead, so that the newsroom can write its intro
    in time. With NEWSLETTER_AUTOMATIC, a digest nobody changes goes out at
    its time; otherwise each waits for an editor's approval.
    """
    _require_digest_rights(by)
    status = (
        Digest.Status.SCHEDULED if conf.NEWSLETTER_AUTOMATIC else Digest.Status.DRAFT
    )
    made = []
    for kind in Digest.Kind.values:
        send_at = digests.next_send_at(kind, after=now)
        if Digest.objects.filter(kind=kind, send_at=send_at).exists():
            continue
        covers_from, covers_until = digests.period(kind, send_at)
        digest = Digest(
            kind=kind,
            send_at=send_at,
            covers_from=covers_from,
            covers_until=covers_until,
            status=status,
        )
        _changed(digest, by)
        try:
            with transaction.atomic():
                digest.save()
        except IntegrityError:  # drafted at the same moment by another worker
            continue
        made.append(digest)
    return made


@transaction.atomic
def save_digest(digest: Digest, *, by: Any) -> Digest:
    """Keep the newsroom's intro and top story. The digest then waits for a
    test of this version and an editor's approval before it goes out."""
    _require_digest_rights(by)
    current = _locked(digest)
    if current.status not in (Digest.Status.DRAFT, Digest.Status.SCHEDULED):
        raise PermissionDenied(
            _("This digest is being sent or is done; it can no longer change.")
        )
    digest.version = current.version + 1
    digest.status = Digest.Status.DRAFT
    digest.save(
        update_fields=["intro", "top_story", "version", "status", *_changed(digest, by)]
    )
    return digest


def _message(
    subject: str,
    text: str,
    html: str,
    to: str,
    *,
    headers: dict[str, str] | None = None,
    connection: Any = None,
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject, text, None, [to], headers=headers or {}, connection=connection
    )
    message.attach_alternative(html, "text/html")
    return message


@transaction.atomic
def send_test(digest: Digest, *, by: Any, to: str) -> Digest:
    """Mail the digest as it stands to `to` (the newsroom's own address), its
    subject marked as a test; approval needs a test of the current version."""
    _require_digest_rights(by)
    digest = _locked(digest)
    rendered = digests.render(digest)
    here = letters.subscribe_url()
    send_later(
        _message(
            _("[TEST] %(subject)s") % {"subject": rendered.subject},
            digests.personalise(rendered.text, here),
            digests.personalise(rendered.html, here),
            to,
        )
    )
    digest.tested_version = digest.version
    digest.tested_at = timezone.now()
    digest.tested_to = to
    digest.save(
        update_fields=[
            "tested_version",
            "tested_at",
            "tested_to",
            *_changed(digest, by),
        ]
    )
    return digest


@transaction.atomic
def approve_digest(digest: Digest, *, by: Any) -> Digest:
    """Let the digest go at its time (at once, when that has passed)."""
    _require_digest_rights(by)
    digest = _locked(digest)
    if digest.status == Digest.Status.SCHEDULED:
        return digest
    if digest.status != Digest.Status.DRAFT:
        raise PermissionDenied(_("This digest is being sent or is done."))
    if not digest.is_tested:
        raise PermissionDenied(
            _(
                "Send a test of this version of the digest first, and read it: "
                "it was changed after the last test."
            )
        )
    digest.status = Digest.Status.SCHEDULED
    digest.save(update_fields=["status", *_changed(digest, by)])
    return digest


@transaction.atomic
def hold_digest(digest: Digest, *, by: Any) -> Digest:
    """Stop a scheduled digest from going out until it is approved again."""
    _require_digest_rights(by)
    digest = _locked(digest)
    if digest.status == Digest.Status.SCHEDULED:
        digest.status = Digest.Status.DRAFT
        digest.save(update_fields=["status", *_changed(digest, by)])
    return digest


def _late_limit(digest: Digest) -> timedelta:
    # A digest that missed its time by more than a quarter of its period
    # (6 hours for a daily one) would be news of the day before: skipped.
    return (digest.covers_until - digest.covers_from) / 4


@transaction.atomic
def start_sending(digest: Digest, *, by: Any, now: datetime) -> int:
    """Render the digest once and line up one delivery per confirmed address
    that chose its frequency; the worker sends them (`send_digest`).

    Returns the number of addresses lined up. A digest with no story, or
    found too late, is marked as not sent, with the reason.
    """
    _require_digest_rights(by)
    digest = _locked(digest)
    if digest.status != Digest.Status.SCHEDULED or digest.send_at > now:
        return 0
    found = digests.articles(digest)
    skipped = ""
    if now - digest.send_at > _late_limit(digest):
        skipped = _("Not sent: the worker found it too long after its time.")
    elif not found:
        skipped = _("Not sent: no story was published in its time.")
    if skipped:
        digest.status = Digest.Status.SKIPPED
        digest.note = skipped
        digest.finished_at = now
        digest.save(
            update_fields=["status", "note", "finished_at", *_changed(digest, by)]
        )
        return 0
    rendered = digests.render(digest, found)
    digest.article_ids = [article.pk for article in found]
    digest.subject = rendered.subject
    digest.html = rendered.html
    digest.text = rendered.text
    digest.status = Digest.Status.SENDING
    digest.started_at = digest.progress_at = now
    digest.save(
        update_fields=[
            "article_ids",
            "subject",
            "html",
            "text",
            "status",
            "started_at",
            "progress_at",
            *_changed(digest, by),
        ]
    )
    recipients = (
        Subscriber.objects.confirmed()
        .filter(frequency=digest.frequency)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Delivery.objects.bulk_create(
        (Delivery(digest=digest, subscriber_id=pk) for pk in recipients.iterator()),
        batch_size=1000,
        ignore_conflicts=True,
    )
    count = Delivery.objects.filter(digest=digest).count()
    from wiesci.newsletter.tasks import send_digest

    pk = digest.pk
    transaction.on_commit(lambda: send_digest.enqueue(digest_id=pk))
    return count


def _finish_if_done(digest: Digest, *, by: Any) -> bool:
    if Delivery.objects.filter(digest=digest, status__in=Delivery.OPEN).exists():
        return False
    updated = Digest.objects.filter(pk=digest.pk, status=Digest.Status.SENDING).update(
        status=Digest.Status.SENT,
        finished_at=timezone.now(),
        changed_by=None,
        changed_by_system=system_name(by),
    )
    return bool(updated)


def _mark(delivery: Delivery, claim: str, status: str, **fields: Any) -> bool:
    """Move a delivery on, if it is still this worker's and where it left it."""
    taken = (Delivery.Status.SENDING, Delivery.Status.CANCELLED)
    before = Delivery.Status.CLAIMED if status in taken else Delivery.Status.SENDING
    return bool(
        Delivery.objects.filter(pk=delivery.pk, claim=claim, status=before).update(
            status=status, **fields
        )
    )


def send_batch(digest: Digest, *, by: Any, limit: int | None = None) -> int:
    """Take up to `limit` waiting deliveries and mail them through one
    connection; the number taken (0 when none was waiting).

    Not one transaction: each step is committed as it happens, so that a
    worker stopped at any point leaves rows that say how far it got. A row is
    taken by a conditional update, so two workers never take the same one; it
    is marked `SENDING` just before the mail server gets it and `SENT` right
    after. An address refused outright by the mail server is suppressed.
    """
    limit = limit or conf.NEWSLETTER_BATCH_SIZE
    claim = secrets.token_hex(8)
    now = timezone.now()
    waiting = list(
        Delivery.objects.filter(digest=digest, status=Delivery.Status.WAITING)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    Delivery.objects.filter(pk__in=waiting, status=Delivery.Status.WAITING).update(
        status=Delivery.Status.CLAIMED, claim=claim, claimed_at=now
    )
    Digest.objects.filter(pk=digest.pk).update(progress_at=now)
    taken = list(
        Delivery.objects.filter(claim=claim, status=Delivery.Status.CLAIMED)
        .select_related("subscriber")
        .order_by("pk")
    )
    if not taken:
        _finish_if_done(digest, by=by)
        return 0
    with get_connection() as connection:
        for delivery in taken:
            _deliver(digest, delivery, claim, connection=connection, by=by)
    _finish_if_done(digest, by=by)
    return len(taken)


def _deliver(
    digest: Digest, delivery: Delivery, claim: str, *, connection: Any, by: Any
) -> None:
    subscriber = delivery.subscriber
    if not subscriber.is_confirmed:  # left the list since sending started
        _mark(delivery, claim, Delivery.Status.CANCELLED)
        return
    if not _mark(delivery, claim, Delivery.Status.SENDING, claimed_at=timezone.now()):
        return
    unsubscribe = letters.unsubscribe_url(subscriber)
    message = _message(
        digest.subject,
        digests.personalise(digest.text, unsubscribe),
        digests.personalise(digest.html, unsubscribe),
        subscriber.email,
        headers=letters.list_unsubscribe_headers(subscriber),
        connection=connection,
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused as refusal:
        _mark(delivery, claim, Delivery.Status.FAILED, error=str(refusal)[:300])
        suppress(subscriber, by=by, reason=Subscriber.Reason.BOUNCE)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning(
            "digest %s to subscriber %s: %s", digest.pk, subscriber.pk, error
        )
        _mark(delivery, claim, Delivery.Status.FAILED, error=str(error)[:300])
    else:
        _mark(delivery, claim, Delivery.Status.SENT, sent_at=timezone.now())


def recover_stalled(*, by: Any, now: datetime) -> list[int]:
    """Pick up the sending a stopped worker left: its untried rows wait again,
    the one it was handing over counts as maybe sent (never repeated). The
    ids of the digests that need a worker again."""
    stale = now - timedelta(minutes=conf.NEWSLETTER_STALE_MINUTES)
    Delivery.objects.filter(
        status=Delivery.Status.CLAIMED, claimed_at__lt=stale
    ).update(status=Delivery.Status.WAITING, claim="", claimed_at=None)
    Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=stale
    ).update(status=Delivery.Status.UNKNOWN)
    again = []
    for digest in Digest.objects.filter(
        status=Digest.Status.SENDING, progress_at__lt=stale
    ):
        if _finish_if_done(digest, by=by):
            continue
        if Delivery.objects.filter(
            digest=digest, status=Delivery.Status.WAITING
        ).exists():
            Digest.objects.filter(pk=digest.pk).update(progress_at=now)
            again.append(digest.pk)
    return again
