from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wiesci.core.actors import COMMAND
from wiesci.photos.models import Photo
from wiesci.photos.services import make_renditions_many


class Command(BaseCommand):
    help = (
        "Make the public sizes of every photo again, e.g. after the sizes in "
        "conf.PHOTO_RENDITIONS changed. Files no longer used are removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--missing", action="store_true", help="Only photos that have no sizes yet."
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="Threads (default: CPU cores)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        photos = Photo.objects.order_by("pk")
        if options["missing"]:
            photos = photos.filter(renditions={})
        total = photos.count()
        done = 0
        interactive = self.stdout.isatty()

        def progress(photo: Photo) -> None:
            nonlocal done
            done += 1
            filled = 30 * done // max(total, 1)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
            if interactive:
                self.stdout.write(f"\r{bar}", ending="")
            elif done == total or done % 50 == 0:
                self.stdout.write(bar)

        made = make_renditions_many(
            photos.iterator(),
            by=COMMAND,
            workers=options["workers"],
            progress=progress,
        )
        if interactive and total:
            self.stdout.write("")
        self.stdout.write(f"Made the sizes of {made} photo(s).")
