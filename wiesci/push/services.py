"""Every write to push subscriptions and broadcasts.

A reader's browser subscribes and unsubscribes from the notifications page
(`by` is the request's user, often anonymous). A story marked breaking while
public starts one `Broadcast` per breaking period (`start_broadcast`, from the
`article_changed` signal); the task worker sends it (`send_broadcast`,
`by=WORKER`) in batches, each claimed before anything goes out, so that no
restart sends to a subscription twice.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from wiesci.articles.models import Article
from wiesci.core.actors import SystemActor, user_of
from wiesci.push import delivery, vapid
from wiesci.push.models import Broadcast, PushSubscription
from wiesci.taxonomy.models import Section

log = logging.getLogger(__name__)

# Subscriptions claimed at a time: what a crash of the worker may leave
# without their notification.
BATCH_SIZE = 100
# Pushes in flight at once; each waits on a push service's answer.
SENDERS = 8
# An unfinished broadcast whose last batch was claimed longer ago than this
# lost its worker, and another takes it up (`resume_stalled_broadcasts`).
STALLED_AFTER = timedelta(minutes=5)


def _reader(by: Any) -> Any:
    """The logged-in reader acting, or None (anonymous, or the system)."""
    person = user_of(by)
    return person if getattr(person, "is_authenticated", False) else None


@transaction.atomic
def subscribe(
    endpoint: str,
    *,
    by: Any,
    p256dh: str,
    auth: str,
    sections: Iterable[Section] = (),
) -> PushSubscription:
    """Store the browser's subscription, or update the one at `endpoint`:
    its keys and the sections it wants (none: all)."""
    subscription, created = PushSubscription.objects.select_for_update().get_or_create(
        endpoint=endpoint,
        defaults={"p256dh": p256dh, "auth": auth, "user": _reader(by)},
    )
    if not created:
        subscription.p256dh, subscription.auth = p256dh, auth
        subscription.failures = 0
        fields = ["p256dh", "auth", "failures"]
        if _reader(by) is not None:
            subscription.user = _reader(by)
            fields.append("user")
        subscription.save(update_fields=fields)
    subscription.sections.set(list(sections))
    log.info(
        "Push subscription %s %s by %s",
        subscription.pk,
        "created" if created else "updated",
        by,
    )
    return subscription


@transaction.atomic
def unsubscribe(endpoint: str, *, by: Any) -> bool:
    """Forget the subscription at `endpoint`; whether there was one.

    Knowing the address is the authority: only the browser that holds the
    subscription has it.
    """
    deleted, _ = PushSubscription.objects.filter(endpoint=endpoint).delete()
    if deleted:
        log.info("Push subscription at %s removed by %s", endpoint[:40], by)
    return bool(deleted)


@transaction.atomic
def start_broadcast(article: Article, *, by: Any) -> Broadcast | None:
    """Start pushing the story if it is breaking now and was not pushed for
    this breaking period; the new broadcast, or None.

    Safe to call on every change of the article, from any number of
    processes at once: the unique (article, breaking_until) constraint lets
    one of them create the row, and only that one queues the task. Moving
    the end of a period that is still running (the bar kept an hour longer)
    is the same period, and pushes nothing again. Without a VAPID key
    nothing is started.
    """
    now = timezone.now()
    until = article.breaking_until
    if (
        until is None
        or not delivery.is_breaking(article, now=now)
        or vapid.signing_key() is None
    ):
        return None
    running = (
        Broadcast.objects.filter(article=article, breaking_until__gt=now)
        .exclude(breaking_until=until)
        .exists()
    )
    if running:
        return None
    # get_or_create catches the IntegrityError of a racing creator (in a
    # savepoint) and reads that one's row instead.
    broadcast, created = Broadcast.objects.get_or_create(
        article=article,
        breaking_until=until,
        defaults={"text": (article.breaking_text or article.title)[:200]},
    )
    if not created:
        return None
    log.info(
        "Push broadcast %s of article %s started by %s", broadcast.pk, article.pk, by
    )
    from wiesci.push import tasks

    pk = broadcast.pk
    transaction.on_commit(lambda: tasks.send_push_broadcast.enqueue(broadcast_id=pk))
    return broadcast


def _finish(broadcast: Broadcast, *, now: datetime) -> None:
    Broadcast.objects.filter(pk=broadcast.pk, finished_at=None).update(finished_at=now)


def send_broadcast(
    broadcast: Broadcast, *, by: SystemActor, seconds: float | None = None
) -> Broadcast:
    """Push the broadcast's story to every matching subscription not yet
    handed to a sender, batch by batch; the broadcast as it stands after
    (unfinished if `seconds` ran out first, after at least one batch).

    Each batch is claimed by moving `cursor` past it with a conditional
    UPDATE, committed before its first push, so two workers (or one
    restarted) share the list without overlap. A story withdrawn, or no
    longer breaking, stops the rest. 404 and 410 answers delete the
    subscription; other failures count against it.
    """
    key = vapid.signing_key()
    contact = vapid.contact()
    started = time.monotonic()
    sent_a_batch = False
    while True:
        current = Broadcast.objects.select_related("article").get(pk=broadcast.pk)
        if current.finished_at is not None:
            return current
        out_of_time = seconds is not None and time.monotonic() - started >= seconds
        if sent_a_batch and out_of_time:
            return current
        now = timezone.now()
        article = current.article
        if key is None or article is None or not delivery.is_breaking(article, now=now):
            _finish(current, now=now)
            continue
        batch = list(
            PushSubscription.objects.for_section(article.section_id)
            .filter(pk__gt=current.cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not batch:
            _finish(current, now=now)
            continue
        claimed = Broadcast.objects.filter(
            pk=current.pk, cursor=current.cursor, finished_at=None
        ).update(cursor=batch[-1], claimed_at=now)
        if not claimed:
            continue  # another worker took this batch; read where it stands
        recipients = list(PushSubscription.objects.filter(pk__in=batch))
        data = delivery.encode(delivery.payload(article, current.text))
        ttl = delivery.ttl(article.breaking_until or now, now=now)

        push = functools.partial(_push, data=data, key=key, contact=contact, ttl=ttl)
        with ThreadPoolExecutor(max_workers=SENDERS) as pool:
            outcomes = list(pool.map(push, recipients))
        _record(current, recipients, outcomes, by=by)
        sent_a_batch = True


def _push(
    subscription: PushSubscription, *, data: str, key: Any, contact: str, ttl: int
) -> delivery.Outcome:
    return delivery.deliver(
        subscription.info(), data, key=key, contact=contact, ttl=ttl
    )


def _record(
    broadcast: Broadcast,
    recipients: list[PushSubscription],
    outcomes: list[delivery.Outcome],
    *,
    by: SystemActor,
) -> None:
    by_outcome: dict[delivery.Outcome, list[int]] = {o: [] for o in delivery.Outcome}
    for subscription, outcome in zip(recipients, outcomes, strict=True):
        by_outcome[outcome].append(subscription.pk)
    delivered = by_outcome[delivery.Outcome.DELIVERED]
    gone = by_outcome[delivery.Outcome.GONE]
    failed = by_outcome[delivery.Outcome.FAILED]
    with transaction.atomic():
        PushSubscription.objects.filter(pk__in=delivered).update(
            last_success_at=timezone.now(), failures=0
        )
        PushSubscription.objects.filter(pk__in=failed).update(
            failures=F("failures") + 1
        )
        PushSubscription.objects.filter(pk__in=gone).delete()
        Broadcast.objects.filter(pk=broadcast.pk).update(
            sent_count=F("sent_count") + len(delivered),
            removed_count=F("removed_count") + len(gone),
            failed_count=F("failed_count") + len(failed),
        )
    log.info(
        "Push broadcast %s by %s: %d delivered, %d expired, %d failed",
        broadcast.pk,
        by,
        len(delivered),
        len(gone),
        len(failed),
    )


def resume_stalled_broadcasts(
    *, by: SystemActor, now: datetime | None = None
) -> list[int]:
    """Queue again the unfinished broadcasts whose worker went away; their ids.

    Each is claimed by a conditional UPDATE of `claimed_at`, so two workers
    running this at once queue it once; and even two tasks sending one
    broadcast share its subscriptions without overlap (`send_broadcast`).
    """
    from wiesci.push import tasks

    now = now or timezone.now()
    stale = now - STALLED_AFTER
    queued = []
    for pk, claimed_at in (
        Broadcast.objects.filter(finished_at=None)
        .filter(Q(claimed_at__lt=stale) | Q(claimed_at=None, created_at__lt=stale))
        .values_list("pk", "claimed_at")
    ):
        taken = Broadcast.objects.filter(
            pk=pk, claimed_at=claimed_at, finished_at=None
        ).update(claimed_at=now)
        if taken:
            tasks.send_push_broadcast.enqueue(broadcast_id=pk)
            queued.append(pk)
            log.info("Push broadcast %s resumed by %s", pk, by)
    return queued
