"""The flood day: readers, polls, an editor and commenters, all at once.

The product's promise: on this 2-core machine, with the 5,000-article demo and
`wiesci serve --workers 2`, while at least 256 readers load the live story,
the home page and recent stories and poll the live coverage, an editor adds
a live update every 10 s and publishes a story every minute, and logged-in
readers post a comment every second: no errors and no 5xx, p99 under 100 ms
for every page kind, at most one render per page per purge, and every update
in an anonymous answer within 2 s of its commit (p99 of the lag).

The data: as bench/http.py builds it (`wiesci migrate`, `wiesci demo
--no-serve`, then its `prepare` worker grows the demo to 5,000 articles).
Then a worker (`python -m bench.flood setup DATA_DIR`) starts live coverage
of the newest story through the live services, as an operator's command,
and makes the commenting readers with their logged-in sessions. The server
(`wiesci serve --workers 2 --no-worker`, as bench/http.py starts it: none of
the writes here queues a task) starts and every page is fetched twice.

The load, for SECONDS: one wrk per page kind (bench/flood.lua), all at
once, because wrk's Lua `request()` is not told which connection it builds
for, so one wrk cannot time requests by kind; a wrk per kind makes wrk's own
latency histogram the kind's. Beside them an editor process (`python -m
bench.flood editor …`) posts updates and publishes stories through the
services, and after each commit probes the anonymous poll and article page
(or the home page) every 50 ms until the new text shows; a thread here
posts a comment every second with a reader's session and follows the
redirect to the article, as a browser would. Renders are counted from the
answers (`X-Cache: MISS`, or no X-Cache at all) and set against the purges,
read from the page cache's shared counters every 10 ms.
"""

from __future__ import annotations

import argparse
import bisect
import contextlib
import functools
import http.client
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench import common
from bench import http as bench_http
from bench.comments import ANCHOR, SENTENCES, _csrf_secret, _percentile

MODULE = "bench.flood"  # the workers: python -m bench.flood COMMAND …
LUA = Path(__file__).with_name("flood.lua")
SECONDS = 90  # of load
REFERENCE_SECONDS = 20  # the readers alone, before: no writes, no purges
START_DELAY_S = 2.0  # from starting the processes to the load's first second
WRK_TIMEOUT_S = 2  # wrk's default: later answers are timeout errors
RECENT_STORIES = 40  # spread over by the "recent stories" readers
# Readers per page kind, each a keep-alive connection asking again as soon as
# it has its answer: 256 in all.
CONNECTIONS = {"live": 96, "home": 64, "recent": 48, "poll": 48}
UPDATE_FIRST_S, UPDATE_EVERY_S = 4.0, 10.0
PUBLISH_FIRST_S, PUBLISH_EVERY_S = 9.0, 60.0
COMMENT_FIRST_S, COMMENT_EVERY_S = 0.5, 1.0
# Each reader may post once every COMMENT_INTERVAL (10 s): 20 readers in
# turn post once every 20 s each.
READERS = 20
PROBE_EVERY_S = 0.05
PROBE_BOUND_S = 8.0  # an update not seen by then counts as seen later
SAMPLE_EVERY_S = 0.01  # the purge counters
# A render answered at t may have begun under any purge since the one before
# t - RENDER_WINDOW_S: no answer counted by wrk took longer.
RENDER_WINDOW_S = float(WRK_TIMEOUT_S)
REQUEST_TIMEOUT_S = 10.0  # the probe's and the commenters' requests
GOAL_P99_S = 0.100
GOAL_LAG_S = 2.0
GOAL_RENDERS = 1  # per page per purge
WORKER_TIMEOUT_S = 300.0
EVENTS_PER_THREAD = 200_000  # render lines a wrk thread writes at most
# Answers are counted per BUCKET_S; a bucket in which all readers together
# got under STALL_FRACTION of the median bucket's answers is a stall.
BUCKET_S = 0.1
STALL_FRACTION = 0.2
STORY_STALL_S = 3.0  # a stall beginning this soon after a new story follows it
LOG_EXCERPT_LINES = 12

FIRST_UPDATES = [
    "Sztab kryzysowy zbiera się co dwie godziny; następny komunikat o 14:00.",
    "Strażacy z OSP wzmacniają wał workami z piaskiem przy ulicy Nadbrzeżnej.",
    "Zamknięta droga powiatowa do Brzezia; objazd przez Markowice.",
]


# --- Workers: Django set up in a process of their own -------------------------


def _setup_flood(data_dir: str, readers: int, recent: int) -> dict[str, Any]:
    """Start live coverage of the newest story; make the commenting readers."""
    bench_http._setup(data_dir)
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
    from wiesci.comments.models import ModerationSettings
    from wiesci.core.actors import COMMAND
    from wiesci.live import services

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    now = timezone.now()
    with transaction.atomic():
        policy = ModerationSettings.current()
        policy.premoderate_first = 0  # every comment shows at once, and purges
        policy.premoderate_all = False
        policy.save()
        article = (
            Article.objects.published()
            .filter(comments_open=True, live_coverage__isnull=True)
            .order_by("-published_at", "-pk")
            .first()
        )
        if article is None:
            raise RuntimeError("no published article with comments open to cover")
        coverage = services.start_coverage(
            article,
            by=COMMAND,
            key_facts="Sztab kryzysowy obraduje bez przerwy\nTelefon: 32 415 00 00",
        )
        for number, text in enumerate(FIRST_UPDATES):
            services.add_update(
                coverage,
                by=COMMAND,
                text=text,
                at=now - timedelta(minutes=30 - 10 * number),
                byline="Redakcja",
            )
        sessions = []
        for index in range(readers):
            user = User.objects.create_user(
                username=f"czytelnik-powodz-{index + 1}",
                email=f"czytelnik-powodz-{index + 1}@example.com",
                password=None,  # unusable: no hashing, no log-in form
                date_joined=now - timedelta(days=30),  # past the new-account limits
            )
            EmailAddress.objects.create(
                user=user, email=user.email, verified=True, primary=True
            )
            session = store_class()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            sessions.append(session.session_key)
    others = (
        Article.objects.published()
        .exclude(pk=article.pk)
        .order_by("-published_at", "-pk")[:recent]
    )
    result = {
        "article_id": article.pk,
        "article_title": article.title,
        "article_path": article.get_absolute_url(),
        "poll_path": coverage.poll_url(),
        "comment_path": reverse("comments:post", kwargs={"slug": article.slug}),
        "recent_paths": [other.get_absolute_url() for other in others],
        "sessions": sessions,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "updates": coverage.updates.count(),
    }
    connection.close()  # hold no lock when the server starts
    return result


def _committed(write: Callable[[], Any]) -> tuple[float, Any]:
    """Run `write` in a transaction; the moment it committed, and its result.

    The mark is the transaction's first on-commit callback, so it runs before
    the purges the services queue after commit.
    """
    from django.db import transaction

    marks: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: marks.append(time.time()))
        result = write()
    return marks[0], result


def _probe(
    port: int, path: str, token: str, since: float, answers: list[list[Any]]
) -> float | None:
    """Ask for `path` anonymously every PROBE_EVERY_S until `token` shows;
    the moment its answer was read, or None within PROBE_BOUND_S."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    needle = token.encode()
    try:
        while time.time() < since + PROBE_BOUND_S:
            asked = time.time()
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                answers.append([time.time(), path, 0, f"error: {error}"[:80]])
                conn.close()
                time.sleep(PROBE_EVERY_S)
                continue
            read = time.time()
            answers.append(
                [read, path, response.status, response.getheader("X-Cache") or "-"]
            )
            if needle in body:
                return read
            time.sleep(max(0.0, asked + PROBE_EVERY_S - time.time()))
        return None
    finally:
        conn.close()


def _editor(
    data_dir: str, port: int, article_id: int, start_at: float, seconds: float
) -> dict[str, Any]:
    """Post updates and publish stories on schedule; probe for each."""
    bench_http._setup(data_dir)
    from django.db import connection

    from wiesci.articles.models import Article
    from wiesci.articles.services import publish_article, save_article
    from wiesci.core.actors import COMMAND
    from wiesci.live import services
    from wiesci.live.models import Coverage

    coverage = Coverage.objects.select_related("article__section").get(pk=article_id)
    page_path = coverage.article.get_absolute_url()
    poll_path = coverage.poll_url()
    section = coverage.article.section
    schedule: list[tuple[float, str, int]] = []
    offset, number = UPDATE_FIRST_S, 1
    while offset < seconds - 1 and number <= 100:
        schedule.append((offset, "update", number))
        offset, number = offset + UPDATE_EVERY_S, number + 1
    offset, number = PUBLISH_FIRST_S, 1
    while offset < seconds - 1 and number <= 20:
        schedule.append((offset, "publish", number))
        offset, number = offset + PUBLISH_EVERY_S, number + 1
    schedule.sort()
    events: list[dict[str, Any]] = []
    answers: list[list[Any]] = []
    probes: list[threading.Thread] = []

    def probe(event: dict[str, Any], name: str, path: str) -> None:
        found: list[list[Any]] = []
        seen = _probe(port, path, event["token"], event["committed_at"], found)
        event["seen"][name] = seen
        answers.extend(found)  # list.extend is atomic under the GIL

    def update(n: int, token: str) -> Any:
        return services.add_update(
            coverage,
            by=COMMAND,
            text=f"Aktualizacja nr {n} ze sztabu kryzysowego ({token}).",
            byline="Redakcja",
        )

    def publish(n: int, token: str) -> Any:
        article = save_article(
            Article(
                title=f"Komunikat sztabu kryzysowego nr {n} ({token})",
                lead="Najnowsze informacje o stanie wody i zamkniętych drogach "
                "w powiecie.",
                body="<p>Sztab kryzysowy podał nowe dane z wodowskazów.</p>",
                section=section,
                comments_open=True,
            ),
            by=COMMAND,
        )
        return publish_article(article, by=COMMAND)

    for offset, kind, number in schedule:
        time.sleep(max(0.0, min(seconds, start_at + offset - time.time())))
        token = f"powodz-{kind[0]}{number}-{secrets.token_hex(3)}"
        asked = time.time()
        write = update if kind == "update" else publish
        committed_at, _ = _committed(functools.partial(write, number, token))
        if kind == "update":
            targets = {"poll": poll_path, "page": page_path}
        else:
            targets = {"home": "/"}
        event = {
            "kind": kind,
            "number": number,
            "token": token,
            "asked_at": asked,
            "committed_at": committed_at,
            "returned_at": time.time(),
            "seen": {},
        }
        events.append(event)
        for name, path in targets.items():
            thread = threading.Thread(target=probe, args=(event, name, path))
            thread.start()
            probes.append(thread)
    for thread in probes:
        thread.join(timeout=PROBE_BOUND_S + REQUEST_TIMEOUT_S)
    connection.close()
    return {"events": events, "answers": answers, "poll_path": poll_path}


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("command", choices=["setup", "editor"])
    parser.add_argument("data_dir")
    parser.add_argument("--readers", type=int, default=READERS)
    parser.add_argument("--recent", type=int, default=RECENT_STORIES)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--article", type=int, default=0)
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--seconds", type=float, default=SECONDS)
    options = parser.parse_args(argv)
    if options.command == "setup":
        result = _setup_flood(options.data_dir, options.readers, options.recent)
    else:
        result = _editor(
            options.data_dir,
            options.port,
            options.article,
            options.start_at,
            options.seconds,
        )
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# --- Renders per purge ----------------------------------------------------------


@dataclass
class Attribution:
    """How one page's renders fall on its purges."""

    purges: int = 0
    renders: int = 0
    most: int = 0  # renders given to one purge, at most
    doubled: int = 0  # purges given more than one render
    unpurged: int = 0  # renders with no purge before them (an expiry)

    def add(self, other: Attribution) -> None:
        self.purges += other.purges
        self.renders += other.renders
        self.most = max(self.most, other.most)
        self.doubled += other.doubled
        self.unpurged += other.unpurged


def attribute(
    purges: Sequence[float], renders: Sequence[float], window: float
) -> Attribution:
    """Give each render (the moment its answer came) to a purge it may have
    followed, preferring the latest purge no render has been given yet.

    A render answered at t read its ticket before t, at most `window` before:
    it may belong to the latest purge before t, or to an earlier one if the
    purge after that came later than t - window. A render that finds every
    such purge taken is a second render for one purge.
    """
    moments = sorted(purges)
    taken = [0] * len(moments)
    unpurged = 0
    for answered in sorted(renders):
        latest = bisect.bisect_right(moments, answered) - 1
        if latest < 0:
            unpurged += 1
            continue
        chosen = latest
        candidate = latest
        while candidate >= 0:
            if taken[candidate] == 0:
                chosen = candidate
                break
            if candidate == 0 or moments[candidate] <= answered - window:
                break
            candidate -= 1
        taken[chosen] += 1
    return Attribution(
        purges=len(moments),
        renders=len(renders),
        most=max(taken, default=0),
        doubled=sum(1 for count in taken if count > 1),
        unpurged=unpurged,
    )


def stalls(
    buckets: Mapping[int, int], fraction: float
) -> tuple[list[tuple[int, int]], float]:
    """Runs of buckets with under `fraction` of the median bucket's answers
    (first and last bucket numbers; a gap of one good bucket joins two runs),
    and that median. The first and last buckets, partly outside the load,
    are left out."""
    if len(buckets) < 3:
        return [], float("nan")
    first, last = min(buckets) + 1, max(buckets) - 1
    counts = [buckets.get(number, 0) for number in range(first, last + 1)]
    median = common.median(counts)
    runs: list[list[int]] = []
    for number, count in zip(range(first, last + 1), counts, strict=True):
        if count >= fraction * median:
            continue
        if runs and number - runs[-1][1] <= 2:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return [(a, b) for a, b in runs], median


class PurgeWatch:
    """The moments of purges of some paths, read from the page cache's
    shared counters (the ones every server process reads) while they run."""

    def __init__(self, counters: Path, paths: Sequence[str]) -> None:
        from wiesci.core.pagecache.counters import SharedCounters

        self.counters = SharedCounters(counters)
        self.slot_of = {path: SharedCounters.slot(path) for path in paths}
        self.generation: list[float] = []
        self.by_slot: dict[int, list[float]] = defaultdict(list)
        self.coalesced = 0  # purges seen only as a count: moment approximate
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, deadline: float) -> None:
        self._thread = threading.Thread(
            target=self._watch, args=(deadline,), name="flood-purges", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _watch(self, deadline: float) -> None:
        slots = sorted(set(self.slot_of.values()))
        last_generation = self.counters.generation()
        last = {slot: self.counters.ticket(slot)[1] for slot in slots}
        while not self._stop.is_set() and time.time() < deadline:
            self.samples += 1
            generation = self.counters.generation()
            if generation != last_generation:
                moment = self.counters.purges(slots[0]).everything_at
                self._record(self.generation, generation - last_generation, moment)
                last_generation = generation
            for slot in slots:
                count = self.counters.ticket(slot)[1]
                if count != last[slot]:
                    moment = self.counters.purges(slot).path_at
                    self._record(self.by_slot[slot], count - last[slot], moment)
                    last[slot] = count
            self._stop.wait(SAMPLE_EVERY_S)

    def _record(self, moments: list[float], count: int, moment: float) -> None:
        # Two purges between samples show as one moment (the later one).
        moments.extend([moment] * max(1, count))
        self.coalesced += max(0, count - 1)

    def of(self, path: str) -> list[float]:
        return sorted(self.generation + self.by_slot.get(self.slot_of[path], []))


# --- The bench process: readers, commenters, the report -----------------------


@dataclass
class Kind:
    """One kind of page and the wrk that loads it."""

    key: str
    label: str
    paths: list[str]
    connections: int
    conditional: bool = False  # sends If-None-Match
    leg: str = "flood"  # or "reference": the readers alone
    process: subprocess.Popen[bytes] | None = None
    stats: dict[str, float] = field(default_factory=dict)
    renders: list[tuple[float, str, int, str]] = field(default_factory=list)
    buckets: Counter[int] = field(default_factory=Counter)  # answers per bucket
    output: str = ""

    def start(self, wrk: str, port: int, tmp: Path, seconds: int) -> None:
        folder = tmp / f"wrk-{self.leg}"
        folder.mkdir(exist_ok=True)
        listing = folder / f"{self.key}.paths"
        listing.write_text("\n".join(self.paths) + "\n", encoding="utf-8")
        env = {
            **os.environ,
            "FLOOD_KIND": self.key,
            "FLOOD_PATHS": str(listing),
            "FLOOD_ETAG": "1" if self.conditional else "0",
            "FLOOD_OUT": str(folder / f"{self.key}.renders"),
            "FLOOD_EVENTS": str(EVENTS_PER_THREAD),
            "FLOOD_BUCKET": str(BUCKET_S),
            "FLOOD_THREAD_CONNECTIONS": str(self.connections),
        }
        with (folder / f"{self.key}.out").open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - wrk, our script
                [
                    wrk,
                    "-t1",
                    f"-c{self.connections}",
                    f"-d{seconds}s",
                    f"--timeout={WRK_TIMEOUT_S}s",
                    "-s",
                    str(LUA),
                    f"http://127.0.0.1:{port}{self.paths[0]}",
                ],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def finish(self, tmp: Path, timeout: float) -> None:
        folder = tmp / f"wrk-{self.leg}"
        if self.process is not None:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                bench_http._stop(self.process, signal.SIGINT)
        self.output = (folder / f"{self.key}.out").read_text(errors="replace")
        for line in self.output.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[0] == "flood" and parts[1] != "kind":
                with contextlib.suppress(ValueError):
                    self.stats[parts[1]] = float(parts[2])
        for name in sorted(folder.glob(f"{self.key}.renders.*")):
            for line in name.read_text(errors="replace").splitlines():
                parts = line.split("\t")
                if len(parts) == 3 and parts[0] == "bucket":
                    self.buckets[int(parts[1])] += int(parts[2])
                elif len(parts) == 4:
                    with contextlib.suppress(ValueError):
                        self.renders.append(
                            (float(parts[0]), parts[1], int(parts[2]), parts[3])
                        )

    @property
    def parsed(self) -> bool:
        return "requests" in self.stats

    def stat(self, name: str) -> float:
        return self.stats.get(name, float("nan"))

    @property
    def rps(self) -> float:
        return self.stat("requests") / (self.stat("duration_us") / 1e6)

    def latency(self, name: str) -> float:
        return self.stat(name) / 1e6

    @property
    def socket_errors(self) -> int:
        return sum(
            int(self.stats.get(f"error_{n}", 0))
            for n in ("connect", "read", "write", "timeout")
        )

    @property
    def errors(self) -> int:
        return self.socket_errors + int(self.stats.get("error_status", 0))


@dataclass
class Post:
    """One reader's comment and the page the redirect led to."""

    sent_at: float
    status: int | None = None
    location: str = ""
    latency: float = float("nan")
    page_status: int | None = None
    page_latency: float = float("nan")
    error: str = ""

    @property
    def acknowledged(self) -> bool:
        return self.status == 302 and ANCHOR.search(self.location) is not None


def _comment(port: int, setup: dict[str, Any], number: int) -> Post:
    """Reader `number % READERS` posts comment `number`, then loads the page."""
    sessions: list[str] = setup["sessions"]
    session = sessions[number % len(sessions)]
    csrf = _csrf_secret()
    body = urlencode(
        {
            "body": f"{SENTENCES[number % len(SENTENCES)]} (Komentarz nr "
            f"{number + 1} w czasie powodzi.)",
            "token": f"powodz-{number + 1}-{secrets.token_hex(8)}",
            "csrfmiddlewaretoken": csrf,
        }
    ).encode("ascii")
    cookie = f"{setup['session_cookie']}={session}; {setup['csrf_cookie']}={csrf}"
    post = Post(sent_at=time.time())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
    try:
        started = time.perf_counter()
        conn.request(
            "POST",
            setup["comment_path"],
            body=body,
            headers={
                "Host": f"127.0.0.1:{port}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
            },
        )
        response = conn.getresponse()
        response.read()
        post.latency = time.perf_counter() - started
        post.status = response.status
        post.location = response.getheader("Location", "") or ""
        if post.status == 302 and post.location:
            target = urlsplit(post.location)
            started = time.perf_counter()
            conn.request(
                "GET",
                target.path + (f"?{target.query}" if target.query else ""),
                headers={"Host": f"127.0.0.1:{port}", "Cookie": cookie},
            )
            page = conn.getresponse()
            page.read()
            post.page_latency = time.perf_counter() - started
            post.page_status = page.status
    except (OSError, http.client.HTTPException) as error:
        post.error = f"{type(error).__name__}: {error}"[:200]
    finally:
        conn.close()
    return post


def _commenters(
    port: int, setup: dict[str, Any], start_at: float, posts: list[Post]
) -> None:
    """A comment every COMMENT_EVERY_S for the load's length, in turn by reader."""
    count = int((SECONDS - COMMENT_FIRST_S) / COMMENT_EVERY_S)
    for number in range(count):
        due = start_at + COMMENT_FIRST_S + number * COMMENT_EVERY_S
        time.sleep(max(0.0, min(COMMENT_EVERY_S * 2, due - time.time())))
        if time.time() > start_at + SECONDS:
            break
        posts.append(_comment(port, setup, number))


def _start_worker(
    args: list[str], env: dict[str, str], log: Path
) -> tuple[subprocess.Popen[bytes], Path]:
    """Start `python -m bench.flood args…`; its output goes to a file."""
    out = log.with_suffix(".out")
    with out.open("wb") as stdout, log.open("wb") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", MODULE, *args],
            cwd=common.ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    return process, out


def _worker_result(
    started: tuple[subprocess.Popen[bytes], Path], log: Path, timeout: float
) -> dict[str, Any]:
    process, out = started
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        bench_http._stop(process, signal.SIGTERM)
        raise RuntimeError(f"{MODULE} editor took over {timeout:.0f} s") from None
    lines = out.read_text(errors="replace").strip().splitlines()
    if process.returncode != 0 or not lines:
        raise RuntimeError(
            f"{MODULE} editor failed ({process.returncode}):\n"
            + log.read_text(errors="replace")[-3000:]
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _prepare_data(
    env: dict[str, str], data_dir: Path
) -> tuple[dict[str, Any], dict[str, float]]:
    """The 5,000-article demo, as bench/http.py makes it."""
    timings: dict[str, float] = {}
    timings["migrate"] = common.run_command(
        [*common.wiesci_command(), "migrate", "--no-input"],
        env,
        "wiesci migrate",
        timeout=bench_http.COMMAND_TIMEOUT_S,
    )
    timings["demo"] = common.run_command(
        [
            *common.wiesci_command(),
            *("demo", "--no-serve", "--photo-width", str(bench_http.PHOTO_WIDTH)),
        ],
        env,
        "wiesci demo",
        timeout=bench_http.COMMAND_TIMEOUT_S,
    )
    prepared = common.run_worker(
        bench_http.MODULE,
        ["prepare", str(data_dir), "--articles", str(bench_http.ARTICLES)],
        env=env,
        timeout=bench_http.COMMAND_TIMEOUT_S,
    )
    timings["grow"] = prepared["seconds"]
    return prepared, timings


def _kinds(setup: dict[str, Any], leg: str) -> list[Kind]:
    """The page kinds readers ask for, with their shares of the connections."""
    return [
        Kind(
            "live",
            "live story page",
            [setup["article_path"]],
            CONNECTIONS["live"],
            leg=leg,
        ),
        Kind("home", "home page", ["/"], CONNECTIONS["home"], leg=leg),
        Kind(
            "recent",
            f"recent stories ({len(setup['recent_paths'])}, at random)",
            setup["recent_paths"],
            CONNECTIONS["recent"],
            leg=leg,
        ),
        Kind(
            "poll",
            "live poll, If-None-Match",
            [setup["poll_path"]],
            CONNECTIONS["poll"],
            conditional=True,
            leg=leg,
        ),
    ]


def _load(kinds: Sequence[Kind], wrk: str, port: int, tmp: Path, seconds: int) -> None:
    """Run one wrk per kind, all at once, for `seconds`."""
    for kind in kinds:
        kind.start(wrk, port, tmp, seconds)
    for kind in kinds:
        kind.finish(tmp, timeout=seconds + 60)


def _warm(port: int, paths: Sequence[str]) -> list[str]:
    """Fetch each page twice; the second answer must be a page-cache hit."""
    problems = []
    for path in paths:
        bench_http.fetch(port, path)
        answer = bench_http.fetch(port, path)
        if answer.status != 200 or answer.headers.get("x-cache") != "HIT":
            problems.append(
                f"{path} before the load: {answer.status}, X-Cache "
                f"{answer.headers.get('x-cache', 'none')}"
            )
    return problems


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    wrk, _nginx = bench_http.ensure_tools()
    problems: list[str] = []
    notes: list[str] = []
    others = _other_benchmarks()
    if others:
        notes.append(f"Other benchmark processes were running: {'; '.join(others)}.")
    with tempfile.TemporaryDirectory(prefix="wiesci-bench-flood-") as name:
        tmp = Path(name)
        data_dir = tmp / "data"
        env = common.product_env({"WIESCI_DATA_DIR": str(data_dir)})
        prepared, timings = _prepare_data(env, data_dir)
        setup = common.run_worker(
            MODULE,
            ["setup", str(data_dir), "--readers", str(READERS)],
            env=env,
            timeout=WORKER_TIMEOUT_S,
        )
        common.say(
            f"Data: {prepared['published']} published articles "
            f"({sum(timings.values()):.0f} s); live coverage of "
            f"{setup['article_path']}"
        )
        kinds = _kinds(setup, "flood")
        reference = _kinds(setup, "reference")
        paths = [path for kind in kinds for path in kind.paths]
        server = bench_http.Server("wiesci serve", env=env, log_path=tmp / "server.log")
        posts: list[Post] = []
        editor_log = tmp / "editor.log"
        editor: dict[str, Any] = {}
        cpu = (0.0, 0.0)
        start_at = 0.0
        try:
            server.start(bench_http._serve_command, common.ROOT)
            problems += _warm(server.port, paths)
            # The readers alone first: the same connections, pages all cached.
            _load(reference, wrk, server.port, tmp, REFERENCE_SECONDS)
            server.wait_idle()
            problems += _warm(server.port, paths)
            watch = PurgeWatch(data_dir / "pagecache" / "counters", paths)
            start_at = time.time() + START_DELAY_S
            watch.start(deadline=start_at + SECONDS + 30)
            editor_process = _start_worker(
                [
                    *("editor", str(data_dir), "--port", str(server.port)),
                    *("--article", str(setup["article_id"])),
                    *("--start-at", f"{start_at:.3f}", "--seconds", str(SECONDS)),
                ],
                env,
                editor_log,
            )
            commenters = threading.Thread(
                target=_commenters,
                args=(server.port, setup, start_at, posts),
                name="flood-commenters",
                daemon=True,
            )
            time.sleep(max(0.0, start_at - time.time()))
            cpu_before = server.cpu_seconds()
            load_started = time.time()
            for kind in kinds:
                kind.start(wrk, server.port, tmp, SECONDS)
            commenters.start()
            for kind in kinds:
                kind.finish(tmp, timeout=SECONDS + 60)
            load_seconds = time.time() - load_started
            cpu = (server.cpu_seconds() - cpu_before, load_seconds)
            commenters.join(timeout=REQUEST_TIMEOUT_S * 3)
            editor = _worker_result(
                editor_process, editor_log, timeout=PROBE_BOUND_S + 60
            )
            watch.stop()
            if not server.alive():
                problems.append("the wiesci server exited during the load")
        finally:
            server.stop()
        log_lines = bench_http._server_log_problems(server.log_text())
    machine.finish()
    after = [o for o in _other_benchmarks() if o not in others]
    if after:
        notes.append(
            f"Other benchmark processes started meanwhile: {'; '.join(after)}."
        )
    machine.versions = bench_http._versions(wrk, _nginx, prepared["database"])
    machine.versions.pop("nginx", None)
    report = Report(
        machine=machine,
        prepared=prepared,
        setup=setup,
        timings=timings,
        kinds=kinds,
        reference=reference,
        posts=posts,
        editor=editor,
        watch=watch,
        cpu=cpu,
        start_at=start_at,
        problems=problems,
        log_lines=log_lines[:LOG_EXCERPT_LINES],
        notes=notes,
        seconds=time.monotonic() - started,
    )
    return common.SectionResult(
        "flood", report.console(), report.markdown(), ok=report.ok
    )


def _other_benchmarks() -> list[str]:
    """Other `bench` processes on this machine (they would share its cores)."""
    found = []
    own = {os.getpid(), os.getppid()}
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            pid = int(cmdline.parent.name)
            words = cmdline.read_bytes().split(b"\0")
        except (OSError, ValueError):
            continue
        text = " ".join(w.decode(errors="replace") for w in words if w)
        if pid not in own and "-m bench" in text and "bench.flood" not in text:
            found.append(f"{pid} {text[:120]}")
    return found


def _lag(event: dict[str, Any], name: str) -> float:
    seen = event["seen"].get(name)
    return float("inf") if seen is None else seen - event["committed_at"]


def _ms(value: float) -> str:
    if value != value:
        return "–"
    if value == float("inf"):
        return f"> {PROBE_BOUND_S:.0f} s"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    return common.seconds(value)


@dataclass
class Report:
    machine: common.Machine
    prepared: dict[str, Any]
    setup: dict[str, Any]
    timings: dict[str, float]
    kinds: list[Kind]
    reference: list[Kind]
    posts: list[Post]
    editor: dict[str, Any]
    watch: PurgeWatch
    cpu: tuple[float, float]  # server CPU seconds, load seconds
    start_at: float  # the load's first second, Unix time
    problems: list[str]
    log_lines: list[str]
    notes: list[str]
    seconds: float

    # --- what was measured

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.editor.get("events", []) if e["kind"] == kind]

    def lags(self, name: str) -> list[float]:
        return [_lag(e, name) for e in self.events("update")]

    def probe_answers(self) -> list[tuple[float, str, int, str]]:
        return [
            (float(t), str(p), int(s), str(c))
            for t, p, s, c in self.editor.get("answers", [])
        ]

    def renders_by_path(self) -> dict[str, list[float]]:
        """Moments of the answers that were renders: MISS, or no X-Cache."""
        found: dict[str, list[float]] = defaultdict(list)
        for kind in self.kinds:
            for moment, path, _status, _cache in kind.renders:
                found[path].append(moment)
        for moment, path, status, cache in self.probe_answers():
            if status and cache in ("MISS", "-"):
                found[path].append(moment)
        return found

    def attributions(self) -> list[tuple[Kind, Attribution, int]]:
        """Per kind: its pages' renders on their purges, and renders without
        X-Cache (answered outside the page cache)."""
        renders = self.renders_by_path()
        rows = []
        for kind in self.kinds:
            total = Attribution()
            for path in kind.paths:
                total.add(
                    attribute(
                        self.watch.of(path), renders.get(path, []), RENDER_WINDOW_S
                    )
                )
            uncached = sum(1 for r in kind.renders if r[3] == "-")
            uncached += sum(
                1
                for _t, p, s, c in self.probe_answers()
                if c == "-" and s and p in kind.paths
            )
            rows.append((kind, total, uncached))
        return rows

    @property
    def total_requests(self) -> int:
        return sum(int(k.stat("requests")) for k in self.kinds if k.parsed)

    @property
    def total_rps(self) -> float:
        return sum(k.rps for k in self.kinds if k.parsed)

    def five_xx(self) -> int:
        readers = sum(int(k.stats.get("s5xx", 0)) for k in self.kinds + self.reference)
        probes = sum(1 for a in self.probe_answers() if a[2] >= 500)
        posts = sum(
            1
            for p in self.posts
            if (p.status or 0) >= 500 or (p.page_status or 0) >= 500
        )
        return readers + probes + posts

    def errors(self) -> list[str]:
        found = []
        for kind in self.kinds + self.reference:
            if not kind.parsed:
                found.append(
                    f"{kind.label} ({kind.leg}): wrk gave no result: "
                    f"{kind.output[-300:]}"
                )
                continue
            if kind.errors:
                detail = ", ".join(
                    f"{n} {int(kind.stats.get('error_' + n, 0))}"
                    for n in ("connect", "read", "write", "timeout", "status")
                    if kind.stats.get("error_" + n)
                )
                found.append(
                    f"{kind.label} ({kind.leg}): {kind.errors} errors ({detail})"
                )
            other = int(kind.stats.get("s4xx", 0)) + int(kind.stats.get("s3xx", 0))
            if other:
                found.append(
                    f"{kind.label} ({kind.leg}): {other} answers 3xx/4xx (not 304)"
                )
        failed = [p for p in self.posts if not p.acknowledged or p.page_status != 200]
        if failed:
            counts = Counter(
                p.error.split(":")[0] or f"{p.status} {p.location[:40]}/{p.page_status}"
                for p in failed
            )
            found.append(
                f"comments: {len(failed)} of {len(self.posts)} not acknowledged "
                f"or their page not 200 ("
                + ", ".join(f"{k}×{v}" for k, v in counts.most_common(4))
                + ")"
            )
        probe_errors = [a for a in self.probe_answers() if a[2] != 200]
        if probe_errors:
            found.append(f"probes: {len(probe_errors)} answers not 200")
        if self.log_lines:
            found.append(f"{len(self.log_lines)} error line(s) in the server log")
        return found

    def writes(self) -> list[tuple[float, str]]:
        """The editor's commits and the comments' sending, by moment."""
        found = [
            (
                float(e["committed_at"]),
                f"update {e['number']}"
                if e["kind"] == "update"
                else f"new story {e['number']}",
            )
            for e in self.editor.get("events", [])
        ]
        found += [(p.sent_at, "comment") for p in self.posts]
        return sorted(found)

    def stall_windows(self) -> tuple[list[tuple[float, float]], float]:
        """Stalls as (start, end) Unix times, and the median answers/s."""
        totals: Counter[int] = Counter()
        for kind in self.kinds:
            totals.update(kind.buckets)
        runs, median = stalls(totals, STALL_FRACTION)
        windows = [(a * BUCKET_S, (b + 1) * BUCKET_S) for a, b in runs]
        return windows, median / BUCKET_S

    def storms(self) -> list[tuple[str, int, float]]:
        """After each new story (a new generation: every page and fragment
        renders again), how many pages rendered, and how long from its commit
        until the last of them was answered (each page's first render)."""
        found = []
        renders = self.renders_by_path()
        for event in self.events("publish"):
            committed = float(event["committed_at"])
            firsts = [
                min(following)
                for times in renders.values()
                if (
                    following := [
                        t for t in times if committed <= t < committed + PROBE_BOUND_S
                    ]
                )
            ]
            after = max(firsts) - committed if firsts else float("nan")
            found.append((f"new story {event['number']}", len(firsts), after))
        return found

    def stall_text(self) -> str:
        windows, rate = self.stall_windows()
        total = sum(b - a for a, b in windows)
        published = [float(e["committed_at"]) for e in self.events("publish")]
        after_story = sum(
            b - a
            for a, b in windows
            if any(a - STORY_STALL_S <= t <= b for t in published)
        )
        text = (
            f"Stalls (0.1 s spans in which all readers together got under "
            f"{STALL_FRACTION:.0%} of the median {rate:,.0f} answers/s): "
            f"{len(windows)}, {total:.1f} s in all ({total / SECONDS:.1%} of "
            f"the load), {after_story:.1f} s of it beginning within "
            f"{STORY_STALL_S:.0f} s of a new story's commit"
        )
        start = self.start_at
        longest = sorted(windows, key=lambda w: w[0] - w[1])[:3]
        if longest:
            parts = []
            for a, b in sorted(longest):
                before = [
                    f"{name} at {t - start:.1f} s"
                    for t, name in self.writes()
                    if a - 2.0 <= t <= b and name != "comment"
                ]
                parts.append(
                    f"{a - start:.1f}–{b - start:.1f} s"
                    + (f" (after {', '.join(before)})" if before else "")
                )
            text += "; the longest: " + "; ".join(parts)
        storms = self.storms()
        if storms:
            text += (
                ". After each new story (a new generation: every page and "
                "fragment renders again): "
                + "; ".join(
                    f"{name}: {count} pages rendered, the last answered "
                    f"{_ms(after)} after its commit"
                    for name, count, after in storms
                )
            )
        return text

    # --- the goals

    def p99_met(self) -> bool:
        return all(k.parsed and k.latency("p99_us") < GOAL_P99_S for k in self.kinds)

    def renders_met(self) -> bool:
        return all(a.most <= GOAL_RENDERS for _k, a, _u in self.attributions())

    def lag_p99(self) -> float:
        lags = self.lags("poll") + self.lags("page")
        return _percentile(lags, 0.99)

    def lag_met(self) -> bool:
        return bool(self.events("update")) and self.lag_p99() <= GOAL_LAG_S

    def errors_met(self) -> bool:
        return not self.errors() and self.five_xx() == 0

    @property
    def ok(self) -> bool:
        return (
            self.errors_met()
            and self.p99_met()
            and self.renders_met()
            and self.lag_met()
            and not self.problems
        )

    # --- tables

    def load_rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [
            "page kind",
            "connections",
            "requests",
            "req/s",
            "p50",
            "p99",
            "max",
            "HIT / STALE / MISS / 304",
            "errors",
            "5xx",
        ]
        rows = []
        for k in self.kinds:
            s = k.stats
            rows.append(
                [
                    k.label,
                    str(k.connections),
                    f"{int(k.stat('requests')):,}" if k.parsed else "–",
                    f"{k.rps:,.0f}" if k.parsed else "–",
                    _ms(k.latency("p50_us")),
                    _ms(k.latency("p99_us")),
                    _ms(k.latency("max_us")),
                    " / ".join(
                        f"{int(s.get(n, 0)):,}"
                        for n in ("hit", "stale", "miss", "s304")
                    ),
                    str(k.errors),
                    str(int(s.get("s5xx", 0))),
                ]
            )
        rows.append(
            [
                "all readers",
                str(sum(k.connections for k in self.kinds)),
                f"{self.total_requests:,}",
                f"{self.total_rps:,.0f}",
                *[""] * 6,
            ]
        )
        posted = [p.latency for p in self.posts if p.latency == p.latency]
        pages = [p.page_latency for p in self.posts if p.page_latency == p.page_latency]
        for label, values, statuses in (
            (
                "comment POST, logged in (information)",
                posted,
                [p.status for p in self.posts],
            ),
            (
                "article page after posting, logged in (information)",
                pages,
                [p.page_status for p in self.posts],
            ),
        ):
            rows.append(
                [
                    label,
                    "1",
                    str(len(values)),
                    f"{len(values) / SECONDS:.1f}",
                    _ms(_percentile(values, 0.5)),
                    _ms(_percentile(values, 0.99)),
                    _ms(max(values, default=float("nan"))),
                    "",
                    str(sum(1 for s in statuses if s is None)),
                    str(sum(1 for s in statuses if (s or 0) >= 500)),
                ]
            )
        return headers, rows

    def reference_rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [
            "page kind",
            "req/s alone",
            "p50 alone",
            "p99 alone",
            "max alone",
            "errors alone",
            "p99 in the flood ÷ alone",
        ]
        rows = []
        for alone, flood in zip(self.reference, self.kinds, strict=True):
            rows.append(
                [
                    alone.label,
                    f"{alone.rps:,.0f}" if alone.parsed else "–",
                    _ms(alone.latency("p50_us")),
                    _ms(alone.latency("p99_us")),
                    _ms(alone.latency("max_us")),
                    str(alone.errors),
                    common.ratio(flood.latency("p99_us") / alone.latency("p99_us")),
                ]
            )
        rows.append(
            [
                "all readers",
                f"{sum(k.rps for k in self.reference if k.parsed):,.0f}",
                *[""] * 5,
            ]
        )
        return headers, rows

    def render_rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [
            "page kind",
            "purges",
            "renders",
            "renders ÷ purges",
            "most for one purge",
            "purges with 2+ renders",
            "renders before any purge",
            "answers without X-Cache",
        ]
        rows = []
        for kind, a, uncached in self.attributions():
            rows.append(
                [
                    kind.label,
                    str(a.purges),
                    str(a.renders),
                    f"{a.renders / a.purges:.2f}" if a.purges else "–",
                    str(a.most),
                    str(a.doubled),
                    str(a.unpurged),
                    str(uncached),
                ]
            )
        return headers, rows

    def lag_rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [
            "write",
            "committed (s into the load)",
            "poll",
            "article page",
            "home page",
        ]
        start = self.start_at
        rows = []
        for event in self.editor.get("events", []):
            update = event["kind"] == "update"
            rows.append(
                [
                    f"update {event['number']}"
                    if update
                    else f"new story {event['number']}",
                    f"{event['committed_at'] - start:.1f}",
                    _ms(_lag(event, "poll")) if update else "",
                    _ms(_lag(event, "page")) if update else "",
                    "" if update else _ms(_lag(event, "home")),
                ]
            )
        poll, page = self.lags("poll"), self.lags("page")
        home = [_lag(e, "home") for e in self.events("publish")]
        for label, fraction in (("p50", 0.5), ("p99", 0.99)):
            rows.append(
                [
                    label,
                    "",
                    _ms(_percentile(poll, fraction)),
                    _ms(_percentile(page, fraction)),
                    _ms(_percentile(home, fraction)),
                ]
            )
        return headers, rows

    # --- text

    def verdict(self) -> str:
        def met(flag: bool) -> str:
            return "met" if flag else "NOT met"

        worst = max(
            (k for k in self.kinds if k.parsed),
            key=lambda k: k.latency("p99_us"),
            default=None,
        )
        most = max((a.most for _k, a, _u in self.attributions()), default=0)
        errors = self.errors()
        text = (
            f"Errors and 5xx: {sum(k.errors for k in self.kinds)} reader errors, "
            f"{self.five_xx()} 5xx (goal 0: {met(self.errors_met())}). p99: worst "
            f"{_ms(worst.latency('p99_us')) if worst else '–'} "
            f"({worst.label + ', ' if worst else ''}"
            f"{worst.latency('p99_us') / GOAL_P99_S if worst else float('nan'):.1f}"
            f"× the goal; goal < {GOAL_P99_S * 1000:.0f} ms "
            f"for every page kind: {met(self.p99_met())}). Renders: at most "
            f"{most} for one purge of one page, both server processes together "
            f"(goal ≤ {GOAL_RENDERS} per process: {met(self.renders_met())}). "
            f"Freshness: p99 lag {_ms(self.lag_p99())} over "
            f"{len(self.events('update'))} updates, poll and page (goal ≤ "
            f"{GOAL_LAG_S:.0f} s: {met(self.lag_met())})"
        )
        if errors:
            text += " — " + "; ".join(errors)
        if self.problems:
            text += " — problems: " + "; ".join(self.problems)
        return text

    def method(self) -> str:
        p, s = self.prepared, self.setup
        server_cpu, wall = self.cpu
        share = server_cpu / wall / self.machine.cores if wall else float("nan")
        kinds = "; ".join(f"{k.label}: {k.connections} connections" for k in self.kinds)
        return (
            f"The data as bench/http.py makes it: {p['published']:,} published "
            f"articles ({sum(self.timings.values()):.0f} s). A worker started "
            f"live coverage of the newest story with comments open, "
            f"`{s['article_path']}`, with {s['updates']} updates, as an "
            f"operator's command (`services.start_coverage`, `add_update`, "
            f"`by=COMMAND`), made {len(s['sessions'])} readers (30 days old, "
            f"verified address, logged-in session) and set every comment to "
            f"show at once. The server: `wiesci serve --workers "
            f"{bench_http.SERVER_WORKERS} --no-worker` (granian, 2 threads per "
            f"process, SQLite, file caches; nothing here queues a task), every "
            f"page fetched twice beforehand. The readers, for {SECONDS} s: one "
            f"`wrk -t1 --timeout={WRK_TIMEOUT_S}s -s bench/flood.lua` per page "
            f"kind, all at once ({kinds}), each connection asking again as "
            f"soon as it has its answer, no Accept-Encoding. One wrk per kind "
            f"because wrk's Lua `request()` is not told which connection it "
            f"builds for, so a single wrk cannot time its requests by kind; this "
            f"way each kind's p50 and p99 are wrk's own histogram. The "
            f"reference: the same readers alone for {REFERENCE_SECONDS} s just "
            f"before, with no writes (every answer from the page cache). The poll "
            f"sends the ETag of its last answer in If-None-Match (after a "
            f"change, one request per connection still carries the former one, "
            f"as each open page would). At the same time: an editor process "
            f"adds a live update every {UPDATE_EVERY_S:.0f} s from "
            f"{UPDATE_FIRST_S:.0f} s and publishes a new story every "
            f"{PUBLISH_EVERY_S:.0f} s from {PUBLISH_FIRST_S:.0f} s, through the "
            f"services (`add_update`, `save_article` + `publish_article`, "
            f"`by=COMMAND`); a thread posts a comment under the live story "
            f"every {COMMENT_EVERY_S:.0f} s with one of the readers' sessions "
            f"in turn (`POST {s['comment_path']}`) and loads the page the "
            f"redirect names with that session, as a browser would. Freshness: "
            f"the moment of commit is the transaction's first on-commit "
            f"callback; from then the editor asks for the poll and the article "
            f"page anonymously every {PROBE_EVERY_S * 1000:.0f} ms until the "
            f"update's text shows (for a new story, the home page until its "
            f"title shows); the lag runs to the moment that answer was read, "
            f"at most {PROBE_BOUND_S:.0f} s. Renders: every answer with "
            f"`X-Cache: MISS` or none (wrk's Lua writes its moment; the probe's "
            f"answers count too); purges: the page cache's shared counters (the "
            f"generation and each page's count), read every "
            f"{SAMPLE_EVERY_S * 1000:.0f} ms. Each render goes to the latest "
            f"purge of its page no render has been given yet, among those it "
            f"may have followed (a render answered at t read its ticket at most "
            f"{RENDER_WINDOW_S:.0f} s before); one that finds none free is a "
            f"second render for a purge. Both server processes share one store "
            f"and one claim per page, so the count is per store, which bounds "
            f"the count per process. p99 of {len(self.events('update'))} lags "
            f"is their maximum. The server's processes used "
            f"{server_cpu:.0f} CPU s in the {wall:.0f} s of load "
            f"({share:.0%} of the {self.machine.cores} cores; wrk, the editor "
            f"and the commenters had the rest). {self.watch.coalesced} purges "
            f"came two to a sample, their moments approximate."
        )

    def console(self) -> str:
        return "\n".join(
            [
                f"Flood: {sum(k.connections for k in self.kinds)} readers for "
                f"{SECONDS} s, an update every {UPDATE_EVERY_S:.0f} s, a story "
                f"every {PUBLISH_EVERY_S:.0f} s, a comment every "
                f"{COMMENT_EVERY_S:.0f} s; wiesci serve --workers "
                f"{bench_http.SERVER_WORKERS}.",
                "",
                common.text_table(*self.load_rows()),
                "",
                "The readers alone, before the flood:",
                common.text_table(*self.reference_rows()),
                "",
                common.text_table(*self.render_rows()),
                "",
                common.text_table(*self.lag_rows()),
                "",
                self.verdict() + ".",
                "",
                self.stall_text() + ".",
                "",
                common.text_table(["Machine", ""], self.machine.rows(), left=2),
                *(
                    ["", "Server log lines reporting errors:", *self.log_lines]
                    if self.log_lines
                    else ["", "Server log: no errors."]
                ),
                *(f"NOTE: {note}" for note in self.notes),
            ]
        )

    def markdown(self) -> str:
        log_block = (
            "Server log lines that report errors (distinct, time stamps dropped):"
            "\n\n```\n" + "\n".join(self.log_lines) + "\n```\n"
            if self.log_lines
            else "The server log reports no errors.\n"
        )
        notes = "".join(f"\n**Note:** {note}\n" for note in self.notes)
        return f"""\
## The flood scenario

Measured by `bench/flood.py` ({self.seconds:.0f} s). The promise: on this
2-core machine, with the 5,000-article demo, at least 256 readers on the
live story, the home page, recent stories and the live poll while an editor
adds a live update every 10 s and publishes a story every minute and
logged-in readers post a comment every second: 0 errors and 0 5xx, p99 under
{GOAL_P99_S * 1000:.0f} ms for every page kind, at most {GOAL_RENDERS}
render per page per purge per server process, and every update in an
anonymous answer within {GOAL_LAG_S:.0f} s of its commit (p99 of the lag).

Method: {self.method()}

{common.markdown_table(*self.load_rows())}

The same readers alone, for {REFERENCE_SECONDS} s before the flood (the
reference: no writes, no purges, every answer from the page cache):

{common.markdown_table(*self.reference_rows())}

**{self.verdict()}.**

{self.stall_text()}.

Renders per purge (a page's purges: its own and every new generation):

{common.markdown_table(*self.render_rows())}

Freshness lag, from commit to the first anonymous answer showing it:

{common.markdown_table(*self.lag_rows())}

{log_block}
{common.markdown_table(["Machine", ""], self.machine.rows(), left=2)}
{notes}"""


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
