from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from wiesci.core.actors import COMMAND
from wiesci.operations.backup import StepBars
from wiesci.operations.restore import restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive of `wiesci backup` into the configured data "
        "directory and database, which must be empty unless --force is given. "
        "Every member's checksum is checked before anything is written."
    )
    # The checks would open the database, and opening SQLite creates it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="the archive to restore")
        parser.add_argument(
            "--force",
            action="store_true",
            help="overwrite a database with tables and media or originals already "
            "there (everything in them is replaced)",
        )
        parser.add_argument(
            "--verify-media",
            action="store_true",
            help="for media on object storage, check the checksum of every object "
            "the archive lists, not only that it is there with its size",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only check the archive (and the objects it lists); write nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bars = StepBars(
            self.stdout,
            {"check": _("Checking the archive…"), "restore": _("Restoring…")},
        )
        try:
            report = restore_backup(
                options["archive"],
                by=COMMAND,
                force=options["force"],
                verify_media=options["verify_media"],
                check_only=options["check"],
                progress=bars,
            )
        finally:
            bars.finish()
        made = {"version": report.version, "at": report.created_at}
        if not report.written:
            self.stdout.write(
                _(
                    "The archive is whole: made by Wieści %(version)s at %(at)s; "
                    "every checksum matches."
                )
                % made
            )
        else:
            self.stdout.write(
                _(
                    "Restored the backup made by Wieści %(version)s at %(at)s "
                    "(media files: %(media)d, originals: %(private)d)."
                )
                % {
                    **made,
                    "media": report.files.get("default", 0),
                    "private": report.files.get("private", 0),
                }
            )
        if report.migrate:
            self.stdout.write(
                _(
                    "The archive comes from an older version: run `wiesci migrate` "
                    "before starting the portal."
                )
            )
