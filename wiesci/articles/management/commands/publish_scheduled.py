from typing import Any

from django.core.management.base import BaseCommand

from wiesci.articles.services import run_due_publications
from wiesci.core.actors import SCHEDULER


class Command(BaseCommand):
    help = (
        "Finish publishing scheduled articles whose time has come. Not needed "
        "for them to appear (reads filter by time); `wiesci serve` and "
        "`wiesci worker` run this every few seconds. For cron, if you run neither."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        done = run_due_publications(by=SCHEDULER)
        self.stdout.write(f"Published on schedule: {len(done)} article(s).")
