"""A throwaway PostgreSQL cluster for one test run or benchmark.

initdb into a temporary directory, start on a free port on 127.0.0.1, stop and
remove it when the process exits. Run as root, the server runs as the
`postgres` user (PostgreSQL refuses to run as root). When the binaries are
missing, tests/system-deps.sh installs Debian's postgresql package.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from servers.waiting import free_port

SYSTEM_DEPS = Path(__file__).resolve().parent.parent / "tests" / "system-deps.sh"


def find_binary(name: str) -> Path | None:
    found = shutil.which(name)
    if found:
        return Path(found)
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return candidates[-1] if candidates else None


def binaries() -> tuple[Path, Path]:
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        subprocess.run(["sh", str(SYSTEM_DEPS)], check=True)
        initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise RuntimeError("PostgreSQL binaries (initdb, pg_ctl) not found")
    return initdb, pg_ctl


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


def _server_folder(name: str) -> tuple[Path, list[str]]:
    """A new folder for a server's files, owned by the user it runs as, and
    the command prefix that runs as that user."""
    root = Path(tempfile.mkdtemp(prefix=name))
    prefix = _as_server_user()
    if prefix:
        shutil.chown(root, "postgres", "postgres")
    return root, prefix


def _start(pg_ctl: Path, root: Path, options: str) -> None:
    """Start the server of `root/data` with `options`, logging to
    `root/server.log`; stop it and remove `root` when the process exits."""
    prefix = _as_server_user()
    data, log = root / "data", root / "server.log"
    subprocess.run(
        [
            *prefix,
            str(pg_ctl),
            "-D",
            str(data),
            "-l",
            str(log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )

    def stop() -> None:
        subprocess.run(
            [*prefix, str(pg_ctl), "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)

    atexit.register(stop)


def throwaway_cluster() -> dict[str, Any]:
    """Start a cluster and return a Django DATABASES entry for it."""
    initdb, pg_ctl = binaries()
    root, prefix = _server_folder("wiesci-pg-")
    data = root / "data"
    port = free_port()
    subprocess.run(
        [
            *prefix,
            str(initdb),
            "-D",
            str(data),
            "-U",
            "wiesci",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # Durability is pointless for a cluster that lives as long as the test run.
    options = (
        f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    _start(pg_ctl, root, options)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "wiesci",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "CONN_MAX_AGE": 0,
        "TEST": {"NAME": "test_wiesci"},
    }


def throwaway_standby(primary: dict[str, Any]) -> dict[str, Any]:
    """Start a streaming replica of the throwaway cluster `primary` (its
    DATABASES entry) and return the same entry pointing at the replica.

    A physical standby (`pg_basebackup -R`), in hot standby so that it
    answers reads, on its own free port; stopped and removed at exit. The
    primary needs nothing more: initdb's defaults (wal_level=replica,
    max_wal_senders=10, a `replication` line for 127.0.0.1 in pg_hba.conf)
    allow it.
    """
    _, pg_ctl = binaries()
    basebackup = find_binary("pg_basebackup")
    if basebackup is None:
        raise RuntimeError("PostgreSQL binary pg_basebackup not found")
    root, prefix = _server_folder("wiesci-pg-standby-")
    data = root / "data"
    port = free_port()
    subprocess.run(
        [
            *prefix,
            str(basebackup),
            "-h",
            str(primary["HOST"]),
            "-p",
            str(primary["PORT"]),
            "-U",
            str(primary["USER"]),
            "-D",
            str(data),
            "--write-recovery-conf",
            "--wal-method=stream",
            # A spread checkpoint would make the copy wait for minutes.
            "--checkpoint=fast",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # max_connections may not be lower than the primary's on a hot standby.
    options = (
        f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c max_connections=200 "
        "-c hot_standby=on"
    )
    _start(pg_ctl, root, options)
    return {**primary, "PORT": str(port)}
