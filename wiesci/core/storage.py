"""Storage classes shared by the apps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.files.storage import FileSystemStorage


class PrivateFileStorage(FileSystemStorage):
    """Files no URL may point at: uploaded originals with their metadata."""

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public address.")


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
