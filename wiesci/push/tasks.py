from django_tasks import task

from wiesci.core.actors import WORKER
from wiesci.push import services
from wiesci.push.models import Broadcast

# A broadcast to many thousands of browsers takes minutes; sent in slices of
# this long, it lets the worker's other tasks (photo sizes, mail) in between.
SLICE_SECONDS = 30.0


@task()
def send_push_broadcast(broadcast_id: int) -> None:
    """Push a breaking story to the subscriptions that want it, a slice at a
    time; what is left goes back in the queue."""
    broadcast = Broadcast.objects.filter(pk=broadcast_id).first()
    if broadcast is None:
        return
    broadcast = services.send_broadcast(broadcast, by=WORKER, seconds=SLICE_SECONDS)
    if broadcast.finished_at is None:
        send_push_broadcast.enqueue(broadcast_id=broadcast_id)
