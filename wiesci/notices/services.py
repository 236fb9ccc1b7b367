"""Every write to official notices, each naming who made it, and the proof log.

A notice goes through the newsroom's workflow (core.editorial). On
publication, on any change of its text or files while published, on
withdrawal and when its period ends, `record_proof` appends an entry with
the hashes of what readers could see from then on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci.core import pagecache
from wiesci.core.actors import system_name, user_of
from wiesci.core.editorial import Status, Workflow
from wiesci.events.notifications import notifier
from wiesci.notices.models import (
    Notice,
    NoticeAttachment,
    NoticeLogEntry,
    ProofEntry,
    validate_pdf,
)

WORKFLOW = Workflow(
    log=NoticeLogEntry,
    subject="notice",
    publish_permission="notices.publish_notice",
    notify=notifier("notices.publish_notice"),
)


def _refresh_pages() -> None:
    transaction.on_commit(pagecache.purge_all)


def record_proof(
    notice: Notice, *, kind: str, by: Any, at: datetime | None = None
) -> ProofEntry:
    """Append the hashes of the notice as it stands to its proof log."""
    last = ProofEntry.objects.filter(notice=notice).order_by("-at", "-pk").first()
    entry = ProofEntry(
        notice=notice,
        at=at or timezone.now(),
        kind=kind,
        by=user_of(by),
        by_system=system_name(by),
        text_sha256=notice.text_sha256(),
        attachments=notice.attachment_hashes(),
        previous=last.digest if last else "",
    )
    entry.digest = entry.compute_digest()
    entry.save()
    return entry


def _changed_since_proof(notice: Notice) -> bool:
    last = ProofEntry.objects.filter(notice=notice).order_by("-at", "-pk").first()
    return last is None or (
        last.text_sha256 != notice.text_sha256()
        or last.attachments != notice.attachment_hashes()
    )


@transaction.atomic
def record_notice_saved(notice: Notice, *, by: Any, created: bool) -> Notice:
    """Log a save made through the admin's form; a notice readers have seen
    whose text or files changed gets a new proof entry."""
    WORKFLOW.saved(notice, by=by, created=created)
    # Once readers have seen it, every change is in the proof, archived or not.
    if notice.published_at is not None and _changed_since_proof(notice):
        record_proof(notice, kind=ProofEntry.Kind.CHANGED, by=by)
        _refresh_pages()
    return notice


@transaction.atomic
def add_attachment(
    notice: Notice, *, file: Any, title: str, by: Any
) -> NoticeAttachment:
    """Attach a PDF (checked by its content) to the notice."""
    if not WORKFLOW.can_edit(by, notice):
        from wiesci.core.editorial import NotAllowed

        raise NotAllowed(_("You may change only your own drafts."))
    validate_pdf(file)
    position = notice.attachments.count()
    attachment = NoticeAttachment.objects.create(
        notice=notice, file=file, title=title, position=position
    )
    WORKFLOW.record(notice, by, "edited", _("attachment: %(title)s") % {"title": title})
    if notice.published_at is not None:
        record_proof(notice, kind=ProofEntry.Kind.CHANGED, by=by)
        _refresh_pages()
    return attachment


def submit_notice(notice: Notice, *, by: Any) -> Notice:
    return WORKFLOW.submit(notice, by=by)


def return_notice(notice: Notice, *, by: Any, note: str) -> Notice:
    return WORKFLOW.return_to_draft(notice, by=by, note=note)


@transaction.atomic
def publish_notice(notice: Notice, *, by: Any, at: datetime | None = None) -> Notice:
    if notice.until_at <= (at or timezone.now()):
        raise ValidationError(_("The period of this notice has already ended."))
    if notice.status == Status.WITHDRAWN:
        raise ValidationError(
            _("A withdrawn notice is not published again: add a new one.")
        )
    WORKFLOW.publish(notice, by=by, at=at)
    record_proof(notice, kind=ProofEntry.Kind.PUBLISHED, by=by, at=notice.published_at)
    _refresh_pages()
    return notice


@transaction.atomic
def withdraw_notice(notice: Notice, *, by: Any, note: str = "") -> Notice:
    WORKFLOW.withdraw(notice, by=by, note=note)
    notice.withdrawn_at = timezone.now()
    notice.save(update_fields=["withdrawn_at", "modified_at"])
    record_proof(notice, kind=ProofEntry.Kind.WITHDRAWN, by=by, at=notice.withdrawn_at)
    _refresh_pages()
    return notice


def record_ended_periods(*, by: Any) -> int:
    """Close the proof log of every notice whose period has ended.

    Nothing depends on it to leave the current list (that is the time
    filter); it puts the end in the log the issuer reads.
    """
    now = timezone.now()
    ended = (
        Notice.objects.filter(status=Status.PUBLISHED, until_at__lte=now)
        .exclude(proof__kind=ProofEntry.Kind.ENDED)
        .order_by("until_at")
    )
    count = 0
    for pk in list(ended.values_list("pk", flat=True)[:100]):
        with transaction.atomic():
            # Locked and asked again: another worker may have closed it.
            notice = Notice.objects.select_for_update().get(pk=pk)
            if notice.proof.filter(kind=ProofEntry.Kind.ENDED).exists():
                continue
            record_proof(notice, kind=ProofEntry.Kind.ENDED, by=by, at=notice.until_at)
            count += 1
    return count
