from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wiesci.core.actors import IMPORT
from wiesci.core.progress import ProgressBar
from wiesci.moving import rss, wordpress, wxr


class Command(BaseCommand):
    help = (
        "Bring a portal in: `wiesci import wordpress EXPORT.xml` reads a "
        "WordPress export (WXR 1.0–1.2) as a stream (posts, pages, photos, "
        "videos, comments, categories, tags, authors), `wiesci import rss "
        "FEED` a feed's items; every old address answers with a redirect. "
        "Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sources = parser.add_subparsers(dest="source", required=True)
        feed = sources.add_parser("rss", help="an RSS 2.0 or Atom feed")
        feed.add_argument("feed", help="the feed: a file or an http(s) address")
        feed.add_argument("--section", help="the section's slug for every item")
        feed.add_argument(
            "--draft", action="store_true", help="bring the items in unpublished"
        )
        feed.add_argument(
            "--media", type=Path, help="a folder holding the feed's photo files"
        )
        wp = sources.add_parser("wordpress", help="a WordPress export (WXR)")
        wp.add_argument("export", type=Path, help="the export file")
        wp.add_argument(
            "--sections",
            type=Path,
            help="a file of lines `category-slug = section-slug` (mapping)",
        )
        wp.add_argument(
            "--media",
            type=Path,
            help="the old site's wp-content/uploads folder, for the photos",
        )
        wp.add_argument(
            "--dry-run",
            action="store_true",
            help="say what would happen, change nothing",
        )

    def _feed(self, options: dict[str, Any]) -> None:
        media = options.get("media")
        if media is not None and not media.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": media})
        try:
            report = rss.import_feed(
                options["feed"],
                by=IMPORT,
                options=rss.FeedOptions(
                    section=options.get("section") or "",
                    draft=options["draft"],
                    media=media,
                ),
            )
        except rss.FeedError as error:
            raise CommandError(str(error)) from None
        for line in report.lines():
            self.stdout.write(line)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["source"] == "rss":
            self._feed(options)
            return
        path: Path = options["export"]
        mapping = _mapping(options["sections"]) if options.get("sections") else {}
        media = options.get("media")
        if media is not None and not media.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": media})
        try:
            total = wordpress.check(path)
        except wxr.ExportError as error:
            raise CommandError(str(error)) from None
        bar = ProgressBar(self.stdout, total)
        report = wordpress.import_wordpress(
            path,
            by=IMPORT,
            options=wordpress.Options(
                sections=mapping,
                media=options.get("media"),
                dry_run=options["dry_run"],
                progress=bar.advance,
            ),
        )
        bar.finish()
        if report.dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        for line in report.lines():
            self.stdout.write(line)


def _mapping(path: Path) -> dict[str, str]:
    found = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise CommandError(
            _("Cannot read the mapping %(path)s: %(problem)s")
            % {"path": path, "problem": error}
        ) from None
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        category, sep, section = (part.strip() for part in line.partition("="))
        if not sep or not category or not section:
            raise CommandError(
                _("%(path)s, line %(line)s: expected “category = section”.")
                % {"path": path, "line": number}
            )
        found[category] = section
    return found
