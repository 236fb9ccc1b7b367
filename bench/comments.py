"""Comments under load: 200 readers post at once, on SQLite and on PostgreSQL.

The product's promise: 200 concurrent readers posting comments on SQLite store
every acknowledged comment, with no "database is locked" error. The reference,
measured in the same run: the same load on a throwaway PostgreSQL cluster.

For each database: a fresh data directory, `wiesci migrate`, then a worker
process (`python -m bench.comments prepare`) makes through the ORM a section,
one published article per round with comments open, post-moderation for every
comment (`premoderate_first = 0`), and per round 200 readers, each a month
old, with a verified e-mail address and a logged-in session. Then
`wiesci serve --workers 2 --no-worker` starts on that directory, and each
round sends 200 comment forms at once, one per reader (threads released by a
barrier, each with its own connection opened beforehand). A comment counts as
acknowledged when the answer is a 302 to `#komentarz-<id>`. After the rounds
the server stops and a worker (`python -m bench.comments stored`) reads what
the database holds. The rounds of the two databases alternate, so that a noisy
neighbour slows both alike.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import common

MODULE = "bench.comments"  # the workers: python -m bench.comments COMMAND …
READERS = 200  # concurrent readers per round, each posting one comment
ROUNDS = 3
SERVER_WORKERS = 2  # wiesci serve --workers
REQUEST_TIMEOUT_S = 60.0  # per request (connect, send, answer)
BARRIER_TIMEOUT_S = 60.0  # for every thread to have its connection open
ROUND_TIMEOUT_S = 150.0  # all threads of a round joined, or the round fails
READY_TIMEOUT_S = 120.0  # the server answering after its start
STOP_TIMEOUT_S = 30.0  # a graceful stop, then SIGKILL
MIGRATE_TIMEOUT_S = 300.0
WORKER_TIMEOUT_S = 300.0
BUDGET_S = 420.0  # no new round starts after this
LOCKED = "database is locked"
DB_NAME = "wiesci_bench_comments"
LOG_EXCERPT_LINES = 12

# Readers' comments: a sentence each, made distinct by the reader's number.
SENTENCES = [
    "Dziękuję za rzetelny artykuł o remoncie ulicy Długiej.",
    "Mieszkam tu od lat i pierwszy raz słyszę o takich planach.",
    "Czy wiadomo już, kiedy skończą się prace przy moście?",
    "Szkoda, że rada gminy nie zapytała mieszkańców o zdanie.",
    "Świetna inicjatywa, oby więcej takich wydarzeń w naszym mieście.",
    "Festyn odbędzie się chyba w sobotę, a nie w niedzielę.",
    "Żółty autobus znów spóźnił się dziś o piętnaście minut.",
    "Gratulacje dla młodzieży z liceum za zwycięstwo w turnieju!",
    "Przydałoby się więcej ławek i zieleni na rynku.",
    "Wczoraj wieczorem na osiedlu znów zabrakło światła.",
]

ANCHOR = re.compile(r"#komentarz-(\d+)\b")


# --- Workers: Django set up in a process of their own -------------------------


def _setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")
    django.setup()


def _prepare(readers: int, rounds: int, tag: str) -> dict[str, Any]:
    """Make the articles, the policy and the logged-in readers; report them."""
    _setup()
    from datetime import timedelta
    from importlib import import_module

    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db import connection, transaction
    from django.urls import reverse
    from django.utils import timezone

    from wiesci.accounts.models import User
    from wiesci.articles.models import Article
    from wiesci.articles.services import publish_article, save_article
    from wiesci.comments.models import ModerationSettings
    from wiesci.core.actors import COMMAND
    from wiesci.taxonomy.models import Section

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    now = timezone.now()
    joined = now - timedelta(days=30)  # past the new-account limits
    prepared = []
    with transaction.atomic():
        policy = ModerationSettings.current()
        policy.premoderate_first = 0  # every comment approved at once
        policy.premoderate_all = False
        policy.save()
        section, _ = Section.objects.get_or_create(
            slug="z-regionu", defaults={"name": "Z regionu"}
        )
        for number in range(rounds):
            article = save_article(
                Article(
                    title=f"Remont ulicy Długiej, część {number + 1}",
                    lead="Drogowcy wracają na ulicę Długą; objazdy do jesieni.",
                    body="<p>Prace obejmą jezdnię, chodniki i oświetlenie.</p>",
                    section=section,
                    comments_open=True,
                ),
                by=COMMAND,
            )
            publish_article(article, by=COMMAND, at=now - timedelta(hours=1))
            sessions = []
            for index in range(readers):
                user = User.objects.create_user(
                    username=f"czytelnik-{tag}-{number + 1}-{index + 1}",
                    email=f"czytelnik-{tag}-{number + 1}-{index + 1}@example.com",
                    password=None,  # unusable: no hashing, no log-in form
                    date_joined=joined,
                )
                EmailAddress.objects.create(
                    user=user, email=user.email, verified=True, primary=True
                )
                session = store_class()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = (
                    "django.contrib.auth.backends.ModelBackend"
                )
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session.create()
                sessions.append(session.session_key)
            prepared.append(
                {
                    "article_id": article.pk,
                    "slug": article.slug,
                    "path": reverse("comments:post", kwargs={"slug": article.slug}),
                    "sessions": sessions,
                }
            )
    result = {
        "rounds": prepared,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "session_engine": settings.SESSION_ENGINE,
        "database": common.database_version(),
    }
    connection.close()  # hold no lock when the server starts
    return result


def _stored(article_ids: list[int]) -> dict[str, Any]:
    """What the database holds under each article, after the server stopped."""
    _setup()
    from django.db import connection

    from wiesci.articles.models import Article
    from wiesci.comments.models import Comment

    result: dict[str, Any] = {}
    for article_id in article_ids:
        rows = list(
            Comment.objects.filter(article_id=article_id).values_list("pk", "status")
        )
        result[str(article_id)] = {
            "ids": [pk for pk, _ in rows],
            "statuses": dict(Counter(status for _, status in rows)),
            "comment_count": Article.objects.values_list(
                "comment_count", flat=True
            ).get(pk=article_id),
        }
    connection.close()
    return result


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("command", choices=["prepare", "stored"])
    parser.add_argument("--readers", type=int, default=READERS)
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--tag", default="bench")
    parser.add_argument("--articles", default="")
    options = parser.parse_args(argv)
    if options.command == "prepare":
        result = _prepare(options.readers, options.rounds, options.tag)
    else:
        ids = [int(pk) for pk in options.articles.split(",") if pk]
        result = _stored(ids)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# --- The bench process: servers and readers -----------------------------------


def _run_worker(args: list[str], env: dict[str, str]) -> dict[str, Any]:
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", MODULE, *args],
        cwd=common.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_S,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"{MODULE} {args[0]} failed ({completed.returncode}):\n"
            + completed.stderr[-3000:]
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))  # ceil, at least 1
    return ordered[int(rank) - 1]


def _csrf_secret() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


@dataclass
class Outcome:
    """One reader's request."""

    status: int | None = None
    location: str = ""
    latency: float = float("nan")
    finished: float = float("nan")  # perf_counter when the answer was read
    error: str = ""

    @property
    def comment_id(self) -> int | None:
        if self.status != 302:
            return None
        found = ANCHOR.search(self.location)
        return int(found.group(1)) if found else None


@dataclass
class Round:
    """One round of READERS posts on one database, and what it left behind."""

    number: int
    article_id: int
    outcomes: list[Outcome]
    wall: float
    log_start: int  # byte offset of the server log when the round began
    joined: bool  # every thread finished in time
    log_text: str = ""  # the server log from this round to the next
    stored_ids: list[int] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    comment_count: int | None = None

    @property
    def requests(self) -> int:
        return len(self.outcomes)

    @property
    def acknowledged(self) -> list[int]:
        return [o.comment_id for o in self.outcomes if o.comment_id is not None]

    @property
    def lost(self) -> list[int]:
        stored = set(self.stored_ids)
        return sorted(pk for pk in set(self.acknowledged) if pk not in stored)

    @property
    def unacknowledged_stored(self) -> int:
        return len(set(self.stored_ids) - set(self.acknowledged))

    @property
    def server_errors(self) -> int:
        return sum(1 for o in self.outcomes if o.status and o.status >= 500)

    @property
    def unanswered(self) -> int:
        return sum(1 for o in self.outcomes if o.status is None)

    @property
    def locked_lines(self) -> int:
        return sum(1 for line in self.log_text.splitlines() if LOCKED in line.lower())

    @property
    def latencies(self) -> list[float]:
        return [o.latency for o in self.outcomes if o.latency == o.latency]

    @property
    def throughput(self) -> float:
        return self.requests / self.wall if self.wall > 0 else float("nan")

    @property
    def p50(self) -> float:
        return _percentile(self.latencies, 0.50)

    @property
    def p99(self) -> float:
        return _percentile(self.latencies, 0.99)

    @property
    def approved(self) -> int:
        return self.statuses.get("approved", 0)

    def others(self) -> str:
        """Answers other than an acknowledgement, e.g. "429×3, no answer×1"."""
        counts: Counter[str] = Counter()
        for outcome in self.outcomes:
            if outcome.comment_id is not None:
                continue
            if outcome.status is None:
                counts["no answer"] += 1
            elif outcome.status == 302:
                counts[f"302 to {outcome.location or '?'}"] += 1
            else:
                counts[str(outcome.status)] += 1
        return ", ".join(f"{k}×{v}" for k, v in sorted(counts.items())) or "–"

    def problems(self) -> list[str]:
        found = []
        if not self.joined:
            found.append("not every request finished within the round's time limit")
        if self.lost:
            found.append(f"{len(self.lost)} acknowledged comment(s) not stored")
        if self.locked_lines:
            found.append(f'{self.locked_lines} "{LOCKED}" line(s) in the server log')
        if self.server_errors:
            found.append(f"{self.server_errors} answer(s) 5xx")
        if self.unanswered:
            found.append(f"{self.unanswered} request(s) without an answer")
        if len(self.acknowledged) != self.requests:
            found.append(
                f"only {len(self.acknowledged)} of {self.requests} comments "
                f"acknowledged ({self.others()})"
            )
        if len(self.stored_ids) != len(self.acknowledged):
            found.append(
                f"{len(self.stored_ids)} comments stored for "
                f"{len(self.acknowledged)} acknowledged"
            )
        if self.comment_count is not None and self.comment_count != self.approved:
            found.append(
                f"the article shows {self.comment_count} comments for "
                f"{self.approved} approved"
            )
        return found


def _post_round(
    port: int, prepared: dict[str, Any], cookies: tuple[str, str], number: int
) -> tuple[list[Outcome], float, bool]:
    """Send every reader's comment at once; return the outcomes and wall time."""
    session_cookie, csrf_cookie = cookies
    sessions: list[str] = prepared["sessions"]
    path: str = prepared["path"]
    outcomes = [Outcome() for _ in sessions]
    barrier = threading.Barrier(len(sessions) + 1)  # the readers and this thread

    def send(index: int, session_key: str) -> None:
        outcome = outcomes[index]
        csrf = _csrf_secret()
        sentence = SENTENCES[index % len(SENTENCES)]
        body = urlencode(
            {
                "body": f"{sentence} Pisze czytelnik nr {index + 1} "
                f"w rundzie {number + 1}.",
                "token": f"bench-{number + 1}-{index + 1}-{secrets.token_hex(8)}",
                "csrfmiddlewaretoken": csrf,
            }
        ).encode("ascii")
        headers = {
            "Host": f"127.0.0.1:{port}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{session_cookie}={session_key}; {csrf_cookie}={csrf}",
        }
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        started = None
        try:
            try:
                conn.connect()
            finally:
                barrier.wait(timeout=BARRIER_TIMEOUT_S)
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            outcome.status = response.status
            outcome.location = response.getheader("Location", "") or ""
        except (OSError, http.client.HTTPException, threading.BrokenBarrierError) as e:
            outcome.error = f"{type(e).__name__}: {e}"
        finally:
            now = time.perf_counter()
            if started is not None:
                outcome.latency = now - started
                outcome.finished = now
            conn.close()

    threads = [
        threading.Thread(target=send, args=(i, key), daemon=True)
        for i, key in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    # A broken barrier: the readers record it, and the round fails on it.
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=BARRIER_TIMEOUT_S)
    released = time.perf_counter()
    deadline = time.monotonic() + ROUND_TIMEOUT_S
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    joined = not any(thread.is_alive() for thread in threads)
    ends = [o.finished for o in outcomes if o.finished == o.finished]
    wall = (max(ends) if ends else time.perf_counter()) - released
    return outcomes, wall, joined


@dataclass
class Target:
    """One database: its data directory, its server, its rounds."""

    key: str
    label: str
    env: dict[str, str]
    data_dir: Path
    is_reference: bool = False
    prepared: dict[str, Any] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    port: int = 0
    log_path: Path | None = None
    rounds: list[Round] = field(default_factory=list)
    problem: str = ""  # why it could not run (the reference only)
    database: str = ""
    read: bool = False  # the database was read back after the rounds
    startup_log: str = ""
    shutdown_log: str = ""

    def prepare(self) -> None:
        migrate = subprocess.run(  # noqa: S603 - the product's own command
            [*common.wiesci_command(), "migrate", "--no-input"],
            cwd=common.ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=MIGRATE_TIMEOUT_S,
            check=False,
        )
        if migrate.returncode != 0:
            raise RuntimeError(
                f"wiesci migrate failed ({migrate.returncode}):\n"
                + (migrate.stderr or migrate.stdout)[-3000:]
            )
        self.prepared = _run_worker(
            [
                *("prepare", "--readers", str(READERS)),
                *("--rounds", str(ROUNDS), "--tag", self.key),
            ],
            self.env,
        )
        self.database = self.prepared["database"]

    def start(self) -> None:
        from servers.waiting import free_port, http_ready, wait_until

        self.port = free_port()
        self.log_path = self.data_dir.parent / f"{self.key}-server.log"
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the product's command
                [
                    *common.wiesci_command(),
                    *("serve", "--port", str(self.port)),
                    *("--workers", str(SERVER_WORKERS), "--no-worker"),
                ],
                cwd=common.ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped whole
            )
        try:
            wait_until(
                http_ready(f"http://127.0.0.1:{self.port}/", self.process),
                timeout=READY_TIMEOUT_S,
                what=f"wiesci serve on {self.label}",
            )
        except (TimeoutError, RuntimeError) as error:
            raise RuntimeError(f"{error}; server log:\n{self.log_tail()}") from None

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path else 0

    def log_text(self, start: int = 0, end: int | None = None) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        data = self.log_path.read_bytes()
        return data[start:end].decode("utf-8", errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def run_round(self, number: int) -> Round:
        assert self.process is not None  # noqa: S101 - started before the rounds
        if self.process.poll() is not None:
            raise RuntimeError(
                f"the {self.label} server exited ({self.process.returncode}); "
                f"log:\n{self.log_tail()}"
            )
        prepared = self.prepared["rounds"][number]
        log_start = self.log_size()
        outcomes, wall, joined = _post_round(
            self.port,
            prepared,
            (self.prepared["session_cookie"], self.prepared["csrf_cookie"]),
            number,
        )
        result = Round(
            number=number + 1,
            article_id=prepared["article_id"],
            outcomes=outcomes,
            wall=wall,
            log_start=log_start,
            joined=joined,
        )
        self.rounds.append(result)
        return result

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(STOP_TIMEOUT_S)
        # Whatever is left of the process group this server started.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT_S)

    def read_back(self) -> None:
        """Split the server log by round and read what the database holds."""
        if not self.rounds:
            return
        starts = [r.log_start for r in self.rounds]
        self.startup_log = self.log_text(0, starts[0])
        for index, result in enumerate(self.rounds):
            end = starts[index + 1] if index + 1 < len(starts) else None
            result.log_text = self.log_text(result.log_start, end)
        stored = _run_worker(
            ["stored", "--articles", ",".join(str(r.article_id) for r in self.rounds)],
            self.env,
        )
        for result in self.rounds:
            held = stored[str(result.article_id)]
            result.stored_ids = held["ids"]
            result.statuses = held["statuses"]
            result.comment_count = held["comment_count"]
        self.read = True

    def problems(self) -> list[str]:
        found = [
            f"round {r.number}: {problem}"
            for r in self.rounds
            for problem in r.problems()
        ]
        startup_locked = sum(
            1 for line in self.startup_log.splitlines() if LOCKED in line.lower()
        )
        if startup_locked:
            found.append(f'{startup_locked} "{LOCKED}" line(s) before the rounds')
        if len(self.rounds) < ROUNDS and not self.problem:
            found.append(f"only {len(self.rounds)} of {ROUNDS} rounds ran")
        return found

    def median(self, name: str) -> float:
        return common.median(float(getattr(r, name)) for r in self.rounds)


def _postgres_target(tmp: Path) -> Target:
    """A throwaway PostgreSQL cluster and a database of our own on it."""
    import psycopg
    from psycopg import sql

    from servers.postgres import throwaway_cluster

    cluster = throwaway_cluster()  # stopped and removed when this process exits
    with psycopg.connect(
        host=cluster["HOST"],
        port=cluster["PORT"],
        user=cluster["USER"],
        dbname="postgres",
        autocommit=True,
        connect_timeout=30,
    ) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
    data_dir = tmp / "postgresql"
    url = f"postgres://{cluster['USER']}@{cluster['HOST']}:{cluster['PORT']}/{DB_NAME}"
    return Target(
        key="postgresql",
        label="PostgreSQL (reference)",
        env=common.product_env(
            {"WIESCI_DATA_DIR": str(data_dir), "WIESCI_DATABASE_URL": url}
        ),
        data_dir=data_dir,
        is_reference=True,
    )


def _error_lines(text: str) -> list[str]:
    """Distinct log lines that say something went wrong, first seen first:
    warnings and errors logged, exceptions' last lines, lock errors."""
    stamp = re.compile(r"^\[?\d{4}-\d\d-\d\d[ T][\d:.,]+\]?\s*")
    logged = re.compile(r"^(WARNING|ERROR|CRITICAL)\b|^\[(WARNING|ERROR)\]")
    raised = re.compile(r"^[\w.]*(Error|Exception|Warning)\b.*:")
    seen: dict[str, None] = {}
    for raw in text.splitlines():
        line = stamp.sub("", raw.strip())
        if logged.search(line) or raised.search(line) or LOCKED in line.lower():
            # Without its time stamp, so that repeats of one line count once.
            seen.setdefault(line[:300], None)
    return list(seen)


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wiesci-bench-comments-") as name:
        tmp = Path(name)
        sqlite_dir = tmp / "sqlite"
        sqlite = Target(
            key="sqlite",
            label="SQLite",
            env=common.product_env({"WIESCI_DATA_DIR": str(sqlite_dir)}),
            data_dir=sqlite_dir,
        )
        sqlite.prepare()  # SQLite is the subject: any failure here is the section's
        postgres: Target | None = None
        try:
            postgres = _postgres_target(tmp)
            postgres.prepare()
        except Exception as error:  # the reference is missing, SQLite still runs
            reason = f"{type(error).__name__}: {str(error).strip()[:500]}"
            notes.append(f"No PostgreSQL reference: setting it up failed ({reason}).")
            postgres = None
        targets = [t for t in (sqlite, postgres) if t is not None]
        try:
            sqlite.start()
            if postgres is not None:
                try:
                    postgres.start()
                except Exception as error:
                    postgres.problem = f"{type(error).__name__}: {error}"[:1500]
            for number in range(ROUNDS):
                if time.monotonic() - started > BUDGET_S:
                    notes.append(f"Time budget ({BUDGET_S:.0f} s) spent.")
                    break
                order = targets if number % 2 == 0 else targets[::-1]
                for target in order:
                    if target.problem:
                        continue
                    try:
                        target.run_round(number)
                    except Exception as error:
                        if not target.is_reference:
                            raise
                        target.problem = f"{type(error).__name__}: {error}"[:1500]
        finally:
            for target in targets:
                target.stop()
        for target in targets:
            try:
                target.read_back()
            except Exception as error:
                if not target.is_reference:
                    raise
                target.problem = f"{type(error).__name__}: {error}"[:1500]
        excerpts = {
            t.key: _error_lines(t.log_text())[:LOG_EXCERPT_LINES] for t in targets
        }
    machine.finish()
    if postgres is not None and postgres.problem:
        notes.append(f"The PostgreSQL reference failed: {postgres.problem}")
    # Rounds without their read-back would count every comment as lost.
    reference = postgres if postgres is not None and postgres.read else None
    machine.versions = _versions(sqlite, reference)
    report = Report(
        machine=machine,
        sqlite=sqlite,
        reference=reference,
        seconds=time.monotonic() - started,
        notes=notes,
        excerpts=excerpts,
    )
    return common.SectionResult(
        "comments", report.console(), report.markdown(), ok=report.ok
    )


def _versions(sqlite: Target, reference: Target | None) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"Python": sys.version.split()[0]}
    for package in ("Django", "granian", "psycopg"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    versions["SQLite"] = sqlite.database.removeprefix("sqlite ")
    if reference is not None:
        versions["PostgreSQL"] = reference.database.removeprefix("postgresql ")
    return versions


def _sqlite_settings() -> str:
    from wiesci.core.environ import sqlite_config

    options = sqlite_config(Path("x"))["OPTIONS"]
    pragmas = [p.strip() for p in options["init_command"].split(";") if p.strip()]
    return (
        f"transaction_mode {options['transaction_mode']}, busy timeout "
        f"{options['timeout']} s, {', '.join(pragmas)}"
    )


@dataclass
class Report:
    machine: common.Machine
    sqlite: Target
    reference: Target | None
    seconds: float
    notes: list[str]
    excerpts: dict[str, list[str]]

    @property
    def ok(self) -> bool:
        return (
            bool(self.sqlite.rounds)
            and not self.sqlite.problems()
            and not (self.reference is not None and self.reference_failures())
        )

    def reference_failures(self) -> list[str]:
        """The reference's lost comments or lock errors fail the section too;
        its other problems are reported beside its numbers."""
        if self.reference is None:
            return []
        return [
            f"round {r.number}: {len(r.lost)} acknowledged comment(s) not stored"
            for r in self.reference.rounds
            if r.lost
        ]

    def targets(self) -> list[Target]:
        return [self.sqlite] + ([self.reference] if self.reference else [])

    def ratio(self, name: str) -> float:
        if self.reference is None or not self.reference.rounds:
            return float("nan")
        return self.sqlite.median(name) / self.reference.median(name)

    def per_round_ratios(self) -> list[float]:
        if self.reference is None:
            return []
        return [
            a.throughput / b.throughput
            for a, b in zip(self.sqlite.rounds, self.reference.rounds, strict=False)
        ]

    def rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [
            "database, round",
            "requests",
            "ack'd",
            "stored",
            "lost",
            "5xx",
            '"locked" lines',
            "other answers",
            "count shown",
            "wall",
            "req/s",
            "p50",
            "p99",
        ]
        rows: list[list[str]] = []
        for target in self.targets():
            for r in target.rounds:
                rows.append(
                    [
                        f"{target.label}, {r.number}",
                        str(r.requests),
                        str(len(r.acknowledged)),
                        str(len(r.stored_ids)),
                        str(len(r.lost)),
                        str(r.server_errors),
                        str(r.locked_lines),
                        r.others(),
                        "–" if r.comment_count is None else str(r.comment_count),
                        common.seconds(r.wall),
                        f"{r.throughput:.1f}",
                        common.seconds(r.p50),
                        common.seconds(r.p99),
                    ]
                )
            if len(target.rounds) > 1:
                rs = target.rounds
                rows.append(
                    [
                        f"{target.label}, all (sums; medians)",
                        str(sum(r.requests for r in rs)),
                        str(sum(len(r.acknowledged) for r in rs)),
                        str(sum(len(r.stored_ids) for r in rs)),
                        str(sum(len(r.lost) for r in rs)),
                        str(sum(r.server_errors for r in rs)),
                        str(sum(r.locked_lines for r in rs)),
                        "",
                        str(sum(r.comment_count or 0 for r in rs)),
                        common.seconds(target.median("wall")),
                        f"{target.median('throughput'):.1f}",
                        common.seconds(target.median("p50")),
                        common.seconds(target.median("p99")),
                    ]
                )
        if self.reference is not None:
            rows.append(
                [
                    "SQLite ÷ PostgreSQL",
                    *[""] * 8,
                    common.ratio(self.ratio("wall")),
                    common.ratio(self.ratio("throughput")),
                    common.ratio(self.ratio("p50")),
                    common.ratio(self.ratio("p99")),
                ]
            )
        return headers, rows

    def verdict(self) -> str:
        problems = self.sqlite.problems()
        met = "met" if self.sqlite.rounds and not problems else "NOT met"
        ack = sum(len(r.acknowledged) for r in self.sqlite.rounds)
        stored = sum(len(r.stored_ids) for r in self.sqlite.rounds)
        locked = sum(r.locked_lines for r in self.sqlite.rounds)
        text = (
            f"Promise (SQLite, {READERS} concurrent readers: every acknowledged "
            f'comment stored, no "{LOCKED}"): {met}. SQLite: {ack} acknowledged, '
            f'{stored} stored, {locked} "{LOCKED}" lines in '
            f"{len(self.sqlite.rounds)} rounds"
        )
        if problems:
            text += " — " + "; ".join(problems)
        ratios = self.per_round_ratios()
        if self.reference is not None and ratios:
            text += (
                f". SQLite ÷ PostgreSQL: throughput "
                f"{common.ratio(self.ratio('throughput'))} (per round "
                f"{min(ratios):.2f}–{max(ratios):.2f}×), p50 latency "
                f"{common.ratio(self.ratio('p50'))}, p99 latency "
                f"{common.ratio(self.ratio('p99'))}"
            )
            ref_problems = self.reference.problems()
            if ref_problems:
                text += ". PostgreSQL: " + "; ".join(ref_problems)
        elif self.reference is None:
            text += ". No PostgreSQL reference in this run (see the note)"
        return text

    def log_lines(self) -> list[str]:
        lines = []
        for target in self.targets():
            for line in self.excerpts.get(target.key, []):
                lines.append(f"{target.label}: {line}")
        return lines

    def method(self) -> str:
        return (
            f"{ROUNDS} rounds per database, the databases alternating (SQLite "
            f"first in odd rounds, PostgreSQL in even ones). In each round "
            f"{READERS} readers post one comment each under a fresh article: "
            f"{READERS} threads each open a connection, wait at a barrier, and "
            f"send `POST /artykul/<slug>/komentarze/` (form: text, one-time "
            f"token, CSRF token; cookies: session, CSRF) at once; each round "
            f"has its own {READERS} readers, because a reader may post only "
            f"once every few seconds. Readers are 30 days old, with a verified "
            f"address and a logged-in session; every comment is approved at "
            f"once (`premoderate_first = 0`). The server: `wiesci serve "
            f"--workers {SERVER_WORKERS} --no-worker` (granian, "
            f"{SERVER_WORKERS} processes × 4 threads, so at most "
            f"{SERVER_WORKERS * 4} requests at once; the rest wait in its "
            f"queue), file cache, on a fresh data directory. SQLite as the "
            f"product configures it: {_sqlite_settings()}. PostgreSQL: a "
            f"throwaway cluster (fsync off), `WIESCI_DATABASE_URL`, persistent "
            f'connections. "Ack\'d": answers 302 to `#komentarz-<id>`; '
            f'"stored": rows under the article once the server has stopped; '
            f'"lost": acknowledged ids not stored; "count shown": the '
            f"article's `comment_count` (should equal the approved rows); "
            f'"locked" lines: server log lines with "{LOCKED}"; "wall": '
            f"from the barrier's release to the last answer; latency per "
            f"request from sending to the whole answer read."
        )

    def console(self) -> str:
        log = self.log_lines()
        return "\n".join(
            [
                f"{READERS} concurrent comment posts × {ROUNDS} rounds per "
                f"database; wiesci serve --workers {SERVER_WORKERS}.",
                "",
                common.text_table(*self.rows()),
                "",
                self.verdict() + ".",
                "",
                common.text_table(["Machine", ""], self.machine.rows(), left=2),
                *(
                    ["", "Server log (errors, distinct lines):", *log]
                    if log
                    else ["", "Server logs: no errors."]
                ),
                *(f"NOTE: {note}" for note in self.notes),
            ]
        )

    def markdown(self) -> str:
        log = self.log_lines()
        log_block = (
            "Server log lines that report errors (distinct, time stamps "
            "dropped):\n\n```\n" + "\n".join(log) + "\n```\n"
            if log
            else "The server logs report no errors.\n"
        )
        notes = "".join(f"\n**Note:** {note}\n" for note in self.notes)
        return f"""\
## Comments under load

Measured by `bench/comments.py` ({self.seconds:.0f} s). The promise:
{READERS} concurrent readers posting comments on SQLite store every
acknowledged comment, with no "{LOCKED}" error. The reference, measured in
the same run: the same load on PostgreSQL.

Method: {self.method()}

{common.markdown_table(*self.rows())}

**{self.verdict()}.**

{log_block}
{common.markdown_table(["Machine", ""], self.machine.rows(), left=2)}
{notes}"""


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
