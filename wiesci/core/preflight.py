"""Checks `wiesci serve` runs before it accepts a request.

Each failure is a ConfigError naming the variable to fix, so the operator sees
one line such as "WIESCI_DATABASE_URL: cannot connect (…)" and no traceback.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from wiesci.core.environ import ConfigError, Env


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or exc.__class__.__name__
    return text.splitlines()[0].strip()


def database_variable() -> str:
    """The variable an operator changes to fix the database: its URL, if set."""
    if Env().has("WIESCI_DATABASE_URL"):
        return "WIESCI_DATABASE_URL"
    return "WIESCI_DATA_DIR"


def connection_problem() -> ConfigError | None:
    """Why the database cannot be reached, or None when it can.

    The `wiesci` command asks this when a command fails with a database
    error, to tell a wrong address or a stopped server (one line naming the
    variable) from a fault in the command (a traceback).
    """
    try:
        connection.close()
        connection.ensure_connection()
    except DatabaseError as exc:
        return ConfigError(
            database_variable(), f"cannot use the database ({_first_line(exc)})"
        )
    finally:
        with contextlib.suppress(DatabaseError):
            connection.close()
    return None


def check_database() -> None:
    """Connect to the database and make sure no migration is pending."""
    variable = database_variable()
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise ConfigError(
            variable, f"cannot use the database ({_first_line(exc)})"
        ) from None
    finally:
        connection.close()
    if plan:
        raise CommandError(
            f"the database needs {len(plan)} migration(s); run `wiesci migrate` first"
        )


def check_cache() -> None:
    """Write to and read from the shared cache."""
    try:
        cache.set("wiesci:preflight", "ok", 10)
        value = cache.get("wiesci:preflight")
    except Exception as exc:  # The Redis client raises its own error classes.
        raise ConfigError(
            "WIESCI_CACHE_URL", f"cannot use the cache ({_first_line(exc)})"
        ) from None
    if value != "ok":
        raise ConfigError("WIESCI_CACHE_URL", "the cache does not keep what is stored")


def replica_problems() -> list[str]:
    """One line for each read replica that cannot be used now.

    Not a reason to stop: anonymous pages then read from the primary (see
    `core.replicas`), but the operator should hear of it.
    """
    from django.db import connections

    from wiesci.core.replicas import replica_aliases

    problems = []
    for number, alias in enumerate(replica_aliases(), start=1):
        replica = connections[alias]
        try:
            with replica.cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                row = cursor.fetchone()
            if not (row and row[0]):
                problems.append(f"replica {number} is not a standby of the primary")
        except DatabaseError as exc:
            problems.append(f"replica {number} cannot be reached ({_first_line(exc)})")
        finally:
            with contextlib.suppress(DatabaseError):
                replica.close()
    return [
        f"WIESCI_DATABASE_REPLICA_URLS: {problem}; anonymous pages read from "
        "the primary until it answers"
        for problem in problems
    ]


def check_storage() -> None:
    """Make sure media can be stored: their folders on disk, or their buckets.

    On object storage each bucket is asked for once, within seconds, so a
    wrong address, a refused key or a missing bucket is one line naming the
    variable to fix.
    """
    from django.core.files.storage import FileSystemStorage, storages

    folders = [Path(settings.STATIC_ROOT)]
    for alias, variable in (
        ("default", "WIESCI_MEDIA_URL"),
        ("private", "WIESCI_PRIVATE_MEDIA_URL"),
    ):
        storage = storages[alias]
        if isinstance(storage, FileSystemStorage):
            folders.append(Path(storage.location))
            continue
        from wiesci.core.objectstorage import ObjectStorage, StorageProblem

        if isinstance(storage, ObjectStorage):
            try:
                storage.check()
            except StorageProblem as exc:
                raise ConfigError(
                    variable, f"cannot use the object storage ({exc})"
                ) from None
    for directory in folders:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(
                "WIESCI_DATA_DIR", f"cannot create {directory} ({exc.strerror})"
            ) from None


def check_all() -> None:
    check_database()
    check_cache()
    check_storage()
