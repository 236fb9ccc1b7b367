"""Page delivery under HTTP load: wiesci serve against nginx serving a file.

The product's promise: on a 2-core machine, with a demo database of 5,000
articles and `wiesci serve --workers 2`, the cached article page answers at no
less than half the requests/s of nginx serving the same bytes from a file, in
the same run; the uncached article page at no less than 300 requests/s; no
errors and no 5xx.

The data: `wiesci migrate` and `wiesci demo --no-serve` in a fresh data
directory, then a worker process (`python -m bench.http prepare DATA_DIR`)
grows it through the ORM to 5,000 published articles: copies of the demo's
articles with their filing and galleries (rows pointing at the demo's photos),
published over the two years before the demo's oldest story, so the demo's
own stories stay on top. Then `wiesci serve --workers 2 --no-worker` starts on
that directory, the pages are warmed, nginx (2 worker processes) serves the
article page's exact bytes from a file, and wrk loads each target in turn
with the same threads, connections and duration, the targets interleaved
round by round. "Uncached" requests carry an invalid session cookie, which
bypasses the page cache: Django renders the page afresh (its fragment caches
stay warm, as they are for any page-cache miss). Once the server has stopped,
a worker (`python -m bench.http queries DATA_DIR …`) counts each page's SQL
queries with Django's test client.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common
from wiesci.core import pagecache

MODULE = "bench.http"  # the workers: python -m bench.http COMMAND …
ARTICLES = 5000  # published articles in the database
KEY_STORY = "biblioteka-stawia-na-partnerow"  # the demo's article page, by slug
PHOTO_WIDTH = 480  # wiesci demo --photo-width: small photos, quick to make
SERVER_WORKERS = 2  # wiesci serve --workers; nginx worker_processes
BARE_THREADS = 4  # wiesci serve's default --threads, for the bare granian app
WRK_THREADS = 2
WRK_CONNECTIONS = 64
WRK_SECONDS = 10
WRK_TIMEOUT = 2  # wrk's default --timeout, seconds
WARMUP_SECONDS = 2  # before each measured run, not recorded
ROUNDS = 3
GOAL_RATIO = 0.5  # cached article ÷ nginx, requests/s
GOAL_UNCACHED = 300.0  # uncached article, requests/s
UNCACHED_COOKIE = "bench"  # an invalid session key
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 20.0
IDLE_TIMEOUT_S = 30.0  # at most this long for the server to finish a run's work
IDLE_INTERVAL_S = 0.5
IDLE_CPU_FRACTION = 0.05  # idle: under 5 % of one core over an interval
COMMAND_TIMEOUT_S = 300.0  # migrate, demo, the workers
WRK_TIMEOUT_S = WRK_SECONDS + 60.0
INSTALL_TIMEOUT_S = 600.0
BUDGET_S = 600.0  # no new round starts after this
LOG_EXCERPT_LINES = 12


# --- Workers: Django set up in a process of their own -------------------------


def _setup(data_dir: str) -> None:
    import django

    os.environ["WIESCI_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")
    django.setup()


def _free_slug(base: str, number: int, taken: set[str]) -> str:
    candidate = f"{base}-{number}"
    while candidate in taken:
        number += 1000
        candidate = f"{base}-{number}"
    taken.add(candidate)
    return candidate


def _prepare(data_dir: str, total: int) -> dict[str, Any]:
    """Grow the demo database to `total` published articles; report the pages."""
    _setup(data_dir)
    from datetime import timedelta

    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.utils import timezone

    from wiesci.articles.models import Article, ArticleSlug, GalleryItem
    from wiesci.core import pagecache

    started = time.perf_counter()
    now = timezone.now()
    Status = Article.Status
    demo = list(
        Article.objects.filter(status=Status.PUBLISHED, published_at__lte=now)
        .order_by("published_at", "pk")
        .prefetch_related(
            "tags", "places", "organisations", "authors", "labels", "videos"
        )
    )
    if not demo:
        raise RuntimeError("the demo database holds no published article")
    key = [a for a in demo if a.slug.startswith(KEY_STORY)]
    if not key:
        raise RuntimeError(f"no demo article whose slug starts with {KEY_STORY!r}")
    gallery: dict[int, list[tuple[int, int]]] = {}
    for item in GalleryItem.objects.order_by("article_id", "position", "pk"):
        gallery.setdefault(item.article_id, []).append((item.photo_id, item.position))
    taken = set(Article.objects.values_list("slug", flat=True))
    taken |= set(ArticleSlug.objects.values_list("slug", flat=True))
    oldest = min(a.published_at for a in demo if a.published_at is not None)
    latest_copy = oldest - timedelta(hours=1)
    earliest = now - timedelta(days=730)
    span = latest_copy - earliest
    existing = Article.objects.published().count()
    needed = max(0, total - existing)
    copies: list[tuple[Article, Article]] = []
    for n in range(needed):
        source = demo[n % len(demo)]
        number = n // len(demo) + 2  # the demo's own story is number 1
        title = f"{source.title} ({number})"
        copies.append(
            (
                source,
                Article(
                    title=title[:200],
                    slug=_free_slug(source.slug, number, taken),
                    lead=source.lead,
                    body=source.body,  # stored sanitised already
                    section_id=source.section_id,
                    part=source.part,
                    status=Status.PUBLISHED,
                    # Evenly over the two years, the newest first in `demo` order.
                    published_at=latest_copy - span * n / max(1, needed),
                    main_photo_id=source.main_photo_id,
                    is_sponsored=source.is_sponsored,
                    comments_open=source.comments_open,
                ),
            )
        )
    relations = ("tags", "places", "organisations", "authors", "labels", "videos")
    with transaction.atomic():
        made = Article.objects.bulk_create([c for _, c in copies], batch_size=500)
        for name in relations:
            through = getattr(Article, name).through
            column = getattr(Article, name).field.m2m_reverse_field_name() + "_id"
            rows = [
                through(article_id=copy.pk, **{column: related.pk})
                for (source, _), copy in zip(copies, made, strict=True)
                for related in getattr(source, name).all()
            ]
            through.objects.bulk_create(rows, batch_size=1000)
        GalleryItem.objects.bulk_create(
            [
                GalleryItem(article_id=copy.pk, photo_id=photo_id, position=position)
                for (source, _), copy in zip(copies, made, strict=True)
                for photo_id, position in gallery.get(source.pk, [])
            ],
            batch_size=1000,
        )
    # Bulk writes send no signals: forget anything stored before them.
    cache.clear()
    pagecache.purge_all()
    article = min(key, key=lambda a: len(a.slug))
    result = {
        "seconds": time.perf_counter() - started,
        "copied": len(made),
        "published": Article.objects.published().count(),
        "demo_articles": len(demo),
        "gallery_items": GalleryItem.objects.count(),
        "article_path": article.get_absolute_url(),
        "article_title": article.title,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "database": common.database_version(),
    }
    connection.close()
    return result


def _queries(data_dir: str, paths: list[str]) -> dict[str, Any]:
    """SQL queries per page: fragment caches cold, warm, and warm with the
    invalid session cookie the uncached load sends; bytes of the page."""
    _setup(data_dir)
    import gzip

    import brotli
    from django.conf import settings
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def count(path: str, **cookies: str) -> tuple[int, int, bytes]:
        client = Client(HTTP_HOST="127.0.0.1")
        for name, value in cookies.items():
            client.cookies[name] = value
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        return len(captured), response.status_code, response.content

    result: dict[str, Any] = {}
    for path in paths:
        cache.clear()
        cold, cold_status, body = count(path)
        warm, warm_status, _ = count(path)
        cookie, cookie_status, _ = count(
            path, **{settings.SESSION_COOKIE_NAME: UNCACHED_COOKIE}
        )
        result[path] = {
            "cold": cold,
            "warm": warm,
            "cookie": cookie,
            "statuses": [cold_status, warm_status, cookie_status],
            "identity": len(body),
            "gzip": len(
                gzip.compress(body, compresslevel=pagecache.GZIP_LEVEL, mtime=0)
            ),
            "br": len(brotli.compress(body, quality=pagecache.BROTLI_QUALITY)),
        }
    connection.close()
    return result


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("command", choices=["prepare", "queries"])
    parser.add_argument("data_dir")
    parser.add_argument("--articles", type=int, default=ARTICLES)
    parser.add_argument("--path", action="append", default=[])
    options = parser.parse_args(argv)
    if options.command == "prepare":
        result = _prepare(options.data_dir, options.articles)
    else:
        result = _queries(options.data_dir, options.path)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# --- Tools: wrk and nginx -------------------------------------------------------


def _find(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin"):
        candidate = Path(folder) / name
        if candidate.exists() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def _apt_install(apt: str, packages: list[str]) -> str:
    """Install Debian packages; return apt's complaint, or "" on success."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = [apt, "install", "-y", "-qq", "--no-install-recommends"]
    completed = subprocess.run(  # noqa: S603 - fixed Debian package names
        [*command, *packages],
        env=env,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )
    if completed.returncode == 0:
        return ""
    return (completed.stderr or completed.stdout).strip()[-800:]


def ensure_tools() -> tuple[str, str]:
    """Paths of wrk and nginx, installed from Debian when missing."""
    wrk, nginx = _find("wrk"), _find("nginx")
    if wrk and nginx:
        return wrk, nginx
    missing = [name for name, path in (("wrk", wrk), ("nginx", nginx)) if not path]
    apt = shutil.which("apt-get")
    if os.geteuid() != 0 or not apt:
        raise RuntimeError(
            f"{' and '.join(missing)} not installed, and this process cannot "
            "install Debian packages (it needs root and apt-get); install them: "
            "apt-get install --no-install-recommends wrk nginx-light"
        )
    common.say(f"Installing {', '.join(missing)} from Debian…")
    subprocess.run(  # noqa: S603 - apt's own command
        [apt, "update", "-qq"],
        capture_output=True,
        timeout=INSTALL_TIMEOUT_S,
        check=False,
    )
    packages = ["nginx-light" if name == "nginx" else name for name in missing]
    problem = _apt_install(apt, packages)
    if problem and "nginx-light" in packages:  # not in every Debian release
        packages = ["nginx" if p == "nginx-light" else p for p in packages]
        problem = _apt_install(apt, packages)
    wrk, nginx = _find("wrk"), _find("nginx")
    if not (wrk and nginx):
        raise RuntimeError(
            f"could not install {' '.join(packages)}: {problem or 'not found after'}"
        )
    return wrk, nginx


def _tool_version(command: list[str], pattern: str) -> str:
    try:
        completed = subprocess.run(  # noqa: S603 - the tools found above
            command, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    found = re.search(pattern, completed.stdout + completed.stderr)
    return found.group(1) if found else "?"


# --- The bench process: servers and load ---------------------------------------


def _serve_command(port: int) -> list[str]:
    return [
        *common.wiesci_command(),
        *("serve", "--port", str(port)),
        *("--workers", str(SERVER_WORKERS), "--no-worker"),
    ]


BARE_APP = """\
\"\"\"A bare WSGI app: every request gets the same saved page (bench/http.py).\"\"\"

import json
from pathlib import Path

HERE = Path(__file__).parent
BODY = (HERE / "page.html").read_bytes()
HEADERS = [(str(k), str(v)) for k, v in json.loads((HERE / "headers.json").read_text())]
HEADERS.append(("Content-Length", str(len(BODY))))


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
"""


def _bare_app(folder: Path, body: bytes, headers: list[tuple[str, str]]) -> None:
    """Write the bare app with the page's body and headers into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "page.html").write_bytes(body)
    kept = [
        (k, v)
        for k, v in headers
        if k.lower() not in {"date", "server", "content-length", "x-cache"}
    ]
    (folder / "headers.json").write_text(json.dumps(kept), encoding="utf-8")
    (folder / "bare.py").write_text(BARE_APP, encoding="utf-8")


def _bare_command(folder: Path) -> Callable[[int], list[str]]:
    script = Path(sys.executable).with_name("granian")
    granian = [str(script)] if script.exists() else [sys.executable, "-m", "granian"]

    def command(port: int) -> list[str]:
        return [
            *granian,
            *("--interface", "wsgi", "--no-ws", "--host", "127.0.0.1"),
            *("--port", str(port), "--workers", str(SERVER_WORKERS)),
            *("--blocking-threads", str(BARE_THREADS)),
            *("--working-dir", str(folder), "bare:application"),
        ]

    return command


def _stop(process: subprocess.Popen[bytes] | None, first: int) -> None:
    """Stop a process started in its own group: `first` signal, then SIGKILL."""
    if process is None:
        return
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(first)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT_S)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(STOP_TIMEOUT_S)


def _group_cpu_seconds(group: int) -> float:
    """User + system CPU seconds of the live processes in a process group."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[-1].split()
        # After the name: state, ppid, pgrp, …; utime and stime are 14th, 15th.
        if len(fields) > 12 and int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


@dataclass
class Answer:
    status: int
    headers: dict[str, str]  # by lower-case name
    body: bytes
    header_list: list[tuple[str, str]]  # as sent


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> Answer:
    """One GET; no Accept-Encoding unless given, so the body is identity."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            body,
            response.getheaders(),
        )
    finally:
        conn.close()


NGINX_CONF = """\
worker_processes {workers};
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{ }}
    default_type text/html;
    charset utf-8;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    open_file_cache max=100;
    client_body_temp_path {tmp}/client;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        server_name _;
        root {root};
        index index.html;
    }}
}}
"""


@dataclass
class Nginx:
    binary: str
    tmp: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self, path: str, body: bytes) -> None:
        from servers.waiting import free_port, http_ready, wait_until

        root = self.tmp / "root"
        target = root / path.strip("/") / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        # nginx's workers may run as another user: let them read the file.
        for folder in [self.tmp, *target.relative_to(self.tmp).parents]:
            (self.tmp / folder).chmod(0o755)
        target.chmod(0o644)
        self.port = free_port()
        conf = self.tmp / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                workers=SERVER_WORKERS, tmp=self.tmp, port=self.port, root=root
            ),
            encoding="utf-8",
        )
        with (self.tmp / "nginx.out").open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - nginx, our config
                [self.binary, "-c", str(conf), "-p", str(self.tmp)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_until(
                http_ready(f"http://127.0.0.1:{self.port}{path}", self.process),
                timeout=30,
                what="nginx",
            )
        except (TimeoutError, RuntimeError) as error:
            raise RuntimeError(f"{error}; nginx said:\n{self.log()}") from None

    def log(self) -> str:
        parts = []
        for name in ("nginx.out", "nginx-error.log"):
            path = self.tmp / name
            if path.exists():
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(parts)[-3000:]

    def stop(self) -> None:
        _stop(self.process, signal.SIGQUIT)  # a graceful stop


@dataclass
class Server:
    """A server process in its own process group, its output in a log."""

    what: str
    env: dict[str, str]
    log_path: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self, command: Callable[[int], list[str]], cwd: Path) -> None:
        """Start `command(port)` on a free port; wait until it answers on /."""
        from servers.waiting import free_port, http_ready, wait_until

        self.port = free_port()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the product's, granian
                command(self.port),
                cwd=cwd,
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
                what=self.what,
            )
        except (TimeoutError, RuntimeError) as error:
            raise RuntimeError(f"{error}; server log:\n{self.log_tail()}") from None

    def cpu_seconds(self) -> float:
        """CPU time used so far by the server's processes (its process group)."""
        if self.process is None:
            return 0.0
        return _group_cpu_seconds(self.process.pid)

    def wait_idle(self) -> float:
        """Wait (bounded) until the server has no work left from the last run:
        requests wrk gave up on may still be queued. Returns the seconds waited."""
        started = time.monotonic()
        before = self.cpu_seconds()
        while time.monotonic() - started < IDLE_TIMEOUT_S:
            time.sleep(IDLE_INTERVAL_S)
            now = self.cpu_seconds()
            if now - before < IDLE_CPU_FRACTION * IDLE_INTERVAL_S:
                break
            before = now
        return time.monotonic() - started

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM)


# --- wrk ---------------------------------------------------------------------

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION = r"([\d.]+)(us|ms|s|m|h)"


def _duration(match: re.Match[str] | None) -> float:
    if match is None:
        return float("nan")
    return float(match.group(1)) * _UNITS[match.group(2)]


@dataclass
class Run:
    """One measured wrk run against one target."""

    target: str
    number: int
    rps: float = float("nan")
    p50: float = float("nan")
    p99: float = float("nan")
    requests: int = 0
    non_2xx_3xx: int = 0
    socket_errors: int = 0
    socket_detail: str = ""
    timeouts: int = 0
    returncode: int = 0
    output: str = ""
    drained: float = 0.0  # seconds the server then needed to become idle

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + self.socket_errors

    @property
    def parsed(self) -> bool:
        return self.rps == self.rps


def parse_wrk(text: str, run: Run) -> Run:
    found = re.search(r"Requests/sec:\s*([\d.]+)", text)
    run.rps = float(found.group(1)) if found else float("nan")
    run.p50 = _duration(re.search(r"^\s*50%\s+" + _DURATION, text, re.M))
    run.p99 = _duration(re.search(r"^\s*99%\s+" + _DURATION, text, re.M))
    found = re.search(r"(\d+) requests in", text)
    run.requests = int(found.group(1)) if found else 0
    found = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
    run.non_2xx_3xx = int(found.group(1)) if found else 0
    found = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    if found:
        counts = [int(value) for value in found.groups()]
        run.socket_errors = sum(counts)
        run.timeouts = counts[3]
        names = ("connect", "read", "write", "timeout")
        run.socket_detail = ", ".join(
            f"{n} {c}" for n, c in zip(names, counts, strict=True) if c
        )
    # wrk leaves answers that came after its timeout out of the latencies:
    # when they are 1 % (50 %) of the answers, p99 (p50) is past the timeout.
    # No answer at all within the run: every request took longer.
    if run.timeouts >= 0.01 * run.requests:
        run.p99 = float("inf")
    if run.timeouts >= 0.5 * run.requests:
        run.p50 = float("inf")
    return run


@dataclass
class Target:
    key: str
    label: str
    url: str
    headers: list[str] = field(default_factory=list)
    server: Server | None = None  # waited for until idle after each run
    informational: bool = False  # its errors are noted, not failures
    runs: list[Run] = field(default_factory=list)

    def wrk(self, binary: str, seconds: int, number: int) -> Run:
        args = [
            binary,
            f"-t{WRK_THREADS}",
            f"-c{WRK_CONNECTIONS}",
            f"-d{seconds}s",
            f"--timeout={WRK_TIMEOUT}s",
            "--latency",
        ]
        for header in self.headers:
            args += ["-H", header]
        completed = subprocess.run(  # noqa: S603 - wrk found on PATH
            [*args, self.url],
            capture_output=True,
            text=True,
            timeout=WRK_TIMEOUT_S,
            check=False,
        )
        run = Run(target=self.key, number=number, returncode=completed.returncode)
        run.output = completed.stdout + completed.stderr
        return parse_wrk(completed.stdout, run)

    def median(self, name: str) -> float:
        return common.median(float(getattr(r, name)) for r in self.runs if r.parsed)

    def socket_errors(self) -> str:
        total = self.total("socket_errors")
        timeouts = self.total("timeouts")
        if total and timeouts:
            return f"{total:,} ({timeouts:,} timeouts)"
        return f"{total:,}"

    def total(self, name: str) -> int:
        return sum(int(getattr(r, name)) for r in self.runs)

    def problems(self) -> list[str]:
        found = []
        for run in self.runs:
            if not run.parsed:
                found.append(
                    f"{self.label}, round {run.number}: wrk gave no result "
                    f"(exit {run.returncode}): {run.output.strip()[-300:]}"
                )
            elif not run.requests:
                found.append(
                    f"{self.label}, round {run.number}: no answer at all in "
                    f"{WRK_SECONDS} s"
                )
            if run.non_2xx_3xx:
                found.append(
                    f"{self.label}, round {run.number}: {run.non_2xx_3xx} "
                    "non-2xx/3xx answers"
                )
            if run.socket_errors:
                found.append(
                    f"{self.label}, round {run.number}: {run.socket_errors} "
                    f"socket errors ({run.socket_detail})"
                )
        return found


def _check_page(port: int, path: str, cookie: str) -> tuple[dict[str, Any], list[str]]:
    """Warm a page (two GETs) and check the page cache answers the second; check
    that the cookie bypasses it. Returns facts about the page and problems."""
    problems = []
    first = fetch(port, path)
    second = fetch(port, path)
    for answer, when in ((first, "first"), (second, "second")):
        if answer.status != 200:
            problems.append(f"{path}: {when} GET answered {answer.status}")
    if second.headers.get("x-cache") != "HIT":
        problems.append(
            f"{path}: second GET not a page-cache hit "
            f"(X-Cache: {second.headers.get('x-cache', 'none')})"
        )
    bypass = fetch(port, path, {"Cookie": cookie})
    if bypass.status != 200:
        problems.append(f"{path} with {cookie}: answered {bypass.status}")
    if "private" not in bypass.headers.get("cache-control", ""):
        problems.append(
            f"{path} with {cookie}: not marked private (Cache-Control: "
            f"{bypass.headers.get('cache-control', 'none')})"
        )
    if bypass.headers.get("x-cache") is not None:
        problems.append(
            f"{path} with {cookie}: X-Cache {bypass.headers['x-cache']} "
            "(the cookie should bypass the page cache)"
        )
    served: dict[str, int] = {}
    for encoding in ("identity", "gzip", "br"):
        headers = {} if encoding == "identity" else {"Accept-Encoding": encoding}
        answer = fetch(port, path, headers)
        got = answer.headers.get("content-encoding", "identity")
        if got != encoding:
            problems.append(f"{path}: asked for {encoding}, got {got}")
        served[encoding] = len(answer.body)
    return {
        "body": second.body,
        "headers": second.header_list,
        "content_type": second.headers.get("content-type", ""),
        "served": served,
    }, problems


def _server_log_problems(text: str) -> list[str]:
    """Distinct log lines that report an error, a traceback or a 5xx."""
    stamp = re.compile(r"^\[?\d{4}-\d\d-\d\d[ T][\d:.,]+\]?\s*")
    bad = re.compile(
        r"Traceback|Internal Server Error|\b5\d\d\b.*(HTTP|GET|POST)|"
        r"^(ERROR|CRITICAL)\b|^\[(ERROR|CRITICAL)\]|^[\w.]*(Error|Exception)\b.*:"
    )
    seen: dict[str, None] = {}
    for raw in text.splitlines():
        line = stamp.sub("", raw.strip())
        if bad.search(line):
            seen.setdefault(line[:300], None)
    return list(seen)


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    wrk, nginx_binary = ensure_tools()
    notes: list[str] = []
    problems: list[str] = []
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="wiesci-bench-http-") as name:
        tmp = Path(name)
        tmp.chmod(0o711)  # nginx's workers may run as another user
        data_dir = tmp / "data"
        env = common.product_env({"WIESCI_DATA_DIR": str(data_dir)})
        timings["migrate"] = common.run_command(
            [*common.wiesci_command(), "migrate", "--no-input"],
            env,
            "wiesci migrate",
            timeout=COMMAND_TIMEOUT_S,
        )
        timings["demo"] = common.run_command(
            [
                *common.wiesci_command(),
                "demo",
                "--no-serve",
                "--photo-width",
                str(PHOTO_WIDTH),
            ],
            env,
            "wiesci demo",
            timeout=COMMAND_TIMEOUT_S,
        )
        prepared = common.run_worker(
            MODULE,
            ["prepare", str(data_dir), "--articles", str(ARTICLES)],
            env=env,
            timeout=COMMAND_TIMEOUT_S,
        )
        timings["grow"] = prepared["seconds"]
        common.say(
            f"Data: migrate {timings['migrate']:.1f} s, demo "
            f"{timings['demo']:.1f} s, {prepared['copied']} copies "
            f"{timings['grow']:.1f} s → {prepared['published']} published articles"
        )
        article_path: str = prepared["article_path"]
        cookie = f"{prepared['session_cookie']}={UNCACHED_COOKIE}"
        server = Server("wiesci serve", env=env, log_path=tmp / "server.log")
        bare = Server("granian, bare app", env=env, log_path=tmp / "bare.log")
        nginx = Nginx(binary=nginx_binary, tmp=tmp / "nginx")
        nginx.tmp.mkdir()
        pages: dict[str, dict[str, Any]] = {}
        targets: list[Target] = []
        after: list[str] = []
        try:
            server.start(_serve_command, common.ROOT)
            for path in (article_path, "/"):
                pages[path], found = _check_page(server.port, path, cookie)
                problems += found
            article = pages[article_path]
            nginx.start(article_path, article["body"])
            copy = fetch(nginx.port, article_path)
            if copy.body != article["body"]:
                problems.append("nginx does not serve the article's exact bytes")
            if copy.headers.get("content-type") != article["content_type"]:
                notes.append(
                    f"Content-Type differs: nginx {copy.headers.get('content-type')}"
                    f", wiesci {article['content_type']}."
                )
            _bare_app(tmp / "bare", article["body"], article["headers"])
            bare.start(_bare_command(tmp / "bare"), tmp / "bare")
            if fetch(bare.port, article_path).body != article["body"]:
                problems.append("the bare app does not serve the article's bytes")
            ours = f"http://127.0.0.1:{server.port}"
            uncached = [f"Cookie: {cookie}"]
            targets = [
                Target(
                    "nginx",
                    "nginx, the article page as a file (reference)",
                    f"http://127.0.0.1:{nginx.port}{article_path}",
                ),
                Target(
                    "bare",
                    "granian, bare WSGI app, the same bytes (information)",
                    f"http://127.0.0.1:{bare.port}{article_path}",
                    server=bare,
                    informational=True,
                ),
                Target(
                    "article",
                    "article page, cached",
                    ours + article_path,
                    server=server,
                ),
                Target("home", "home page, cached", ours + "/", server=server),
                Target(
                    "article-uncached",
                    "article page, uncached",
                    ours + article_path,
                    uncached,
                    server=server,
                ),
                Target(
                    "home-uncached",
                    "home page, uncached",
                    ours + "/",
                    uncached,
                    server=server,
                ),
            ]
            for number in range(1, ROUNDS + 1):
                if time.monotonic() - started > BUDGET_S:
                    notes.append(f"Time budget ({BUDGET_S:.0f} s) spent.")
                    break
                for target in targets:
                    target.wrk(wrk, WARMUP_SECONDS, number)
                    result = target.wrk(wrk, WRK_SECONDS, number)
                    target.runs.append(result)
                    if target.server is not None:
                        result.drained = target.server.wait_idle()
                    common.say(
                        f"  round {number}, {target.label}: {result.rps:.0f} req/s, "
                        f"p50 {common.seconds(result.p50)}, p99 "
                        f"{common.seconds(result.p99)}, errors {result.errors}"
                    )
                if not server.alive():
                    problems.append("the wiesci server exited during the load")
                    break
            # The cached pages must still be hits after the load.
            for path in (article_path, "/"):
                answer = fetch(server.port, path)
                if answer.headers.get("x-cache") != "HIT":
                    after.append(
                        f"{path} after the load: X-Cache "
                        f"{answer.headers.get('x-cache', 'none')}"
                    )
        finally:
            server.stop()
            bare.stop()
            nginx.stop()
        problems += after
        log_lines = _server_log_problems(server.log_text())
        log_lines += [
            f"bare app: {line}" for line in _server_log_problems(bare.log_text())
        ]
        nginx_errors = [
            line
            for line in nginx.log().splitlines()
            if "[error]" in line or "[crit]" in line or "[emerg]" in line
        ]
        queries = common.run_worker(
            MODULE,
            ["queries", str(data_dir), "--path", article_path, "--path", "/"],
            env=env,
            timeout=COMMAND_TIMEOUT_S,
        )
    machine.finish()
    for target in targets:
        if target.informational:
            notes += target.problems()
        else:
            problems += target.problems()
    if log_lines:
        problems.append(f"{len(log_lines)} error line(s) in the server log")
    if nginx_errors:
        problems.append(f"{len(nginx_errors)} error line(s) in nginx's log")
    machine.versions = _versions(wrk, nginx_binary, prepared["database"])
    report = Report(
        machine=machine,
        targets=targets,
        prepared=prepared,
        pages=pages,
        queries=queries,
        timings=timings,
        problems=problems,
        log_lines=(log_lines + nginx_errors)[:LOG_EXCERPT_LINES],
        notes=notes,
        seconds=time.monotonic() - started,
    )
    return common.SectionResult(
        "http", report.console(), report.markdown(), ok=report.ok
    )


def _versions(wrk: str, nginx: str, database: str) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"Python": sys.version.split()[0]}
    for package in ("Django", "granian"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    versions["SQLite"] = database.removeprefix("sqlite ")
    versions["nginx"] = _tool_version([nginx, "-v"], r"nginx/(\S+)")
    versions["wrk"] = _tool_version([wrk, "-v"], r"wrk (\S+)")
    return versions


@dataclass
class Report:
    machine: common.Machine
    targets: list[Target]
    prepared: dict[str, Any]
    pages: dict[str, dict[str, Any]]
    queries: dict[str, Any]
    timings: dict[str, float]
    problems: list[str]
    log_lines: list[str]
    notes: list[str]
    seconds: float

    def target(self, key: str) -> Target | None:
        return next((t for t in self.targets if t.key == key), None)

    def rps(self, key: str) -> float:
        target = self.target(key)
        return target.median("rps") if target else float("nan")

    @property
    def ratio(self) -> float:
        return self.rps("article") / self.rps("nginx")

    def per_round_ratios(
        self, subject: str = "article", reference: str = "nginx"
    ) -> list[float]:
        """Requests/s of `subject` ÷ `reference`, round by round."""
        a_target, b_target = self.target(subject), self.target(reference)
        if a_target is None or b_target is None:
            return []
        return [
            a.rps / b.rps
            for a, b in zip(a_target.runs, b_target.runs, strict=False)
            if a.parsed and b.parsed
        ]

    @property
    def ratio_met(self) -> bool:
        return self.ratio >= GOAL_RATIO  # False for NaN

    @property
    def uncached_met(self) -> bool:
        return self.rps("article-uncached") >= GOAL_UNCACHED

    @property
    def ok(self) -> bool:
        complete = bool(self.targets) and all(
            len(t.runs) == ROUNDS for t in self.targets
        )
        return complete and self.ratio_met and self.uncached_met and not self.problems

    def rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [
            "target",
            "req/s",
            "per round",
            "p50",
            "p99",
            "requests",
            "non-2xx/3xx",
            "socket errors",
            "server busy after",
        ]
        rows = []
        for t in self.targets:
            rows.append(
                [
                    t.label,
                    f"{t.median('rps'):,.0f}",
                    " / ".join(f"{r.rps:,.0f}" for r in t.runs),
                    _latency(t.median("p50")),
                    _latency(t.median("p99")),
                    f"{t.total('requests'):,}",
                    str(t.total("non_2xx_3xx")),
                    t.socket_errors(),
                    common.seconds(t.median("drained")),
                ]
            )
        for label, subject, reference in (
            ("cached article ÷ nginx", "article", "nginx"),
            ("bare granian ÷ nginx", "bare", "nginx"),
            ("cached article ÷ bare granian", "article", "bare"),
        ):
            ratios = self.per_round_ratios(subject, reference)
            rows.append(
                [
                    label,
                    common.ratio(self.rps(subject) / self.rps(reference)),
                    " / ".join(f"{r:.2f}×" for r in ratios),
                    *[""] * 6,
                ]
            )
        return headers, rows

    def page_rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [
            "page",
            "SQL, cold fragments",
            "SQL, warm",
            "SQL, warm + session cookie",
            "identity",
            "gzip",
            "Brotli",
        ]
        rows = []
        names = {self.prepared["article_path"]: "article", "/": "home"}
        for path, name in names.items():
            counted = self.queries.get(path, {})
            served = self.pages.get(path, {}).get("served", {})
            rows.append(
                [
                    name,
                    str(counted.get("cold", "–")),
                    str(counted.get("warm", "–")),
                    str(counted.get("cookie", "–")),
                    *(
                        _bytes(served.get(e, counted.get(e)))
                        for e in ("identity", "gzip", "br")
                    ),
                ]
            )
        return headers, rows

    def verdict(self) -> str:
        ratio_met = "met" if self.ratio_met else "NOT met"
        uncached_met = "met" if self.uncached_met else "NOT met"
        errors = sum(
            t.total("non_2xx_3xx") + t.total("socket_errors")
            for t in self.targets
            if not t.informational
        )
        ratios = self.per_round_ratios()
        spread = f" (per round {min(ratios):.2f}–{max(ratios):.2f}×)" if ratios else ""
        text = (
            f"Cached article ÷ nginx serving the same bytes: "
            f"{common.ratio(self.ratio)}{spread} (goal ≥ {GOAL_RATIO:.2f}×: "
            f"{ratio_met}). Uncached article: {self.rps('article-uncached'):,.0f} "
            f"req/s (goal ≥ {GOAL_UNCACHED:.0f}: {uncached_met}). Errors: "
            f"{errors} in wrk's counts, {len(self.log_lines)} error lines in the "
            f"logs"
        )
        if self.problems:
            text += " — problems: " + "; ".join(self.problems)
        return text

    def method(self) -> str:
        p = self.prepared
        served = self.pages.get(p["article_path"], {}).get("served", {})
        return (
            f"`wiesci migrate`, `wiesci demo --no-serve --photo-width "
            f"{PHOTO_WIDTH}` ({p['demo_articles']} published demo articles), then "
            f"{p['copied']:,} copies made through the ORM (bulk inserts: text, "
            f"filing, labels, videos and gallery rows pointing at the demo's "
            f"photos) published over the two years before the demo's oldest "
            f"story: {p['published']:,} published articles, "
            f"{p['gallery_items']:,} gallery rows (data "
            f"{sum(self.timings.values()):.0f} s). The server: `wiesci serve "
            f"--workers {SERVER_WORKERS} --no-worker` (granian, SQLite, file "
            f"caches) on that data directory. The reference: nginx "
            f"({SERVER_WORKERS} worker processes, access log off, sendfile, "
            f"keep-alive) serving the article page's exact body "
            f"({_bytes(served.get('identity'))}, fetched without "
            f"Accept-Encoding) from a file at the same path, with the same "
            f"`Content-Type: text/html; charset=utf-8`. Each target is loaded "
            f"with `wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s "
            f"--timeout={WRK_TIMEOUT}s --latency` after a {WARMUP_SECONDS} s "
            f"warm-up run that is not recorded, the targets in turn, {ROUNDS} "
            f"rounds interleaved; "
            f"req/s, p50 and p99 are medians of the rounds, the counts sums. "
            f"wrk's timeout is {WRK_TIMEOUT} s: later answers count as timeout "
            f"socket errors and are left out of its latencies, so p99 (p50) "
            f'reads "> {WRK_TIMEOUT} s" when 1 % (50 %) of the answers came '
            f"that late. After each run the bench waits (at most "
            f"{IDLE_TIMEOUT_S:.0f} s) until the server's processes are idle, "
            f"since requests wrk gave up on may still be queued there; the "
            f'median wait is "server busy after". For information, not a '
            f"goal: granian ({SERVER_WORKERS} workers × {BARE_THREADS} "
            f"threads, as `wiesci serve` runs it) with a bare WSGI app that "
            f"answers every request with the article's bytes and headers, "
            f"kept in memory: the ceiling of the server the product runs on, "
            f"with no page cache and no Django. "
            f"wrk runs on the same machine as the servers and sends no "
            f"Accept-Encoding, so both sides send identity bytes. The article "
            f"is the demo's story `{p['article_path']}`. Cached: the pages were "
            f"warmed beforehand and answer `X-Cache: HIT` before and after the "
            f"load. Uncached: the requests carry `Cookie: "
            f"{p['session_cookie']}={UNCACHED_COOKIE}`, an invalid session, so "
            f"the page cache passes them to Django, which renders the anonymous "
            f"page afresh with its fragment caches warm, as for any page-cache "
            f"miss. SQL queries counted with Django's test client once the "
            f"server had stopped: after `cache.clear()` (cold fragments), again "
            f"(warm), and again with the invalid session cookie (as loaded). "
            f"Bytes: the bodies the page cache serves for each Accept-Encoding "
            f"(gzip level {pagecache.GZIP_LEVEL}, Brotli quality "
            f"{pagecache.BROTLI_QUALITY})."
        )

    def console(self) -> str:
        return "\n".join(
            [
                f"wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{WRK_SECONDS}s × "
                f"{ROUNDS} rounds; wiesci serve --workers {SERVER_WORKERS} on "
                f"{self.prepared['published']:,} articles; nginx "
                f"{SERVER_WORKERS} workers.",
                "",
                common.text_table(*self.rows()),
                "",
                common.text_table(*self.page_rows()),
                "",
                self.verdict() + ".",
                "",
                common.text_table(["Machine", ""], self.machine.rows(), left=2),
                *(
                    ["", "Log lines reporting errors (distinct):", *self.log_lines]
                    if self.log_lines
                    else ["", "Server and nginx logs: no errors."]
                ),
                *(f"NOTE: {note}" for note in self.notes),
            ]
        )

    def markdown(self) -> str:
        log_block = (
            "Log lines that report errors (distinct, time stamps dropped):\n\n"
            "```\n" + "\n".join(self.log_lines) + "\n```\n"
            if self.log_lines
            else "The server and nginx logs report no errors.\n"
        )
        notes = "".join(f"\n**Note:** {note}\n" for note in self.notes)
        return f"""\
## Pages under HTTP load

Measured by `bench/http.py` ({self.seconds:.0f} s). The promise: on this
2-core machine, the cached article page at no less than
{GOAL_RATIO:.0%} of the requests/s of nginx serving the same bytes from a
file, in the same run; the uncached article page at no less than
{GOAL_UNCACHED:.0f} requests/s; no errors and no 5xx.

Method: {self.method()}

{common.markdown_table(*self.rows())}

**{self.verdict()}.**

{common.markdown_table(*self.page_rows())}

{log_block}
{common.markdown_table(["Machine", ""], self.machine.rows(), left=2)}
{notes}"""


def _latency(value: float) -> str:
    if value != value:
        return "–"
    if value == float("inf"):
        return f"> {WRK_TIMEOUT} s"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    return common.seconds(value)


def _bytes(value: Any) -> str:
    if not isinstance(value, int):
        return "–"
    return f"{value:,} B ({common.size(value)})"


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
