"""Every write to events: the newsroom's steps, each naming who took it.

The page cache is told after commit: an event shows on the calendar, on its
place's and organisations' pages and in the feeds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wiesci.core import pagecache
from wiesci.core.editorial import Workflow
from wiesci.events.models import Event, EventLogEntry
from wiesci.events.notifications import notifier

WORKFLOW = Workflow(
    log=EventLogEntry,
    subject="event",
    publish_permission="events.publish_event",
    notify=notifier("events.publish_event"),
)


def _refresh_pages() -> None:
    transaction.on_commit(pagecache.purge_all)


def record_event_saved(event: Event, *, by: Any, created: bool) -> Event:
    """Log a save made through the admin's form and refresh the pages."""
    WORKFLOW.saved(event, by=by, created=created)
    if event.is_public:
        _refresh_pages()
    return event


def submit_event(event: Event, *, by: Any) -> Event:
    return WORKFLOW.submit(event, by=by)


def return_event(event: Event, *, by: Any, note: str) -> Event:
    return WORKFLOW.return_to_draft(event, by=by, note=note)


def publish_event(event: Event, *, by: Any, at: datetime | None = None) -> Event:
    WORKFLOW.publish(event, by=by, at=at)
    _refresh_pages()
    return event


def withdraw_event(event: Event, *, by: Any, note: str = "") -> Event:
    WORKFLOW.withdraw(event, by=by, note=note)
    _refresh_pages()
    return event


@transaction.atomic
def link_report(event: Event, *, report: Any, by: Any) -> Event:
    """Name the article that covers the event: it leaves "needs a report"."""
    from wiesci.core.editorial import Action, NotAllowed

    if not WORKFLOW.can_publish(by) and not WORKFLOW.can_edit(by, event):
        raise NotAllowed
    event.report = report
    event.save(update_fields=["report", "modified_at"])
    WORKFLOW.record(
        event, by, Action.EDITED, _("report: %(title)s") % {"title": report}
    )
    _refresh_pages()
    return event
