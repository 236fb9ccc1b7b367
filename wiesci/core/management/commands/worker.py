import logging
import math
import os
import socket
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from wiesci.core import periodic

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run background tasks (photo renditions, e-mail, publishing side effects) "
        "from the database queue. `wiesci serve` starts one of these itself."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait between looks at an empty queue (default 1).",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=10.0,
            help="Seconds between runs of the periodic jobs (default 10).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Exit once the queue is empty instead of waiting for more.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import signal

        from django_tasks_db.management.commands.db_worker import Worker

        worker = Worker(
            queue_names=["*"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=not options["batch"],
            max_tasks=None,
            worker_id=f"{socket.gethostname()}-{os.getpid()}",
            excluded_queue_names=[],
        )
        signal.signal(signal.SIGINT, worker.shutdown)
        signal.signal(signal.SIGTERM, worker.shutdown)
        stop = threading.Event()
        scheduler = threading.Thread(
            target=self.run_periodic,
            args=(stop, options["every"]),
            name="wiesci-scheduler",
            daemon=True,
        )
        if not options["batch"]:
            scheduler.start()
        try:
            worker.run()
        finally:
            stop.set()
            # Let the scheduler give up its lease, unless a job holds it up.
            if scheduler.is_alive():
                scheduler.join(5)

    def run_periodic(self, stop: threading.Event, every: float) -> None:
        """Run the registered periodic jobs until `stop`; failures are logged.

        Each round starts with a heartbeat, the first one at once. The jobs
        run only while this worker holds the scheduler's lease in the shared
        cache (`periodic.Lease`), so that with several servers they run in
        one worker at a time; a lease not renewed for three rounds passes to
        another worker. Stopping gives the lease up.
        """
        lease = periodic.Lease(
            holder=periodic.worker_name(), seconds=max(1, math.ceil(3 * every))
        )
        self.beat()
        held = self.hold(lease, held=False)
        try:
            while not stop.wait(every):
                self.beat()
                held = self.hold(lease, held=held)
                if not held:
                    continue
                for job in periodic.JOBS:
                    try:
                        close_old_connections()
                        job()
                    except Exception:
                        logger.exception("Periodic job %s failed", job.__qualname__)
        finally:
            if held:
                try:
                    lease.release()
                except Exception:
                    logger.exception("Could not give up the scheduler's lease")

    @staticmethod
    def hold(lease: periodic.Lease, *, held: bool) -> bool:
        """Take or renew the lease; say so in the log when that changes.

        Without a cache to ask, the jobs run anyway: they tolerate a second
        run at the same moment (see `periodic.Lease`), and missing them
        would leave scheduled stories' side effects undone.
        """
        try:
            now = lease.hold()
        except Exception:
            logger.exception("Could not renew the scheduler's lease; running the jobs")
            return True
        if now and not held:
            logger.info("Periodic jobs run in this worker (%s) now", lease.holder)
        elif held and not now:
            logger.warning(
                "Periodic jobs passed to another worker (%s)",
                lease.current_holder() or "none yet",
            )
        return now

    @staticmethod
    def beat() -> None:
        try:
            periodic.beat()
        except Exception:  # A lost cache must not stop the jobs.
            logger.exception("Could not record the worker's heartbeat")
