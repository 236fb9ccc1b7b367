"""`wiesci backup`: one tar archive with everything a portal needs to come back.

The archive holds, in this order:

- `database/wiesci.sqlite3` (a copy made through SQLite's online backup API)
  or `database/wiesci.pgdump` (`pg_dump --format=custom`);
- `secret.key`, the key the portal signs sessions and links with;
- `media/…` and `private/…`, the files of the public media storage and of
  the private originals, when they are on the portal's own disk;
- `manifest.json`: the product version, the applied migrations, the size and
  SHA-256 of every member above and, for a storage on object storage instead
  of disk, the key, size and SHA-256 of each of its objects;
- `SHA256SUMS`, the same checksums (and the manifest's) in the format
  `sha256sum -c` reads, so that an archive can be checked without Wieści.

Consistency: the database is copied first, as one snapshot (SQLite's backup
runs in a single step inside one read transaction; pg_dump runs in the
snapshot the migrations are read from), and the files after it. Media and
originals are written once under names that never change meaning and are
removed only after the row that names them is gone, so every file the
snapshot refers to is still there to copy, except one whose photo was
deleted in the seconds between the snapshot and its copy; such files are
counted as vanished in the manifest and the log. Files uploaded after the
snapshot are copied too, and are unused (harmless) after a restore.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeGuard

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.management.base import CommandError, OutputWrapper
from django.db import connection, transaction
from django.utils.translation import gettext as _

import wiesci
from wiesci.core.actors import SystemActor
from wiesci.core.progress import ProgressBar

logger = logging.getLogger("wiesci.operations")

FORMAT = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SECRET_KEY = "secret.key"  # noqa: S105 (a member name, not a secret)
SQLITE_MEMBER = "database/wiesci.sqlite3"
POSTGRES_MEMBER = "database/wiesci.pgdump"
# The storages an archive carries, and the folder each one's files go under.
FOLDERS = {"default": "media", "private": "private"}
# Only names of this exact shape are ever deleted by `--keep`.
NAME_PATTERN = re.compile(r"^wiesci-backup-\d{8}T\d{6}Z\.tar$")
CHUNK = 1024 * 1024

# Called with the step ("backup", "check", "restore"), members done and total.
Progress = Callable[[str, int, int], None]


def no_progress(step: str, done: int, total: int) -> None:
    pass


def archive_name(at: datetime) -> str:
    return at.astimezone(UTC).strftime("wiesci-backup-%Y%m%dT%H%M%SZ.tar")


def sha256_of(stream: IO[bytes]) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def is_local(storage: Storage) -> TypeGuard[FileSystemStorage]:
    """Files on the portal's own disk go into the archive; others are listed."""
    return isinstance(storage, FileSystemStorage)


def local_files(storage: FileSystemStorage) -> list[str]:
    """Names (relative, with /) of the regular files under the storage's root."""
    root = Path(storage.location)
    names = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            names.append(path.relative_to(root).as_posix())
    return names


def stored_objects(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every object's name in a storage, through the storage API alone."""
    dirs, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from stored_objects(storage, f"{folder}/{name}" if folder else name)


def database_vendor() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise CommandError(
            _("Backups support SQLite and PostgreSQL, not %(vendor)s.")
            % {"vendor": vendor}
        )
    return vendor


def find_program(name: str) -> Path:
    """A PostgreSQL client program on PATH, or in Debian's versioned folders."""
    found = shutil.which(name)
    if found:
        return Path(found)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise CommandError(
            _(
                "%(program)s not found: install the PostgreSQL client programs "
                "(on Debian: apt install postgresql-client) or put %(program)s "
                "on PATH."
            )
            % {"program": name}
        )
    return candidates[-1]


def postgres_environment() -> dict[str, str]:
    """libpq's variables for the configured database, for pg_dump and pg_restore."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for key, variable in {
        "NAME": "PGDATABASE",
        "USER": "PGUSER",
        "PASSWORD": "PGPASSWORD",
        "HOST": "PGHOST",
        "PORT": "PGPORT",
    }.items():
        if db.get(key):
            env[variable] = str(db[key])
    for option, value in (db.get("OPTIONS") or {}).items():
        if option in {"sslmode", "sslrootcert", "sslcert", "sslkey", "passfile"}:
            env[f"PG{option.upper()}"] = str(value)
        elif option == "service":
            env["PGSERVICE"] = str(value)
    return env


def run_program(command: list[str], *, what: str) -> None:
    """Run a PostgreSQL program; fail with its own last words if it fails."""
    result = subprocess.run(  # noqa: S603 (the operator's own client programs)
        command,
        env=postgres_environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        problem = "; ".join(line.strip() for line in lines) or str(result.returncode)
        raise CommandError(
            _("%(what)s failed: %(problem)s") % {"what": what, "problem": problem}
        )


# --- The database ---------------------------------------------------------


def snapshot_sqlite(target: Path) -> list[str]:
    """Copy the SQLite database into `target` while the portal serves.

    One backup step copies every page inside a single read transaction: in WAL
    mode writers go on meanwhile, and the copy is the database as it was when
    the step began. The copy leaves WAL mode, so it is a single file.
    """
    source_path = Path(settings.DATABASES["default"]["NAME"])
    if not source_path.exists():
        raise CommandError(
            _("There is no database at %(path)s to back up.") % {"path": source_path}
        )
    source = sqlite3.connect(source_path, timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise CommandError(
                _("The copy of the database failed its check: %(problem)s")
                % {"problem": problems[0]}
            )
        return [
            f"{app}.{name}"
            for app, name in copy.execute(
                "SELECT app, name FROM django_migrations ORDER BY id"
            )
        ]
    finally:
        copy.close()
        source.close()


def snapshot_postgres(target: Path) -> list[str]:
    """Dump the PostgreSQL database into `target` with pg_dump.

    The migrations are read in a transaction whose snapshot pg_dump then
    uses (`--snapshot`), so the manifest says exactly what the dump holds.
    """
    pg_dump = find_program("pg_dump")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
        run_program(
            [
                str(pg_dump),
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            what="pg_dump",
        )
    return migrations


# --- Writing the archive --------------------------------------------------


class _Hashing:
    """A file read through by tarfile, hashed on the way."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _add(tar: tarfile.TarFile, name: str, stream: IO[bytes], size: int) -> str:
    """Add `size` bytes of `stream` as the member `name`; return their SHA-256."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(time.time())
    hashing = _Hashing(stream)
    tar.addfile(info, hashing)
    return hashing.digest.hexdigest()


@dataclass
class BackupReport:
    path: Path
    bytes: int = 0
    files: int = 0
    objects: int = 0
    vanished: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)


def make_backup(
    folder: Path,
    *,
    by: SystemActor,
    keep: int | None = None,
    progress: Progress = no_progress,
) -> BackupReport:
    """Write a new archive into `folder`, then keep only the `keep` newest.

    The archive appears under its final name only once complete (written to
    a hidden temporary name, synced, then linked), readable by its owner
    alone: it holds password hashes and the secret key.
    """
    if keep is not None and keep < 1:
        raise CommandError(_("--keep must be at least 1."))
    folder = folder.resolve()
    for alias in FOLDERS:
        storage = storages[alias]
        if not is_local(storage):
            continue
        if folder.is_relative_to(Path(storage.location).resolve()):
            raise CommandError(
                _(
                    "Do not keep backups inside %(folder)s: the next backup would "
                    "copy them."
                )
                % {"folder": storage.location}
            )
    folder.mkdir(parents=True, exist_ok=True)
    vendor = database_vendor()
    started = datetime.now(UTC)
    final = folder / archive_name(started)
    if final.exists():
        raise CommandError(_("%(path)s already exists.") % {"path": final})
    logger.info("backup by %s into %s started", by.name, final)
    work = Path(tempfile.mkdtemp(prefix=".wiesci-backup-", dir=folder))
    fd, partial_name = tempfile.mkstemp(
        prefix=".wiesci-backup-", suffix=".part", dir=folder
    )
    partial = Path(partial_name)
    report = BackupReport(final)
    try:
        with os.fdopen(fd, "wb") as out:
            _write_archive(out, work, vendor, started, by, report, progress)
            out.flush()
            os.fsync(out.fileno())
        _publish(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    partial.unlink(missing_ok=True)
    _sync_folder(folder)
    report.bytes = final.stat().st_size
    if keep is not None:
        report.removed = apply_retention(folder, keep)
    logger.info(
        "backup by %s written: %s (%d bytes, %d files, %d objects listed, "
        "%d vanished, %d old archives removed)",
        by.name,
        final,
        report.bytes,
        report.files,
        report.objects,
        len(report.vanished),
        len(report.removed),
    )
    return report


def _write_archive(
    out: IO[bytes],
    work: Path,
    vendor: str,
    started: datetime,
    by: SystemActor,
    report: BackupReport,
    progress: Progress,
) -> None:
    members: dict[str, dict[str, Any]] = {}
    stored: dict[str, dict[str, Any]] = {}
    if vendor == "sqlite":
        member, snapshot = SQLITE_MEMBER, work / "wiesci.sqlite3"
        migrations = snapshot_sqlite(snapshot)
    else:
        member, snapshot = POSTGRES_MEMBER, work / "wiesci.pgdump"
        migrations = snapshot_postgres(snapshot)
    # The names are listed after the snapshot: every file it refers to that
    # still exists is among them.
    listed: dict[str, list[str]] = {}
    for alias in FOLDERS:
        storage = storages[alias]
        if is_local(storage):
            listed[alias] = local_files(storage)
        else:
            listed[alias] = list(stored_objects(storage))
    total = 2 + sum(len(names) for names in listed.values())
    done = 1
    progress("backup", done, total)
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        with snapshot.open("rb") as stream:
            size = snapshot.stat().st_size
            members[member] = {"size": size, "sha256": _add(tar, member, stream, size)}
        key = settings.SECRET_KEY.encode() + b"\n"
        members[SECRET_KEY] = {
            "size": len(key),
            "sha256": _add(tar, SECRET_KEY, io.BytesIO(key), len(key)),
        }
        done += 1
        progress("backup", done, total)
        for alias, folder in FOLDERS.items():
            storage = storages[alias]
            if is_local(storage):
                stored[alias] = {"kind": "files", "folder": folder}
                for name in listed[alias]:
                    if _add_file(tar, storage, f"{folder}/{name}", name, members):
                        report.files += 1
                    else:
                        report.vanished.append(f"{folder}/{name}")
                    done += 1
                    progress("backup", done, total)
            else:
                objects = []
                for name in listed[alias]:
                    with storage.open(name, "rb") as stream:
                        size, digest = sha256_of(stream)
                    objects.append({"key": name, "size": size, "sha256": digest})
                    report.objects += 1
                    done += 1
                    progress("backup", done, total)
                stored[alias] = {
                    "kind": "objects",
                    "backend": f"{type(storage).__module__}.{type(storage).__name__}",
                    "bucket": str(getattr(storage, "bucket_name", "") or ""),
                    "location": str(getattr(storage, "location", "") or ""),
                    "objects": objects,
                }
        manifest = {
            "format": FORMAT,
            "product": "wiesci",
            "version": wiesci.__version__,
            "created_at": started.isoformat(timespec="seconds"),
            "made_by": by.name,
            "database": vendor,
            "migrations": migrations,
            "storages": stored,
            "vanished": report.vanished,
            "members": members,
        }
        data = json.dumps(manifest, indent=1, ensure_ascii=False).encode()
        digest = _add(tar, MANIFEST, io.BytesIO(data), len(data))
        lines = [f"{m['sha256']}  {name}\n" for name, m in members.items()]
        lines.append(f"{digest}  {MANIFEST}\n")
        sums = "".join(lines).encode()
        _add(tar, SUMS, io.BytesIO(sums), len(sums))


def _add_file(
    tar: tarfile.TarFile,
    storage: FileSystemStorage,
    member: str,
    name: str,
    members: dict[str, dict[str, Any]],
) -> bool:
    """Copy one file of a disk storage in; False if it was removed meanwhile."""
    if "\n" in member or "\\" in member:
        # SHA256SUMS could not name it plainly; no upload gets such a name.
        logger.warning(
            "backup: skipped %r, a name with a line break or backslash", member
        )
        return False
    try:
        stream = open(storage.path(name), "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        logger.warning("backup: %s was removed before it could be copied", member)
        return False
    with stream:
        # The size the file had when opened: a file still growing is copied
        # as far as that, consistently with its checksum.
        size = os.fstat(stream.fileno()).st_size
        members[member] = {"size": size, "sha256": _add(tar, member, stream, size)}
    return True


def _publish(partial: Path, final: Path) -> None:
    """Give the finished archive its name, never replacing another archive."""
    try:
        os.link(partial, final)
    except FileExistsError:
        raise CommandError(_("%(path)s already exists.") % {"path": final}) from None
    except OSError:
        # A file system without hard links (some network shares).
        if final.exists():
            raise CommandError(
                _("%(path)s already exists.") % {"path": final}
            ) from None
        os.rename(partial, final)


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def apply_retention(folder: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest archives in `folder`; return the deleted.

    Only files named as `wiesci backup` names them are considered, so nothing
    else kept in the folder is ever touched. The names sort by time.
    """
    if keep < 1:
        raise CommandError(_("--keep must be at least 1."))
    archives = sorted(
        path
        for path in folder.iterdir()
        if NAME_PATTERN.match(path.name) and path.is_file() and not path.is_symlink()
    )
    removed = archives[:-keep]
    for path in removed:
        path.unlink()
        logger.info("backup retention: removed %s", path)
    return removed


class StepBars:
    """Progress bars for a command's steps, drawn at most about fifty times each.

    Piped into a log, `ProgressBar` writes a line per update; a backup of many
    thousand files would fill the log, so updates are thinned to 2 % steps.
    """

    def __init__(self, out: OutputWrapper, titles: dict[str, str]) -> None:
        self.out = out
        self.titles = titles
        self.step = ""
        self.bar: ProgressBar | None = None
        self.shown = -1

    def __call__(self, step: str, done: int, total: int) -> None:
        if step != self.step:
            self.finish()
            self.step = step
            self.out.write(self.titles.get(step, step))
            self.bar = ProgressBar(self.out, total, unit=_("files"))
            self.shown = -1
        assert self.bar is not None  # noqa: S101 (made above)
        mark = done * 50 // max(total, 1)
        if mark != self.shown or done >= total:
            self.shown = mark
            self.bar.show(done)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.finish()
            self.bar = None
