from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wiesci.core.progress import ProgressBar
from wiesci.operations.media import NotOnObjectStorage, migrate_media, plan


class Command(BaseCommand):
    help = (
        "Media on object storage: `wiesci media migrate` copies the media "
        "folder and the private originals from disk to the buckets of "
        "WIESCI_MEDIA_URL and WIESCI_PRIVATE_MEDIA_URL, under the same names. "
        "Files already there with the same size and checksum are skipped, so "
        "it is safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        migrate = actions.add_parser(
            "migrate", help="copy media from disk to object storage"
        )
        migrate.add_argument(
            "--media",
            type=Path,
            help="the public media folder (default: WIESCI_DATA_DIR/media)",
        )
        migrate.add_argument(
            "--private",
            type=Path,
            help="the private originals' folder (default: WIESCI_DATA_DIR/private)",
        )
        migrate.add_argument(
            "--jobs",
            type=int,
            default=8,
            help="files copied at once (default: 8)",
        )
        migrate.add_argument(
            "--dry-run",
            action="store_true",
            help="only count what would be copied",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        media = options.get("media") or Path(settings.MEDIA_ROOT)
        private = options.get("private") or Path(settings.PRIVATE_ROOT)
        for folder in (options.get("media"), options.get("private")):
            if folder is not None and not folder.is_dir():
                raise CommandError(_("No such folder: %(path)s") % {"path": folder})
        try:
            sources = plan(media=media, private=private)
        except NotOnObjectStorage as exc:
            raise CommandError(str(exc)) from None
        bar = ProgressBar(self.stdout, len(sources), unit=_("files"))
        try:
            result = migrate_media(
                sources,
                jobs=options["jobs"],
                dry_run=options["dry_run"],
                progress=lambda source: bar.advance(),
            )
        finally:
            bar.finish()
        message = (
            ngettext(
                "%(count)d file would be copied (%(size)s)",
                "%(count)d files would be copied (%(size)s)",
                result.copied,
            )
            if options["dry_run"]
            else ngettext(
                "Copied %(count)d file (%(size)s)",
                "Copied %(count)d files (%(size)s)",
                result.copied,
            )
        ) % {"count": result.copied, "size": filesizeformat(result.copied_bytes)}
        skipped = ngettext(
            "%(count)d was there already.",
            "%(count)d were there already.",
            result.skipped,
        ) % {"count": result.skipped}
        self.stdout.write(f"{message}; {skipped}")
