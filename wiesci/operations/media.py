"""Moving media from disk to S3-compatible object storage.

`wiesci media migrate` copies the public media folder to the public bucket
and the private originals to the private one, under the same names, so every
row keeps pointing at its files. An object already there with the same size
and checksum is left alone: a run that stopped halfway, or a second run after
new uploads, copies only what is missing.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import storages
from django.utils.translation import gettext as _


class NotOnObjectStorage(ImproperlyConfigured):
    """The media storages are folders on disk: there is nowhere to copy to."""


@dataclass(frozen=True)
class Source:
    """One file to copy: its name in the storage and where it is on disk."""

    storage: Any  # a core.objectstorage.ObjectStorage
    name: str
    path: Path
    size: int


@dataclass
class Migration:
    """What a run found and did."""

    copied: int = 0
    skipped: int = 0
    copied_bytes: int = 0

    @property
    def total(self) -> int:
        return self.copied + self.skipped


def object_storages() -> tuple[Any, Any]:
    """The public and the private object storage, as the settings have them."""
    from wiesci.core.objectstorage import ObjectStorage

    public, private = storages["default"], storages["private"]
    if not (isinstance(public, ObjectStorage) and isinstance(private, ObjectStorage)):
        raise NotOnObjectStorage(
            _(
                "Media are stored on disk. Set WIESCI_MEDIA_URL and "
                "WIESCI_PRIVATE_MEDIA_URL to the object storage first "
                "(see docs/howto/object-storage.md)."
            )
        )
    return public, private


def files_in(folder: Path) -> Iterator[tuple[str, Path]]:
    """(name, path) of every file under `folder`, names with `/`, sorted.

    Hidden and temporary files (a name part starting with a dot, as a file
    being written) are left out, as the media answers leave them out.
    """
    if not folder.is_dir():
        return
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith("."):
                continue
            path = Path(root) / name
            if path.is_file():
                found.append((path.relative_to(folder).as_posix(), path))
    yield from sorted(found)


def plan(*, media: Path, private: Path) -> list[Source]:
    """Every file of the two folders, with the storage it goes to."""
    public_storage, private_storage = object_storages()
    sources = []
    for folder, storage in ((media, public_storage), (private, private_storage)):
        for name, path in files_in(folder):
            sources.append(Source(storage, name, path, path.stat().st_size))
    return sources


def etags(path: Path, *, threshold: int, part_size: int) -> set[str]:
    """The ETags an S3 server gives `path` uploaded whole or in parts.

    boto3 sends a file of `threshold` bytes or more in parts of `part_size`,
    and the ETag is then the MD5 of the parts' MD5s with their count.
    """
    whole = hashlib.md5(usedforsecurity=False)
    parts = []
    with path.open("rb") as file:
        for block in iter(lambda: file.read(part_size), b""):
            whole.update(block)
            parts.append(hashlib.md5(block, usedforsecurity=False).digest())
    found = {whole.hexdigest()}
    if parts and path.stat().st_size >= threshold:
        joined = hashlib.md5(b"".join(parts), usedforsecurity=False).hexdigest()
        found.add(f"{joined}-{len(parts)}")
    return found


def migrate_media(
    sources: list[Source],
    *,
    jobs: int = 8,
    dry_run: bool = False,
    progress: Callable[[Source], Any] | None = None,
) -> Migration:
    """Copy each of `sources` (from `plan`) to its object storage.

    Files already stored with the same size and checksum are skipped; each
    storage is listed once, not asked once per file. With `dry_run`, nothing
    is written and `copied` counts what would be.
    """
    inventories: dict[int, dict[str, tuple[int, str]]] = {}
    for source in sources:
        if id(source.storage) not in inventories:
            inventories[id(source.storage)] = source.storage.inventory()
    result = Migration()

    def copy(source: Source) -> bool:
        """Copy one file unless it is there already; True if it was copied."""
        stored = inventories[id(source.storage)].get(source.name)
        if stored is not None and stored[0] == source.size:
            transfers = source.storage.transfer_config
            checksums = etags(
                source.path,
                threshold=transfers.multipart_threshold,
                part_size=transfers.multipart_chunksize,
            )
            if stored[1] in checksums:
                return False
        if not dry_run:
            with source.path.open("rb") as file:
                source.storage.put(source.name, file)
        return True

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for source, copied in zip(sources, pool.map(copy, sources), strict=True):
            if copied:
                result.copied += 1
                result.copied_bytes += source.size
            else:
                result.skipped += 1
            if progress is not None:
                progress(source)
    return result
