"""Every write to photos goes through here: uploads and renditions."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from wiesci.photos import processing
from wiesci.photos.models import Photo


@transaction.atomic
def create_photo(
    upload: IO[bytes],
    *,
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
        make_renditions(photo)
    elif renditions == "later":
        from wiesci.photos.tasks import make_photo_renditions

        transaction.on_commit(lambda: make_photo_renditions.enqueue(photo_id=photo.pk))
    return photo


def _render_files(photo: Photo) -> dict[str, Any]:
    with photo.original.open("rb") as source:
        return processing.write_renditions(
            source,
            focal=(photo.focal_x, photo.focal_y),
            content_hash=photo.content_hash,
            stamp=int(photo.created_at.timestamp()),
            hint=photo.name_hint,
            month=f"{photo.uploaded_on:%Y/%m}",
        )


def make_renditions(photo: Photo) -> Photo:
    """(Re)make every public size of `photo` and record them on the row."""
    photo.renditions = _render_files(photo)
    Photo.objects.filter(pk=photo.pk).update(renditions=photo.renditions)
    return photo


def make_renditions_many(
    photos: Iterable[Photo],
    *,
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
            photo.renditions = renditions
            Photo.objects.filter(pk=photo.pk).update(renditions=renditions)
            if progress is not None:
                progress(photo)
    return len(photos)
