"""Every write to readers' tips: sending one, the newsroom's work on it, and
turning it into an article draft. `by` names who acts (see core.actors): the
reader (often anonymous) for a new tip, a staff member or the system after.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from wiesci.articles import access as article_access
from wiesci.articles.models import Article
from wiesci.articles.services.gallery import add_to_gallery
from wiesci.articles.services.saving import save_article
from wiesci.core.actors import SystemActor, system_name
from wiesci.photos import processing
from wiesci.photos.models import Photo
from wiesci.photos.services import create_photo, create_video
from wiesci.photos.video import clean_video
from wiesci.taxonomy.models import Place, Section
from wiesci.tips import drafts, letters
from wiesci.tips.models import MAX_PHOTOS, Tip, TipAttachment, TipEvent

# File name extensions of the photo formats `processing.inspect_upload` accepts.
EXTENSIONS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}


class NotAllowed(PermissionDenied):
    """The acting person's role does not allow this change of a tip."""


class AlreadyDrafted(ValidationError):
    """The tip has been turned into an article draft before."""


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _may_work_on_tips(by: Any) -> bool:
    return bool(by.is_active and by.is_staff and by.has_perm("tips.change_tip"))


def _log(tip: Tip, action: str, by: Any, detail: str = "") -> TipEvent:
    person = getattr(by, "is_authenticated", False) and not isinstance(by, SystemActor)
    return TipEvent.objects.create(
        tip=tip,
        action=action,
        detail=detail[:200],
        by=by if person else None,
        by_system=system_name(by),
    )


@transaction.atomic
def submit_tip(
    *,
    by: Any,
    text: str,
    place: str = "",
    happened: str = "",
    name: str = "",
    email: str = "",
    phone: str = "",
    credit_consent: bool = False,
    photos: Sequence[UploadedFile] = (),
    video: UploadedFile | None = None,
) -> Tip:
    """Keep a reader's tip and its files, privately, and mail them its number.

    Each photo is checked again by content (PhotoRejected, storing nothing,
    when one is not a photo); `video` must have passed `video.clean_video`
    (the form does it), and is checked again when the tip becomes a draft.
    The files are stored as they came, GPS and all, in private storage only.
    """
    if not text.strip():
        raise ValidationError(_("Describe what happened."), code="required")
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("Send up to 10 photos or one video, not both."), code="too_many"
        )
    if photos and video is not None:
        raise ValidationError(
            _("Send up to 10 photos or one video, not both."),
            code="photos_and_video",
        )
    inspected = [processing.inspect_upload(photo, size=photo.size) for photo in photos]
    tip = Tip.objects.create(
        text=text.strip(),
        place=place.strip(),
        happened=happened.strip(),
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        terms_text=letters.terms_text(),
        credit_consent=credit_consent,
        credit_consent_text=letters.credit_consent_text() if credit_consent else "",
        consent_version=letters.CONSENT_VERSION,
    )
    stored: list[TipAttachment] = []
    try:
        for position, (photo, facts) in enumerate(zip(photos, inspected, strict=True)):
            stored.append(
                _store(
                    tip,
                    photo,
                    kind=TipAttachment.Kind.PHOTO,
                    name=f"photo.{EXTENSIONS.get(facts.format, 'bin')}",
                    position=position,
                    width=facts.width,
                    height=facts.height,
                )
            )
        if video is not None:
            stored.append(
                _store(tip, video, kind=TipAttachment.Kind.VIDEO, name="video.mp4")
            )
        _log(tip, TipEvent.Action.RECEIVED, by)
        letters.send_confirmation(tip)
    except BaseException:
        # A tip that failed to save must not leave its files behind.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return tip


def _store(
    tip: Tip,
    upload: UploadedFile,
    *,
    kind: str,
    name: str,
    position: int = 0,
    width: int = 0,
    height: int = 0,
) -> TipAttachment:
    attachment = TipAttachment(
        tip=tip,
        kind=kind,
        size=upload.size or 0,
        width=width,
        height=height,
        position=position,
    )
    upload.seek(0)
    # Named by what the content is, not by what the reader's file was called.
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def change_status(tip: Tip, *, by: Any, status: str) -> Tip:
    """Set where the tip stands (new, being checked, used, turned down)."""
    _require(_may_work_on_tips(by), _("You may not work on readers' tips."))
    if status not in Tip.Status.values:
        raise ValueError(f"not a tip status: {status!r}")
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if tip.status == status:
        return tip
    tip.status = status
    tip.save(update_fields=["status"])
    _log(tip, TipEvent.Action.STATUS, by, str(Tip.Status(status).label))
    return tip


@transaction.atomic
def assign_tip(tip: Tip, *, by: Any, to: Any) -> Tip:
    """Give the tip to a staff member to check (None: to nobody)."""
    _require(_may_work_on_tips(by), _("You may not work on readers' tips."))
    if to is not None and not (to.is_active and to.is_staff):
        raise ValidationError(
            _("A tip can only be assigned to a member of the newsroom."),
            code="not_staff",
        )
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if tip.assigned_to_id == (to.pk if to is not None else None):
        return tip
    tip.assigned_to = to
    tip.save(update_fields=["assigned_to"])
    _log(tip, TipEvent.Action.ASSIGNED, by, str(to) if to is not None else "—")
    return tip


@transaction.atomic
def update_note(tip: Tip, *, by: Any, note: str) -> Tip:
    """Keep the newsroom's note on the tip (never shown to the reader)."""
    _require(_may_work_on_tips(by), _("You may not work on readers' tips."))
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if tip.note == note:
        return tip
    tip.note = note
    tip.save(update_fields=["note"])
    _log(tip, TipEvent.Action.NOTE, by)
    return tip


@transaction.atomic
def turn_into_draft(tip: Tip, *, by: Any, section: Section | None = None) -> Article:
    """Start an article draft from the tip: its text, its photos in the
    gallery (public renditions are re-encoded without EXIF or GPS), its video,
    the reader credited only if they agreed. The tip is linked to the draft
    and marked used.

    Raises AlreadyDrafted, changing nothing, when the tip has a draft already.
    `section` defaults to the first section of the menu.
    """
    _require(
        _may_work_on_tips(by) and article_access.can_write(by),
        _("You may not turn tips into articles."),
    )
    tip = Tip.objects.select_for_update().get(pk=tip.pk)
    if tip.article_id is not None:
        raise AlreadyDrafted(
            _("This tip has already been turned into a draft."), code="drafted"
        )
    section = section or Section.objects.order_by("position", "name").first()
    if section is None:
        raise ValidationError(
            _("Add a section first: every article needs one."), code="no_section"
        )
    first_line = next(line for line in tip.text.splitlines() if line.strip())
    title = Truncator(" ".join(first_line.split())).chars(120)
    article = Article(
        title=title,
        lead=Truncator(" ".join(tip.text.split())).chars(300),
        body=drafts.draft_body(tip),
        section=section,
        status=Article.Status.DRAFT,
    )
    save_article(article, by=by)
    if tip.place:
        # "Racibórz, ul. Opawska": the town is the part before the first comma.
        names = {tip.place.strip(), tip.place.split(",")[0].strip()}
        place = Place.objects.filter(name__in=names).first()
        if place is not None:
            article.places.add(place)
    credit = tip.credit or _("Reader")
    photos: list[Photo] = []
    attachments = list(tip.attachments.order_by("position", "pk"))
    for attachment in attachments:
        if attachment.kind != TipAttachment.Kind.PHOTO:
            continue
        with attachment.file.open("rb") as original:
            photos.append(
                create_photo(
                    original,
                    by=by,
                    filename=attachment.file.name.rsplit("/", 1)[-1],
                    credit=credit,
                    name_hint=article.slug[:80],
                )
            )
    if photos:
        add_to_gallery(article, photos, by=by)
    for attachment in attachments:
        if attachment.kind != TipAttachment.Kind.VIDEO:
            continue
        with attachment.file.open("rb") as original:
            clean = clean_video(original, size=attachment.file.size)
        try:
            article.videos.add(
                create_video(
                    by=by,
                    title=title,
                    clean=clean,
                    name_hint=article.slug[:60],
                )
            )
        finally:
            clean.file.close()
    tip.article = article
    tip.status = Tip.Status.USED
    tip.save(update_fields=["article", "status"])
    _log(tip, TipEvent.Action.DRAFTED, by, article.title)
    return article


@transaction.atomic
def delete_tip(tip: Tip, *, by: Any) -> None:
    """Delete the tip and, after commit, its files (a reader's erasure request,
    or a tip of no use)."""
    _require(
        by.is_active and by.is_staff and by.has_perm("tips.delete_tip"),
        _("You may not delete readers' tips."),
    )
    files = [attachment.file for attachment in tip.attachments.all()]
    tip.delete()

    def remove_files() -> None:
        for file in files:
            file.delete(save=False)

    transaction.on_commit(remove_files)
