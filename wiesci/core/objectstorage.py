"""Media on S3-compatible object storage, through django-storages.

Public renditions and videos go to one bucket (or prefix) that anyone may
read but nobody may list; uploaded originals to another that only the portal
may read. See docs/howto/object-storage.md.
"""

from __future__ import annotations

from typing import IO, Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

from wiesci.core.mediafiles import LIFETIME, content_type

# Public media names carry a time stamp and a hash of their content (see
# photos.processing.public_name), so a name never changes meaning.
PUBLIC_CACHE_CONTROL = f"public, max-age={LIFETIME}, immutable"


class StorageProblem(Exception):
    """The object storage cannot be used; the message says why, in one line."""


class ObjectStorage(S3Storage):  # type: ignore[misc]
    """Media in a bucket (or a prefix of one) of S3-compatible object storage.

    Names behave as on disk: a name already taken gets a suffix rather than
    overwriting another row's file (two uploads of one photo share a content
    hash, and deleting one must not take the other's original with it).
    """

    file_overwrite = False
    querystring_auth = False
    default_acl = None  # access is the buckets' policy, never per object
    signature_version = "s3v4"

    def __init__(self, **options: Any) -> None:
        # A storage that does not answer fails a request within seconds, not
        # minutes; a dropped connection is retried.
        options.setdefault(
            "client_config",
            Config(
                s3={"addressing_style": options.get("addressing_style") or "path"},
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=60,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )
        super().__init__(**options)

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        params: dict[str, Any] = super().get_object_parameters(name)
        # Python's mimetypes does not know every format the portal writes
        # (AVIF before 3.13); the media answers on disk use the same table.
        params.setdefault("ContentType", content_type(name))
        return params

    def put(self, name: str, content: IO[bytes]) -> None:
        """Store `content` under exactly `name`, replacing what is there."""
        self._save(name, content)

    def inventory(self) -> dict[str, tuple[int, str]]:
        """Every object under this storage's prefix: name → (size, ETag)."""
        prefix = f"{self.location}/" if self.location else ""
        client = self.connection.meta.client
        found: dict[str, tuple[int, str]] = {}
        pages = client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket_name, Prefix=prefix
        )
        for page in pages:
            for entry in page.get("Contents", ()):
                name = entry["Key"][len(prefix) :]
                found[name] = (int(entry["Size"]), entry["ETag"].strip('"'))
        return found

    def check(self) -> None:
        """Raise StorageProblem unless the bucket exists and the key may use it."""
        client = self.connection.meta.client
        try:
            client.head_bucket(Bucket=self.bucket_name)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                raise StorageProblem(
                    f"the bucket {self.bucket_name!r} does not exist "
                    f"at {self.endpoint_url}"
                ) from None
            if status in (401, 403):
                raise StorageProblem(
                    f"the bucket {self.bucket_name!r} refuses this access key "
                    f"({status})"
                ) from None
            raise StorageProblem(_first_line(exc)) from None
        except BotoCoreError as exc:
            raise StorageProblem(
                f"cannot reach {self.endpoint_url} ({_first_line(exc)})"
            ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0].strip()


class PublicObjectStorage(ObjectStorage):
    """Public renditions and videos, read by anyone at `public_url` (the
    bucket's own address or a CDN in front of it) and cached for a year."""

    public_url = ""

    def get_default_settings(self) -> dict[str, Any]:
        return {**super().get_default_settings(), "public_url": ""}

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        params = super().get_object_parameters(name)
        params.setdefault("CacheControl", PUBLIC_CACHE_CONTROL)
        return params

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        return f"{self.public_url.rstrip('/')}/{filepath_to_uri(name or '')}"


class PrivateObjectStorage(ObjectStorage):
    """Uploaded originals (with their EXIF and GPS data) in a bucket nobody
    but the portal may read: no URL ever points at them."""

    def url(self, name: str | None, *args: Any, **kwargs: Any) -> str:
        raise ValueError("Private files have no public address.")
