import logging
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

    def run_periodic(self, stop: threading.Event, every: float) -> None:
        """Run the registered periodic jobs until `stop`; failures are logged."""
        while not stop.wait(every):
            for job in periodic.JOBS:
                try:
                    close_old_connections()
                    job()
                except Exception:
                    logger.exception("Periodic job %s failed", job.__qualname__)
