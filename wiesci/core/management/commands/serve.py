import logging
import os
import subprocess
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from wiesci.core import metrics, preflight

# Static names carry a content hash and media names a time stamp and a hash, so
# a name never changes meaning: browsers and proxies may keep them for a year.
STATIC_LIFETIME = 365 * 24 * 3600

logger = logging.getLogger("wiesci.serve")


class WorkerSupervisor:
    """Keep one `wiesci worker` running beside the server, restarting it when
    it exits, so photo sizes and e-mail go on after a crash.

    A worker that keeps dying right after its start is restarted after a
    growing pause (up to a minute), not in a tight loop. A separate process
    rather than a thread: granian forks its workers, and a fork must not copy
    a thread holding a database lock.
    """

    QUICK_EXIT = 10.0  # seconds: an exit sooner than this counts as failing
    LONGEST_PAUSE = 60.0

    def __init__(self, command: list[str]) -> None:
        self.command = command
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._watch, name="wiesci-worker-supervisor", daemon=True
        )

    def start(self) -> None:
        self.process = self._spawn()
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(self.command)  # noqa: S603 (the product's own command)

    def _watch(self) -> None:
        pause = 1.0
        while not self._stopping.is_set() and self.process is not None:
            started = time.monotonic()
            code = self.process.wait()
            if self._stopping.is_set():
                return
            quick = time.monotonic() - started < self.QUICK_EXIT
            pause = min(pause * 2, self.LONGEST_PAUSE) if quick else 1.0
            logger.warning(
                "wiesci worker (pid %s) exited with code %s; starting it again in "
                "%.0f s",
                self.process.pid,
                code,
                pause,
            )
            if self._stopping.wait(pause):
                return
            self.process = self._spawn()
            logger.info("wiesci worker started again (pid %s)", self.process.pid)

    def stop(self) -> None:
        self._stopping.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def add_server_options(parser: CommandParser, *, host: bool = True) -> None:
    """The options every command that serves the portal takes."""
    if host:
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to listen on (default 127.0.0.1).",
        )
    parser.add_argument(
        "--port", type=int, default=8000, help="Port to listen on (default 8000)."
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="Worker processes (default: the number of CPU cores).",
    )


class Command(BaseCommand):
    help = (
        "Serve the portal with granian (WSGI), including /static/ and /media/ "
        "(with byte ranges, for video players). "
        "Checks the database and cache first and exits with a one-line message "
        "if either is unusable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_options(parser)
        parser.add_argument(
            "--threads",
            type=int,
            default=2,
            help=(
                "Request threads per worker (default 2: measured the fastest for "
                "cached pages while a slow upload still leaves one thread free)."
            ),
        )
        parser.add_argument(
            "--access-log", action="store_true", help="Log every request."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not start the background task worker beside the server.",
        )
        parser.add_argument(
            "--skip-collectstatic",
            action="store_true",
            help="Do not collect static files before starting.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        preflight.check_all()
        # Counts of an earlier run's processes would add to this one's.
        metrics.clear()
        if not options["skip_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Wieści: http://{options['host']}:{options['port']}/ "
            f"({options['workers']} worker(s))"
        )
        server = Granian(
            "wiesci.wsgi:application",
            address=options["host"],
            port=options["port"],
            interface=Interfaces.WSGI,
            workers=options["workers"],
            blocking_threads=options["threads"],
            log_access=options["access_log"],
            respawn_failed_workers=True,
            # Media are answered by the WSGI application (core.mediafiles),
            # which answers byte ranges and says nosniff.
            static_path_route=[settings.STATIC_URL.rstrip("/")],
            static_path_mount=[settings.STATIC_ROOT],
            static_path_expires=STATIC_LIFETIME,
        )
        worker = None
        if not options["no_worker"] and "ImmediateBackend" not in str(settings.TASKS):
            worker = WorkerSupervisor([sys.executable, "-m", "wiesci", "worker"])
            worker.start()
        try:
            server.serve()
        finally:
            if worker is not None:
                worker.stop()
