import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from wiesci.core import preflight

# Static names carry a content hash and media names a time stamp and a hash, so
# a name never changes meaning: browsers and proxies may keep them for a year.
STATIC_LIFETIME = 365 * 24 * 3600


class Command(BaseCommand):
    help = (
        "Serve the portal with granian (WSGI), including /static/ and /media/. "
        "Checks the database and cache first and exits with a one-line message "
        "if either is unusable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
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
            static_path_route=[
                settings.STATIC_URL.rstrip("/"),
                settings.MEDIA_URL.rstrip("/"),
            ],
            static_path_mount=[settings.STATIC_ROOT, settings.MEDIA_ROOT],
            static_path_expires=STATIC_LIFETIME,
        )
        worker = None
        if not options["no_worker"] and "ImmediateBackend" not in str(settings.TASKS):
            # A separate process rather than a thread: granian forks its
            # workers, and a fork must not copy a thread holding a database lock.
            worker = subprocess.Popen([sys.executable, "-m", "wiesci", "worker"])
        try:
            server.serve()
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(30)
