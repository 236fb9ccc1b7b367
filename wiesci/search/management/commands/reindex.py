from typing import Any

from django.core.management.base import BaseCommand

from wiesci.core.progress import ProgressBar
from wiesci.search.indexing import reindex


class Command(BaseCommand):
    help = (
        "Rebuild the search index and its vocabulary from every article, in "
        "batches that commit one by one, so the portal keeps serving (and "
        "searching) meanwhile."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        bar: ProgressBar | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            bar = bar or ProgressBar(self.stdout, total)
            bar.show(done)

        done = reindex(progress=progress)
        if bar is not None:
            bar.finish()
        self.stdout.write(f"Indexed {done} article(s).")
