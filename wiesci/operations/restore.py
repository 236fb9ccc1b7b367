"""`wiesci restore`: bring an archive of `wiesci backup` back into an empty portal.

Nothing is written before the whole archive has been read once and every
member matched its checksum, the database kind and the migrations fit this
version of the code, the objects a manifest lists (media on object storage)
are where it says, and the target is empty (or `--force` was given).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import posixpath
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import wiesci
from wiesci.core.actors import SystemActor
from wiesci.operations.backup import (
    CHUNK,
    FOLDERS,
    FORMAT,
    MANIFEST,
    POSTGRES_MEMBER,
    SECRET_KEY,
    SQLITE_MEMBER,
    SUMS,
    Progress,
    find_program,
    is_local,
    local_files,
    no_progress,
    run_program,
    sha256_of,
)

logger = logging.getLogger("wiesci.operations")

DATABASE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SHOWN = 5  # names quoted in a message before "and N more"


@dataclass
class RestoreReport:
    version: str
    created_at: str
    database: str
    files: dict[str, int] = field(default_factory=dict)
    objects: dict[str, int] = field(default_factory=dict)
    migrate: bool = False  # the code has migrations the archive has not applied
    written: bool = False


def _damaged(path: Path, why: str) -> CommandError:
    return CommandError(
        _("The archive %(path)s is damaged: %(why)s. Nothing was written.")
        % {"path": path, "why": why}
    )


def _allowed(name: str) -> bool:
    if name in {MANIFEST, SUMS, SECRET_KEY, SQLITE_MEMBER, POSTGRES_MEMBER}:
        return True
    folder, _sep, rest = name.partition("/")
    return (
        folder in FOLDERS.values()
        and bool(rest)
        and posixpath.normpath(name) == name
        and ".." not in name.split("/")
    )


def _some(names: list[str]) -> str:
    shown = ", ".join(names[:SHOWN])
    if len(names) > SHOWN:
        more = len(names) - SHOWN
        shown += " " + ngettext("and %(count)d more", "and %(count)d more", more) % {
            "count": more
        }
    return shown


def read_archive(path: Path, progress: Progress = no_progress) -> dict[str, Any]:
    """Read the whole archive once, checking every member; return its manifest."""
    try:
        tar = tarfile.open(path, "r:*")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise CommandError(_("No such file: %(path)s") % {"path": path}) from None
    except (tarfile.TarError, OSError) as error:
        raise CommandError(
            _("%(path)s is not an archive of `wiesci backup` (%(problem)s).")
            % {"path": path, "problem": error}
        ) from None
    seen: dict[str, dict[str, Any]] = {}
    texts: dict[str, bytes] = {}
    with tar:
        try:
            infos = tar.getmembers()
        except (tarfile.TarError, OSError) as error:
            raise _damaged(path, str(error)) from None
        for done, info in enumerate(infos, start=1):
            if not info.isreg() or not _allowed(info.name) or info.name in seen:
                raise _damaged(
                    path, _("unexpected member %(member)s") % {"member": info.name}
                )
            stream = tar.extractfile(info)
            assert stream is not None  # noqa: S101 (a regular file)
            if info.name in {MANIFEST, SUMS}:
                data = stream.read()
                texts[info.name] = data
                size, digest = len(data), hashlib.sha256(data).hexdigest()
            else:
                size, digest = sha256_of(stream)
            seen[info.name] = {"size": size, "sha256": digest}
            progress("check", done, len(infos))
    if MANIFEST not in texts or SUMS not in texts:
        raise _damaged(path, _("it has no manifest"))
    try:
        manifest: dict[str, Any] = json.loads(texts[MANIFEST])
        members: dict[str, dict[str, Any]] = manifest["members"]
    except (ValueError, KeyError, TypeError):
        raise _damaged(path, _("its manifest cannot be read")) from None
    sums = {}
    for line in texts[SUMS].decode("utf-8", "replace").splitlines():
        digest, _sep, name = line.partition("  ")
        sums[name] = digest
    if sums.get(MANIFEST) != seen[MANIFEST]["sha256"]:
        raise _damaged(
            path, _("%(member)s does not match its checksum") % {"member": MANIFEST}
        )
    listed = set(members) | {MANIFEST, SUMS}
    for name in sorted(set(seen) - listed):
        raise _damaged(path, _("unexpected member %(member)s") % {"member": name})
    for name, expected in members.items():
        if name not in seen:
            raise _damaged(path, _("%(member)s is missing") % {"member": name})
        if (
            seen[name]["sha256"] != expected.get("sha256")
            or seen[name]["size"] != expected.get("size")
            or sums.get(name) != expected.get("sha256")
        ):
            raise _damaged(
                path, _("%(member)s does not match its checksum") % {"member": name}
            )
    if manifest.get("product") != "wiesci" or manifest.get("format") != FORMAT:
        raise CommandError(
            _("%(path)s is not an archive this version of Wieści can restore.")
            % {"path": path}
        )
    return manifest


def _known_migrations() -> tuple[set[str], set[tuple[str, str]]]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known: set[tuple[str, str]] = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    return {app for app, _name in known}, known


def check_migrations(manifest: dict[str, Any]) -> bool:
    """Refuse an archive made by a newer version; True if `migrate` is due after."""
    apps, known = _known_migrations()
    archived = {
        (app, name)
        for app, _sep, name in (m.partition(".") for m in manifest["migrations"])
    }
    newer = sorted(f"{a}.{n}" for a, n in archived if a in apps and (a, n) not in known)
    if newer:
        raise CommandError(
            _(
                "The archive was made by Wieści %(version)s, newer than this one "
                "(%(ours)s): its database has migrations this version does not "
                "know (%(migrations)s). Install Wieści %(version)s or newer, then "
                "restore."
            )
            % {
                "version": manifest.get("version", "?"),
                "ours": wiesci.__version__,
                "migrations": _some(newer),
            }
        )
    return bool(pending_migrations(archived))


def pending_migrations(archived: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """The code's migrations that the archived database has not applied.

    A squashed migration counts as applied when everything it replaces is,
    and a replaced one when its squashed migration is.
    """
    loader = MigrationLoader(None, ignore_no_migrations=True)
    squashed_by = {
        old: key
        for key, migration in loader.disk_migrations.items()
        for old in migration.replaces
    }
    pending = []
    for key, migration in sorted(loader.disk_migrations.items()):
        if key in archived or squashed_by.get(key) in archived:
            continue
        if migration.replaces and set(migration.replaces) <= archived:
            continue
        pending.append(key)
    return pending


# --- What is in the target ------------------------------------------------


def _sqlite_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def database_tables() -> int:
    """Tables in the configured database (the public schema on PostgreSQL)."""
    if connection.vendor == "sqlite":
        path = _sqlite_path()
        if not path.exists():
            return 0
        # Read-only and directly: opening it through Django would create it.
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=20)
        try:
            row = db.execute(
                "SELECT count(*) FROM sqlite_master "
                "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()
        finally:
            db.close()
        return int(row[0])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        count = int(cursor.fetchone()[0])
    connection.close()
    return count


def _database_label() -> str:
    if connection.vendor == "sqlite":
        return str(_sqlite_path())
    return str(settings.DATABASES["default"]["NAME"])


def what_is_there() -> list[str]:
    """Say what a restore would overwrite: a database with tables, files."""
    found = []
    tables = database_tables()
    if tables:
        found.append(
            ngettext(
                "the database %(name)s has %(count)d table",
                "the database %(name)s has %(count)d tables",
                tables,
            )
            % {"name": _database_label(), "count": tables}
        )
    for alias in FOLDERS:
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            files = len(local_files(storage))
            if files:
                found.append(
                    ngettext(
                        "%(folder)s holds %(count)d file",
                        "%(folder)s holds %(count)d files",
                        files,
                    )
                    % {"folder": storage.location, "count": files}
                )
    return found


def check_objects(manifest: dict[str, Any], *, verify: bool) -> dict[str, int]:
    """Match each storage the archive describes with the configured one.

    Files in the archive need a storage on disk to go to; a list of objects
    needs those objects present in the configured storage, with the listed
    size (and, with `verify`, the listed SHA-256).
    """
    checked = {}
    for alias, folder in FOLDERS.items():
        described = manifest["storages"].get(alias, {"kind": "files"})
        storage = storages[alias]
        if described["kind"] == "files":
            if not is_local(storage):
                raise CommandError(
                    _(
                        "The archive holds the files of %(folder)s, but that "
                        "storage is now on object storage. Restore with the "
                        "storage on disk, then move the files."
                    )
                    % {"folder": folder}
                )
            continue
        if is_local(storage):
            raise CommandError(
                _(
                    "The archive lists the objects of %(folder)s on object storage "
                    "and holds no copy of them; configure that storage before "
                    "restoring."
                )
                % {"folder": folder}
            )
        wrong = []
        for item in described["objects"]:
            key = item["key"]
            if not storage.exists(key) or storage.size(key) != item["size"]:
                wrong.append(key)
            elif verify:
                with storage.open(key, "rb") as stream:
                    if sha256_of(stream)[1] != item["sha256"]:
                        wrong.append(key)
        if wrong:
            raise CommandError(
                ngettext(
                    "%(count)d object of %(folder)s is missing from object storage "
                    "or differs from the archive's list: %(names)s",
                    "%(count)d objects of %(folder)s are missing from object "
                    "storage or differ from the archive's list: %(names)s",
                    len(wrong),
                )
                % {"count": len(wrong), "folder": folder, "names": _some(wrong)}
            )
        checked[alias] = len(described["objects"])
    return checked


# --- Restoring ------------------------------------------------------------


def restore_backup(
    path: Path,
    *,
    by: SystemActor,
    force: bool = False,
    verify_media: bool = False,
    check_only: bool = False,
    progress: Progress = no_progress,
) -> RestoreReport:
    """Restore the archive at `path` into the configured database and storages.

    With `check_only`, stop after the checks, having written nothing.
    """
    path = path.resolve()
    logger.info("restore by %s from %s started", by.name, path)
    there = [] if check_only else what_is_there()
    if there and not force:
        raise CommandError(
            _(
                "The target is not empty: %(what)s. Restoring would overwrite "
                "it; add --force to do so."
            )
            % {"what": "; ".join(there)}
        )
    manifest = read_archive(path, progress)
    report = RestoreReport(
        version=str(manifest.get("version", "?")),
        created_at=str(manifest.get("created_at", "?")),
        database=str(manifest["database"]),
    )
    database = SQLITE_MEMBER if manifest["database"] == "sqlite" else POSTGRES_MEMBER
    if database not in manifest["members"]:
        raise _damaged(path, _("%(member)s is missing") % {"member": database})
    vendor = connection.vendor
    if manifest["database"] != vendor and not check_only:
        raise CommandError(
            _(
                "The archive holds a %(archived)s database, but this portal is "
                "configured for %(configured)s. Restore into the same kind of "
                "database."
            )
            % {
                "archived": DATABASE_NAMES.get(manifest["database"], "?"),
                "configured": DATABASE_NAMES.get(vendor, vendor),
            }
        )
    report.migrate = check_migrations(manifest)
    report.objects = check_objects(manifest, verify=verify_media)
    if check_only:
        return report
    if there:
        logger.warning("restore by %s overwrites: %s", by.name, "; ".join(there))
        _clear_target()
    _write(path, manifest, report, progress)
    report.written = True
    _forget_caches()
    logger.info(
        "restore by %s from %s done: %s database, files %s, objects checked %s",
        by.name,
        path,
        vendor,
        report.files,
        report.objects,
    )
    return report


def _clear_target() -> None:
    """Empty the database and the storages on disk (`--force`)."""
    if connection.vendor == "sqlite":
        connection.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{_sqlite_path()}{suffix}").unlink(missing_ok=True)
    else:
        try:
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE")
                cursor.execute("CREATE SCHEMA public")
        except DatabaseError as error:
            raise CommandError(
                _("Cannot empty the database: %(problem)s") % {"problem": error}
            ) from None
        finally:
            connection.close()
    for alias in FOLDERS:
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            for name in local_files(storage):
                Path(storage.path(name)).unlink(missing_ok=True)


def _write(
    path: Path, manifest: dict[str, Any], report: RestoreReport, progress: Progress
) -> None:
    members = manifest["members"]
    with tarfile.open(path, "r:*") as tar:
        infos = [info for info in tar.getmembers() if info.name in members]
        for done, info in enumerate(infos, start=1):
            stream = tar.extractfile(info)
            assert stream is not None  # noqa: S101 (checked to be a regular file)
            expected = members[info.name]["sha256"]
            if info.name in {SQLITE_MEMBER, POSTGRES_MEMBER}:
                _restore_database(info.name, stream, expected)
            elif info.name == SECRET_KEY:
                target = Path(settings.DATA_DIR) / SECRET_KEY
                _place(stream, target, expected, mode=0o600)
            else:
                folder, _sep, name = info.name.partition("/")
                alias = next(a for a, f in FOLDERS.items() if f == folder)
                storage = storages[alias]
                assert isinstance(storage, FileSystemStorage)  # noqa: S101 (checked)
                mode = storage.file_permissions_mode or 0o644
                _place(stream, Path(storage.path(name)), expected, mode=mode)
                report.files[alias] = report.files.get(alias, 0) + 1
            progress("restore", done, len(infos))


def _place(stream: IO[bytes], target: Path, expected: str, *, mode: int) -> None:
    """Write `stream` next to `target`, check it, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".wiesci-restore-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = hashlib.sha256()
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != expected:
            # The file changed since it was checked: stop rather than guess.
            raise CommandError(_("The archive changed while it was being restored."))
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _restore_database(member: str, stream: IO[bytes], expected: str) -> None:
    if member == SQLITE_MEMBER:
        connection.close()
        _place(stream, _sqlite_path(), expected, mode=0o600)
        return
    pg_restore = find_program("pg_restore")
    with tempfile.TemporaryDirectory(
        prefix=".wiesci-restore-", dir=settings.DATA_DIR
    ) as work:
        dump = Path(work) / "wiesci.pgdump"
        _place(stream, dump, expected, mode=0o600)
        connection.close()
        run_program(
            [
                str(pg_restore),
                "--no-owner",
                "--no-acl",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                f"--dbname={settings.DATABASES['default']['NAME']}",
                str(dump),
            ],
            what="pg_restore",
        )


def _forget_caches() -> None:
    """Drop what the cache and the page cache remember of the portal before."""
    from wiesci.core.pagecache import purge_all

    with contextlib.suppress(Exception):
        cache.clear()
    try:
        purge_all()
    except Exception:  # A proxy or a page cache out of reach: its copies expire.
        logger.warning("restore: the page cache could not be purged", exc_info=True)
