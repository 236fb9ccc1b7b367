"""Suppress the addresses a mail provider reported as bouncing or
complaining: `wiesci suppress_addresses --reason bounce < bounces.txt`."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wiesci.core.actors import COMMAND
from wiesci.newsletter import services
from wiesci.newsletter.models import Subscriber

REASONS = {
    "bounce": Subscriber.Reason.BOUNCE,
    "complaint": Subscriber.Reason.COMPLAINT,
}


class Command(BaseCommand):
    help = (
        "Stop newsletter mail to addresses that bounced or complained: the "
        "addresses as arguments, or one per line on standard input (a mail "
        "provider's report). Unknown addresses are listed and skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addresses",
            nargs="*",
            help="Addresses to suppress; none reads them from standard input.",
        )
        parser.add_argument(
            "--reason",
            choices=sorted(REASONS),
            required=True,
            help="bounce (the address takes no mail) or complaint (marked as spam).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        given = options["addresses"] or list(sys.stdin)
        addresses = [address.strip() for address in given if address.strip()]
        if not addresses:
            raise CommandError("No addresses given.")
        done = unknown = 0
        for address in addresses:
            subscriber = Subscriber.objects.with_email(address).first()
            if subscriber is None:
                self.stderr.write(f"Not on the list: {address}")
                unknown += 1
                continue
            services.suppress(subscriber, by=COMMAND, reason=REASONS[options["reason"]])
            done += 1
        self.stdout.write(f"Suppressed: {done}; not on the list: {unknown}.")
