"""Every write to photos and videos goes through here: uploads, edits,
renditions, deletions. `by` names who acts (see core.actors)."""

from __future__ import annotations

import hashlib
import io
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wiesci.photos import processing, usage
from wiesci.photos.models import Photo, Video
from wiesci.photos.signals import photo_changed, renditions_made, video_changed
from wiesci.photos.video import CleanVideo


class NotYours(PermissionDenied):
    """A staff member's role or the usage rules do not allow this change."""


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotYours(message)


@transaction.atomic
def create_photo(
    upload: IO[bytes],
    *,
    by: Any,
    filename: str = "photo.jpg",
    caption: str = "",
    credit: str = "",
    alt_text: str = "",
    name_hint: str = "",
    focal: tuple[float, float] = (0.5, 0.5),
    renditions: str = "later",
) -> Photo:
    """Check `upload`, keep it as a private original and schedule its renditions.

    Raises PhotoRejected (a ValidationError) before anything is stored. The
    renditions are made after commit by a background task ("later"), right
    away ("now"), or by the caller ("caller", for bulk loads).
    """
    _require(by.has_perm("photos.add_photo"), _("You may not add photos."))
    inspected = processing.inspect_upload(upload)
    photo = Photo(
        content_hash=inspected.content_hash,
        width=inspected.width,
        height=inspected.height,
        caption=caption,
        credit=credit,
        alt_text=alt_text,
        name_hint=name_hint[:80],
        focal_x=focal[0],
        focal_y=focal[1],
        uploaded_on=timezone.localdate(),
    )
    photo.original.save(filename, File(upload, name=filename), save=False)
    try:
        photo.save()
    except BaseException:
        # A row that failed to save must not leave its original behind.
        photo.original.delete(save=False)
        raise
    if renditions == "now":
        make_renditions(photo, by=by)
    elif renditions == "later":
        from wiesci.photos.tasks import make_photo_renditions

        transaction.on_commit(lambda: make_photo_renditions.enqueue(photo_id=photo.pk))
    return photo


def _render_files(photo: Photo) -> dict[str, Any]:
    with photo.original.open("rb") as source:
        return processing.write_renditions(
            source,
            focal=(photo.focal_x, photo.focal_y),
            # The row's id keeps two uploads of one file apart, so removing
            # one photo's stale files never touches another's.
            content_hash=f"{photo.content_hash}:{photo.pk}",
            stamp=int(photo.created_at.timestamp()),
            hint=photo.name_hint,
            month=f"{photo.uploaded_on:%Y/%m}",
        )


def _files(renditions: dict[str, Any]) -> set[str]:
    return {path for r in renditions.values() for path in r.get("files", {}).values()}


def _record(photo: Photo, renditions: dict[str, Any]) -> None:
    """Store the new map, then remove files only the old one pointed to."""
    stale = _files(photo.renditions or {}) - _files(renditions)
    photo.renditions = renditions
    Photo.objects.filter(pk=photo.pk).update(renditions=renditions)
    for path in stale:
        default_storage.delete(path)
    transaction.on_commit(lambda: renditions_made.send(sender=Photo, photo=photo))


def make_renditions(photo: Photo, *, by: Any) -> Photo:
    """(Re)make every public size of `photo` and record them on the row.

    What an upload or a new focal point sets off, done by `by` (the task
    worker, usually): no permission of its own is asked.
    """
    _record(photo, _render_files(photo))
    return photo


class AltTextRequired(ValidationError):
    """A photo a public page shows cannot lose its alternative text."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This photo is shown in a published or scheduled article, so it "
                "needs an alternative text: describe what it shows."
            ),
            code="alt_text",
        )


@transaction.atomic
def update_photo(
    photo: Photo,
    *,
    by: Any,
    caption: str,
    credit: str,
    alt_text: str,
    focal: tuple[float, float],
) -> Photo:
    """Change what is said about a photo; a new focal point re-cuts the crops.

    Raises AltTextRequired, changing nothing, when `alt_text` is blank and a
    public article shows the photo. The stored row is compared, not `photo`,
    so a caller that has already set the new values on it (a model form)
    still gets its crops re-cut and public pages refreshed.
    """
    _require(
        by.has_perm("photos.change_photo") and usage.may_change(by, photo),
        _("You may not change this photo."),
    )
    if not alt_text.strip() and usage.is_shown_publicly(photo):
        raise AltTextRequired
    stored = (
        Photo.objects.select_for_update()
        .filter(pk=photo.pk)
        .values_list("caption", "credit", "alt_text", "focal_x", "focal_y")
        .get()
    )
    refocused = stored[3:] != tuple(focal)
    reworded = stored[:3] != (caption, credit, alt_text)
    photo.caption, photo.credit, photo.alt_text = caption, credit, alt_text
    photo.focal_x, photo.focal_y = focal
    photo.save(
        update_fields=[
            "caption",
            "credit",
            "alt_text",
            "focal_x",
            "focal_y",
            "modified_at",
        ]
    )
    if refocused:
        from wiesci.photos.tasks import make_photo_renditions

        transaction.on_commit(lambda: make_photo_renditions.enqueue(photo_id=photo.pk))
    if reworded and usage.is_shown_publicly(photo):
        transaction.on_commit(lambda: photo_changed.send(sender=Photo, photo=photo))
    return photo


def make_renditions_many(
    photos: Iterable[Photo],
    *,
    by: Any,
    workers: int | None = None,
    progress: Callable[[Photo], Any] | None = None,
) -> int:
    """Make the renditions of many photos, using every CPU core.

    Image work runs in threads (Pillow releases the GIL while it resizes and
    encodes); the rows are updated from the calling thread, so this is safe
    inside a transaction on SQLite.
    """
    photos = list(photos)
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        for photo, renditions in zip(
            photos, pool.map(_render_files, photos), strict=True
        ):
            _record(photo, renditions)
            if progress is not None:
                progress(photo)
    return len(photos)


@transaction.atomic
def create_video(
    *,
    by: Any,
    title: str,
    url: str = "",
    clean: CleanVideo | None = None,
    poster: Photo | None = None,
    name_hint: str = "",
) -> Video:
    """Add a linked video (YouTube, Vimeo, Facebook) or an uploaded MP4 file.

    `clean` is an upload already checked and stripped by `video.clean_video`;
    a frame from it becomes the poster unless one is given.
    """
    _require(by.has_perm("photos.add_video"), _("You may not add videos."))
    if bool(url) == (clean is not None):
        raise ValidationError(_("Give either a video address or an MP4 file."))
    video = Video(title=title, url=url, poster=poster)
    if clean is None:
        video.full_clean(exclude=["file"])
        video.save()
        return video
    if video.poster is None:
        video.poster = create_photo(
            io.BytesIO(clean.poster_jpeg),
            by=by,
            filename="poster.jpg",
            caption=title,
            alt_text=title,
            name_hint=name_hint,
        )
    video.width, video.height, video.duration = (
        clean.width,
        clean.height,
        clean.duration,
    )
    name = _video_file_name(clean.file, hint=name_hint)
    clean.file.seek(0)
    video.file.save(name, File(clean.file, name=name), save=False)
    try:
        video.save()
    except BaseException:
        video.file.delete(save=False)
        raise
    return video


def _video_file_name(file: IO[bytes], *, hint: str) -> str:
    """`1765700078-dozynki-1a2b3c4d5e.mp4`: a time stamp, the hint and a hash of
    the content, so the public name is not guessable from the title and never
    changes meaning (it is served with a year's cache lifetime)."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    stem = "-".join(
        part for part in (str(int(time.time())), hint, digest.hexdigest()[:10]) if part
    )
    return f"{stem}.mp4"


@transaction.atomic
def update_video(video: Video, *, by: Any, title: str, poster: Photo | None) -> Video:
    """Rename a video or give it another poster, as `by`.

    A journalist may change only videos that no article beyond their reach
    shows, and pick as a poster only a photo they may change themselves
    (never a photo of someone else's unpublished story).
    """
    _require(
        by.has_perm("photos.change_video") and usage.may_change(by, video),
        _("You may not change this video."),
    )
    stored = Video.objects.select_for_update().get(pk=video.pk)
    if (
        poster is not None
        and poster.pk != stored.poster_id
        and not usage.may_change(by, poster)
    ):
        raise NotYours(_("You may not use this photo as a poster."))
    if not title.strip():
        raise ValidationError(_("Give the video a title."))
    video.title, video.poster = title.strip(), poster
    video.save(update_fields=["title", "poster", "modified_at"])
    transaction.on_commit(lambda: video_changed.send(sender=Video, video=video))
    return video


@transaction.atomic
def delete_video(video: Video, *, by: Any) -> None:
    """Delete a video and, after commit, its uploaded file."""
    _require(
        by.has_perm("photos.delete_video") and usage.may_change(by, video),
        _("You may not delete this video."),
    )
    file = video.file
    video.delete()

    def remove_file() -> None:
        if file:
            file.delete(save=False)
        video_changed.send(sender=Video, video=video)

    transaction.on_commit(remove_file)


@transaction.atomic
def delete_photo(photo: Photo, *, by: Any) -> None:
    """Delete the row, then its original and every public file, after commit."""
    _require(
        by.has_perm("photos.delete_photo") and usage.may_change(by, photo),
        _("You may not delete this photo."),
    )
    paths = _files(photo.renditions or {})
    original = photo.original
    public = usage.is_shown_publicly(photo)
    photo.delete()

    def remove_files() -> None:
        original.delete(save=False)
        for path in paths:
            default_storage.delete(path)
        if public:
            photo_changed.send(sender=Photo, photo=photo)

    transaction.on_commit(remove_files)
