from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from wiesci.core import demo
from wiesci.core.management.commands.serve import add_server_options


class Command(BaseCommand):
    help = (
        "Run the demo portal: migrate, load Polish sample news when the database "
        "is empty, print the demo editor's login and serve on 127.0.0.1:8000."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # The demo listens on 127.0.0.1 only: its editor's password is printed.
        add_server_options(parser, host=False)
        parser.add_argument(
            "--photo-width",
            type=int,
            default=1600,
            help="Width of the generated demo photos in pixels (default 1600).",
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare the database and print the login, but do not serve.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        width = options["photo_width"]
        context = demo.DemoContext(
            say=self.stdout.write,
            photo_size=(width, width * 2 // 3),
            site_url=f"http://127.0.0.1:{options['port']}",
        )
        if demo.has_content():
            self.stdout.write(
                "The database already holds content; demo data not loaded."
            )
        else:
            self.stdout.write("Loading the demo content…")
            with transaction.atomic():
                demo.load(context)
        for line in demo.prepare(context):
            self.stdout.write(self.style.SUCCESS(line))
        if not options["no_serve"]:
            call_command(
                "serve",
                host="127.0.0.1",
                port=options["port"],
                workers=options["workers"],
            )
