from typing import Any

from django.conf import settings
from django.core.management.commands.check import Command as DjangoCheckCommand

from wiesci.core import preflight


class Command(DjangoCheckCommand):
    help = (
        "Check the installation for problems. In production mode (a public host "
        "in WIESCI_ALLOWED_HOSTS and WIESCI_DEBUG off) the deployment checks "
        "(--deploy) run as well, the media storage (folders or buckets) is "
        "tried, and so is every read replica."
    )

    def handle(self, *app_labels: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            options["deploy"] = True
        super().handle(*app_labels, **options)
        preflight.check_storage()
        for problem in preflight.replica_problems():
            self.stderr.write(problem)
