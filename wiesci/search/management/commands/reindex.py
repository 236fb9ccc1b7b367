from typing import Any

from django.core.management.base import BaseCommand

from wiesci.search.indexing import reindex


class Command(BaseCommand):
    help = (
        "Rebuild the search index and its vocabulary from every article, in "
        "batches that commit one by one, so the portal keeps serving (and "
        "searching) meanwhile."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = self.stdout.isatty()

        def progress(done: int, total: int) -> None:
            filled = 30 * done // max(total, 1)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
            if interactive:
                self.stdout.write(f"\r{bar}", ending="")
            else:
                self.stdout.write(bar)

        done = reindex(progress=progress)
        if interactive and done:
            self.stdout.write("")
        self.stdout.write(f"Indexed {done} article(s).")
