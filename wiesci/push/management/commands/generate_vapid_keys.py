from typing import Any

from django.core.management.base import BaseCommand

from wiesci.push import vapid


class Command(BaseCommand):
    help = (
        "Print a new VAPID key pair for breaking-news notifications. Set "
        "WIESCI_VAPID_PRIVATE_KEY to the private key and keep it: a new key "
        "makes every browser's subscription useless."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        private, public = vapid.new_pair()
        self.stdout.write(f"WIESCI_VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"# public key (applicationServerKey): {public}")
