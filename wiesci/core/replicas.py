"""Read replicas: anonymous page renders read from a PostgreSQL standby.

A replica is any DATABASES alias whose TEST MIRROR is "default" (settings
make `replica1`, `replica2`, … of WIESCI_DATABASE_REPLICA_URLS). Reads go to
one only inside `ReplicaReadsMiddleware`, for a GET or HEAD that carries no
session or messages cookie and is not under the private prefixes (the same
test the page cache makes), and only until the request writes: the first
write, or an open transaction on the primary, sends the rest of the request
to the primary. Everything else — POSTs, logged-in readers, the admin,
commands, the task worker, the scheduler — has no request state here, and
the router leaves it to Django: the primary.

Replication lag: a purge after a publication makes the next anonymous render
read again, and a replica that has not replayed the publication yet would
put the old page back into the page cache for minutes. So every transaction
that writes on the primary records, once committed, the primary's WAL
insert position in the shared cache (`POSITION_KEY`), and a request reads
from a replica only if the replica has replayed at least that far. Writers
record under an advisory lock, so the recorded position only moves forward
whatever the order in which servers commit. Each process asks a replica
how far it has got at most once per `ASK_EVERY` seconds and remembers the
answer for that long, so a burst of renders costs one cache read each and a
few extra queries in all. A replica that cannot be reached is left alone
for `RETRY_AFTER` seconds, with one warning, and the request reads from the
primary.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    connections,
    transaction,
)
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from wiesci.core.pagecache.wsgi import PERSONAL_COOKIES, PRIVATE_PREFIXES

logger = logging.getLogger(__name__)

POSITION_KEY = "replicas:primary-position"
# Serialises the recording of positions on the primary (pg_advisory_xact_lock).
POSITION_LOCK = 0x57494553  # "WIES"
# How long what a replica said of its position holds, in each process: a
# burst of renders (after a purge, say) asks it once.
ASK_EVERY = 0.2
# How long a replica that could not be reached is left alone.
RETRY_AFTER = 5.0
# Statements that change nothing a reader could see; anything else on the
# primary counts as a write (unknown statements included, to be safe).
READ_ONLY = re.compile(
    r"\s*(SELECT|SAVEPOINT|RELEASE|ROLLBACK|SET|SHOW|EXPLAIN)\b", re.IGNORECASE
)


def replica_aliases() -> list[str]:
    """The DATABASES aliases that are replicas of the primary."""
    return [
        alias
        for alias, config in connections.settings.items()
        if alias != DEFAULT_DB_ALIAS
        and config.get("TEST", {}).get("MIRROR") == DEFAULT_DB_ALIAS
    ]


# --- Where a request reads ------------------------------------------------


@dataclass
class _Reads:
    """What one anonymous request may read from."""

    chosen: str | None = None
    wrote: bool = False

    def alias(self) -> str:
        if self.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if self.chosen is None:
            self.chosen = _choose()
        return self.chosen


_reads: contextvars.ContextVar[_Reads | None] = contextvars.ContextVar(
    "wiesci_replica_reads", default=None
)


class ReplicaReadsMiddleware:
    """Let an anonymous GET or HEAD read from a replica that is up to date."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _shared_read(request) or not replica_aliases():
            return self.get_response(request)
        token = _reads.set(_Reads())
        try:
            return self.get_response(request)
        finally:
            _reads.reset(token)


def _shared_read(request: HttpRequest) -> bool:
    cookies = request.META.get("HTTP_COOKIE", "")
    return (
        request.method in {"GET", "HEAD"}
        and not request.path_info.startswith(PRIVATE_PREFIXES)
        and not any(name in cookies for name in PERSONAL_COOKIES)
    )


class ReplicaRouter:
    """Reads of an anonymous request from a replica; everything else, and
    every write and migration, on the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        reads = _reads.get()
        return None if reads is None else reads.alias()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        # Not a write yet: get_or_create() asks here for its read as well.
        # What switches the request to the primary is a write statement
        # actually run there (`_after_writes`).
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Rows read from a replica are the primary's rows.
        same = {DEFAULT_DB_ALIAS, *replica_aliases()}
        return True if {obj1._state.db, obj2._state.db} <= same else None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A standby replays the primary's schema; it cannot be migrated.
        return False if db in replica_aliases() else None


# --- Recording the primary's position -------------------------------------


def watch_writes(
    sender: type[BaseDatabaseWrapper], connection: BaseDatabaseWrapper, **kwargs: Any
) -> None:
    """Record the position of every committed write on the primary
    (`connection_created` receiver; the wrapper stays with the connection)."""
    if (
        connection.alias == DEFAULT_DB_ALIAS
        and connection.vendor == "postgresql"
        and replica_aliases()
        and _after_writes not in connection.execute_wrappers
    ):
        connection.execute_wrappers.append(_after_writes)


def _after_writes(
    execute: Callable[..., Any],
    sql: str,
    params: Any,
    many: bool,
    context: dict[str, Any],
) -> Any:
    result = execute(sql, params, many, context)
    if not READ_ONLY.match(sql) and replica_aliases():
        reads = _reads.get()
        if reads is not None:
            reads.wrote = True
        _record_after_commit(context["connection"])
    return result


def _record_after_commit(connection: BaseDatabaseWrapper) -> None:
    # Once per transaction: registered at its first write, so that it runs
    # before what the services register after their saves (the purges).
    # Outside a transaction the write is committed already and on_commit
    # runs at once. Under manual transaction management (set_autocommit
    # False), which the product never uses, there is no moment to record at.
    if connection.in_atomic_block:
        if any(entry[1] is _record for entry in connection.run_on_commit):
            return
    elif not connection.get_autocommit():
        return
    # robust: a cache that cannot be reached must not fail a committed write.
    connection.on_commit(_record, robust=True)


def _record() -> None:
    _record_position()


def _record_position() -> int:
    """Store the primary's WAL insert position in the shared cache and
    return it.

    The insert position, not the write position: with synchronous_commit
    off a committed transaction may not be written out yet, and a replica
    must replay up to its commit record.
    """
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            # The subquery takes the lock before the position is read, so
            # positions reach the cache in the order they were read.
            cursor.execute(
                "SELECT pg_current_wal_insert_lsn() - '0/0' FROM "
                "(SELECT pg_advisory_xact_lock(%s)) AS locked",
                [POSITION_LOCK],
            )
            position = int(cursor.fetchone()[0])
        cache.set(POSITION_KEY, position, timeout=None)
    return position


# --- Choosing a replica ---------------------------------------------------


@dataclass
class _Replica:
    """What this process knows of one replica."""

    replayed: int = -1
    asked_at: float = float("-inf")
    down_until: float = float("-inf")
    warned: bool = False


@dataclass
class _Memory:
    replicas: dict[str, _Replica] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    turn: itertools.count[int] = field(default_factory=itertools.count)
    position_warned: bool = False

    def of(self, alias: str) -> _Replica:
        with self.lock:
            return self.replicas.setdefault(alias, _Replica())


_memory = _Memory()


def forget() -> None:
    """Forget what this process knows of the replicas (for tests)."""
    global _memory
    _memory = _Memory()


def _choose() -> str:
    """A replica that has replayed every committed write, else the primary."""
    aliases = replica_aliases()
    if not aliases:
        return DEFAULT_DB_ALIAS
    try:
        target = cache.get(POSITION_KEY)
        if target is None:  # never recorded, or evicted
            target = _record_position()
    except Exception as exc:  # the cache, or the primary, which answers itself
        if not _memory.position_warned:
            _memory.position_warned = True
            logger.warning(
                "Cannot tell how far the replicas must be, reading from the "
                "primary: %s",
                exc,
            )
        return DEFAULT_DB_ALIAS
    _memory.position_warned = False
    start = next(_memory.turn) % len(aliases)
    for alias in aliases[start:] + aliases[:start]:
        if _caught_up(alias, int(target)):
            return alias
    return DEFAULT_DB_ALIAS


def _caught_up(alias: str, target: int) -> bool:
    replica = _memory.of(alias)
    now = time.monotonic()
    if now < replica.down_until:
        return False
    fresh = now - replica.asked_at < ASK_EVERY
    if fresh and replica.replayed < target:
        return False
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            # Opening the cursor connects, or checks a kept connection
            # (CONN_HEALTH_CHECKS), so a replica that went away is found
            # here rather than in the middle of a page.
            if not fresh:
                cursor.execute("SELECT pg_last_wal_replay_lsn() - '0/0'")
                row = cursor.fetchone()
                replica.asked_at = now
                if row is None or row[0] is None:
                    raise DatabaseError(
                        "not a standby (pg_last_wal_replay_lsn is null)"
                    )
                replica.replayed = int(row[0])
    except DatabaseError as exc:
        replica.down_until = now + RETRY_AFTER
        if not replica.warned:
            replica.warned = True
            logger.warning(
                "Replica %s cannot be used, reading from the primary: %s",
                alias,
                str(exc).strip(),
            )
        with contextlib.suppress(DatabaseError):
            connection.close()
        return False
    if replica.warned:
        replica.warned = False
        logger.info("Replica %s can be used again", alias)
    return replica.replayed >= target
