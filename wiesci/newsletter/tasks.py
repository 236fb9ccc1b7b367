"""The worker's part of the newsletter: each round it drafts the coming
digests, starts those whose time has come and picks up after a stopped
worker; `send_digest` sends one digest's mail in batches."""

from __future__ import annotations

import time

from django.utils import timezone
from django_tasks import task

from wiesci.core.actors import SCHEDULER, WORKER
from wiesci.newsletter import services
from wiesci.newsletter.models import Digest

# How long one task sends before it hands the rest to a new task, so that a
# long list leaves room in the queue for the portal's other work.
TASK_SECONDS = 60


@task()
def send_digest(digest_id: int) -> None:
    """Send the waiting deliveries of a digest, batch after batch."""
    digest = Digest.objects.filter(pk=digest_id, status=Digest.Status.SENDING).first()
    if digest is None:
        return
    deadline = time.monotonic() + TASK_SECONDS
    while services.send_batch(digest, by=WORKER):
        if time.monotonic() > deadline:
            send_digest.enqueue(digest_id=digest_id)
            return


def newsletter_round() -> None:
    """One periodic round (`core.periodic`): plan, start, recover."""
    now = timezone.now()
    services.plan_digests(by=SCHEDULER, now=now)
    for digest in Digest.objects.due(now=now):
        services.start_sending(digest, by=SCHEDULER, now=now)
    for digest_id in services.recover_stalled(by=SCHEDULER, now=now):
        send_digest.enqueue(digest_id=digest_id)
