"""Storage classes shared by the apps.

Media on disk by default; on S3-compatible object storage the classes of
`core.objectstorage` take their place (see settings and
docs/howto/object-storage.md), kept apart so that a portal on disk never
loads boto3.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty


class PrivateFileStorage(FileSystemStorage):
    """Files no URL may point at: uploaded originals with their metadata."""

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public address.")


class NamedStorage(LazyObject):
    """`storages[alias]`, looked up when first used and again after STORAGES
    changes (as in tests), as Django's `default_storage` is.

    A model field given a storage callable keeps what it returned when the
    models loaded; given this, it follows the settings.
    """

    def __init__(self, alias: str) -> None:
        self.__dict__["alias"] = alias
        super().__init__()

    def _setup(self) -> None:
        self._wrapped = storages[self.__dict__["alias"]]


private_files: Storage = NamedStorage("private")  # type: ignore[assignment]


@receiver(setting_changed)
def _forget_storages(*, setting: str, **kwargs: Any) -> None:
    if setting == "STORAGES":
        private_files._wrapped = empty  # type: ignore[attr-defined]


class HashedStaticFilesStorage(ManifestStaticFilesStorage):
    """Keep only content-hashed copies of static files in STATIC_ROOT.

    `wiesci serve` gives every file under /static/ a one-year cache lifetime.
    That is only safe when each name changes with its content, so the unhashed
    copies collectstatic makes first are removed once the hashed ones exist.
    """

    def post_process(  # type: ignore[override]
        self, *args: Any, **kwargs: Any
    ) -> Iterator[tuple[str, str | None, Any]]:
        processed: list[str] = []
        for name, hashed_name, done in super().post_process(*args, **kwargs):
            if hashed_name and hashed_name != name:
                processed.append(name)
            yield name, hashed_name, done
        if not kwargs.get("dry_run"):
            for name in processed:
                if self.exists(name):
                    self.delete(name)
