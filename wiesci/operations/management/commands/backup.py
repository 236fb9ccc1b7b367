from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wiesci.core.actors import COMMAND
from wiesci.operations.backup import StepBars, make_backup


class Command(BaseCommand):
    help = (
        "Write one archive (tar) of the portal into FOLDER: a consistent copy "
        "of the database, taken while the portal serves, the media, the "
        "private originals (or, on object storage, a list of their keys and "
        "checksums), the secret key, the product version and a checksum of "
        "every member. Readable by its owner alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "folder",
            type=Path,
            help="where to write the archive (created if missing), "
            "e.g. /var/backups/wiesci",
        )
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="afterwards keep only the N newest archives in FOLDER, deleting "
            "older ones (only files named wiesci-backup-….tar)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bars = StepBars(self.stdout, {"backup": _("Backing up…")})
        try:
            report = make_backup(
                options["folder"], by=COMMAND, keep=options["keep"], progress=bars
            )
        finally:
            bars.finish()
        self.stdout.write(
            _("Backup written: %(path)s (%(size)s, files: %(files)d).")
            % {
                "path": report.path,
                "size": filesizeformat(report.bytes),
                "files": report.files,
            }
        )
        if report.objects:
            self.stdout.write(
                ngettext(
                    "Listed %(count)d object on object storage by its checksum.",
                    "Listed %(count)d objects on object storage by their checksums.",
                    report.objects,
                )
                % {"count": report.objects}
            )
        if report.vanished:
            self.stderr.write(
                ngettext(
                    "%(count)d file was deleted during the backup and is not in it.",
                    "%(count)d files were deleted during the backup and are not in it.",
                    len(report.vanished),
                )
                % {"count": len(report.vanished)}
            )
        if report.removed:
            self.stdout.write(
                ngettext(
                    "Removed %(count)d older backup.",
                    "Removed %(count)d older backups.",
                    len(report.removed),
                )
                % {"count": len(report.removed)}
            )
