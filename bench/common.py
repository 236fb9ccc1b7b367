"""Helpers shared by the benchmark sections.

Every section measures ours against a reference in the same run and records
the machine's state with its results, so a number in docs/benchmarks.md can
always be read next to the conditions it was measured in.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"

DOC_HEADER = """\
# Benchmarks

`make bench` (or `.venv/bin/python -m bench`) runs every section below and
rewrites its part of this file; `python -m bench SECTION` runs one section.
Each section sits between `<!-- bench:NAME:start -->` and
`<!-- bench:NAME:end -->` markers and is replaced whole on each run; anything
outside the markers is kept as written.

Results are ratios against a reference measured in the same run on the same
machine, never absolute thresholds: the machines that run this are shared and
noisy. Each section records the machine's state (CPU, load, memory, library
versions) next to its numbers.
"""


@dataclass
class SectionResult:
    """What a section hands back to the dispatcher."""

    name: str
    console: str  # printed as is
    markdown: str  # written between the section's markers
    ok: bool = True
    notes: list[str] = field(default_factory=list)


# --- Machine state ---------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def cpu_model() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.lower().startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def meminfo_mib() -> dict[str, float]:
    """MemTotal and MemAvailable from /proc/meminfo, in MiB (empty elsewhere)."""
    values = {}
    for line in _read("/proc/meminfo").splitlines():
        key, _, rest = line.partition(":")
        if key in ("MemTotal", "MemAvailable", "MemFree"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def load_average() -> tuple[float, float, float]:
    try:
        return os.getloadavg()
    except OSError:
        nan = float("nan")
        return (nan, nan, nan)


def library_versions() -> dict[str, str]:
    versions = {"Python": platform.python_version()}
    try:
        import PIL

        versions["Pillow"] = PIL.__version__
    except ImportError:
        versions["Pillow"] = "not installed"
    try:
        import pyvips

        versions["libvips"] = (
            f"{pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}"
            f" (pyvips {pyvips.__version__})"
        )
    except (ImportError, OSError):
        versions["libvips"] = "not installed"
    return versions


@dataclass
class Machine:
    """The machine's state before a section ran, and its load after."""

    date: str
    cpu: str
    cores: int
    load_before: tuple[float, float, float]
    memory_total_mib: float
    memory_available_mib: float
    versions: dict[str, str]
    load_after: tuple[float, float, float] | None = None
    memory_available_after_mib: float | None = None

    @classmethod
    def snapshot(cls) -> Machine:
        memory = meminfo_mib()
        return cls(
            date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            cpu=cpu_model(),
            cores=cpu_count(),
            load_before=load_average(),
            memory_total_mib=memory.get("MemTotal", float("nan")),
            memory_available_mib=memory.get("MemAvailable", float("nan")),
            versions=library_versions(),
        )

    def finish(self) -> None:
        self.load_after = load_average()
        self.memory_available_after_mib = meminfo_mib().get(
            "MemAvailable", float("nan")
        )

    def rows(self) -> list[tuple[str, str]]:
        def load(values: tuple[float, float, float] | None) -> str:
            if values is None:
                return "–"
            return " / ".join(f"{v:.2f}" for v in values) + " (1, 5, 15 min)"

        available = f"{self.memory_available_mib / 1024:.1f} GiB available"
        if self.memory_available_after_mib is not None:
            available += f" ({self.memory_available_after_mib / 1024:.1f} after)"
        return [
            ("Date", self.date),
            ("CPU", f"{self.cpu}, {self.cores} cores available"),
            ("Load before", load(self.load_before)),
            ("Load after", load(self.load_after)),
            (
                "Memory",
                f"{available} of {self.memory_total_mib / 1024:.1f} GiB",
            ),
            ("Versions", ", ".join(f"{k} {v}" for k, v in self.versions.items())),
        ]


# --- Numbers -----------------------------------------------------------------


def median(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def seconds(value: float) -> str:
    if value != value:  # NaN
        return "–"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def size(num_bytes: float) -> str:
    if num_bytes >= 1024 * 1024:
        return f"{num_bytes / 1024 / 1024:.2f} MiB"
    return f"{num_bytes / 1024:.0f} KiB"


def ratio(value: float) -> str:
    return "–" if value != value else f"{value:.2f}×"


# --- Tables ------------------------------------------------------------------


def text_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1
) -> str:
    """A plain table for the terminal; the first `left` columns left-aligned,
    the others (numbers) right-aligned."""
    widths = [
        max(len(str(cell)) for cell in column)
        for column in zip(headers, *rows, strict=False)
    ]

    def line(cells: Sequence[str]) -> str:
        parts = [
            str(cell).ljust(width) if i < left else str(cell).rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=False))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1
) -> str:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    align = ["---" if i < left else "--:" for i in range(len(headers))]
    return "\n".join(
        [line(headers), "| " + " | ".join(align) + " |"] + [line(row) for row in rows]
    )


# --- docs/benchmarks.md ------------------------------------------------------


def markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def rewrite_section(name: str, body: str, path: Path = DOC) -> None:
    """Replace the text between the section's markers, keeping the rest.

    A missing file starts with DOC_HEADER; a missing section is appended.
    """
    start, end = markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else DOC_HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


# --- Subprocess measurements -------------------------------------------------


def run_worker(
    module: str,
    args: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float,
) -> dict[str, Any]:
    """Run `python -m module args…` from the repository root; its last line
    of output is a JSON object, which is returned.

    A fresh process per measurement is the only honest way to read peak
    memory: C libraries allocate outside Python's allocator.
    """
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"{module} {' '.join(args[:2])} failed ({completed.returncode}):\n"
            + completed.stderr[-3000:]
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def rss_kib() -> int:
    """This process's resident memory now, in KiB (Linux)."""
    for line in _read("/proc/self/status").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def peak_rss_kib() -> int:
    """This process's peak resident memory so far, in KiB."""
    for line in _read("/proc/self/status").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def cpu_seconds() -> float:
    """User plus system CPU time of this process (all its threads)."""
    times = os.times()
    return times.user + times.system


def reset_peak_rss() -> bool:
    """Reset this process's VmHWM to its current RSS (Linux ≥ 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


# --- Shared by the sections that start the product ---------------------------


def say(text: str) -> None:
    """Progress on the console while a section runs."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def product_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment for the product's commands, without the developer's own
    WIESCI_* variables, plus `extra`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WIESCI_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env["DJANGO_SETTINGS_MODULE"] = "wiesci.settings"
    env.update(extra)
    return env


def wiesci_command() -> list[str]:
    """The installed `wiesci` command, or `python -m wiesci` without it."""
    script = Path(sys.executable).with_name("wiesci")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wiesci"]


def run_command(
    args: Sequence[str], env: dict[str, str], what: str, *, timeout: float = 600
) -> float:
    """Run a command to completion; its seconds, or an error with its output."""
    import time

    started = time.monotonic()
    completed = subprocess.run(  # noqa: S603 - the product's and npm's commands
        list(args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"{what} failed ({completed.returncode}):\n"
            + (completed.stderr or completed.stdout)[-3000:]
        )
    return time.monotonic() - started


def throwaway_database(name: str) -> str:
    """The URL of a new, empty database `name` on a throwaway PostgreSQL
    cluster, removed when this process exits."""
    import psycopg
    from psycopg import sql

    from servers.postgres import throwaway_cluster

    cluster = throwaway_cluster()
    with psycopg.connect(
        host=cluster["HOST"],
        port=cluster["PORT"],
        user=cluster["USER"],
        dbname="postgres",
        autocommit=True,
        connect_timeout=30,
    ) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgres://{cluster['USER']}@{cluster['HOST']}:{cluster['PORT']}/{name}"


def database_version() -> str:
    """The configured database's engine and version (Django must be set up)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
        else:
            cursor.execute("show server_version")
        row = cursor.fetchone()
    return f"{connection.vendor} {row[0] if row else '?'}"
