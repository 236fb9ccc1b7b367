"""Lighthouse on the home and article pages: the mobile profile's four scores.

The product's promise: Lighthouse (npm `lighthouse` with Debian's Chromium,
mobile profile, simulated throttling) scores the home page and the article
page 100 for accessibility, best practices and SEO, and at least 95 for
performance.

The data: `wiesci migrate` and `wiesci demo --no-serve` (full-size photos) in
a fresh data directory; a worker process (`python -m bench.lighthouse article
DATA_DIR`) finds the demo's key story through the ORM. Then `wiesci serve
--workers 2` starts on that directory, each page is fetched once to warm the
caches, and Lighthouse runs on each page three times, the pages alternating,
each run with a fresh Chromium profile. Each score is the median of the runs,
and so is each metric. For a category below its goal in a run, the audits that
cost it points are listed.

A goal missed makes the section fail, but its numbers are still written to
docs/benchmarks.md (unless `--no-write`); a run that could not measure leaves
the previous results in place.
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
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common

NAME = "lighthouse"
MODULE = "bench.lighthouse"  # the worker: python -m bench.lighthouse article DIR
KEY_STORY = "biblioteka-stawia-na-partnerow"  # the demo's article, by slug
SERVER_WORKERS = 2  # wiesci serve --workers
RUNS = 3  # Lighthouse runs per page; scores and metrics are their medians
RETRIES = 2  # a run Lighthouse itself failed (a runtime error) is run again
CHROMIUM = "/usr/bin/chromium"
LIGHTHOUSE = common.ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CATEGORY_NAMES = {
    "performance": "performance",
    "accessibility": "accessibility",
    "best-practices": "best practices",
    "seo": "SEO",
}
GOALS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
# Audit id -> label and how the metric is shown.
METRICS = {
    "first-contentful-paint": "FCP",
    "largest-contentful-paint": "LCP",
    "total-blocking-time": "TBT",
    "cumulative-layout-shift": "CLS",
    "speed-index": "Speed Index",
}
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LIGHTHOUSE_TIMEOUT_S = 180.0  # per run
COMMAND_TIMEOUT_S = 300.0  # migrate, demo, the worker
NPM_TIMEOUT_S = 600.0
READY_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 20.0
FETCH_TIMEOUT_S = 30.0
BUDGET_S = 330.0  # no new Lighthouse run starts after this (whole section ~6 min)
DETAIL_ITEMS = 3  # items of a failing audit's details shown
DETAIL_CHARS = 160


# --- Worker: Django set up in a process of its own ----------------------------


def _article(data_dir: str) -> dict[str, Any]:
    """The demo's key story: its path and title."""
    import django

    os.environ["WIESCI_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wiesci.settings")
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from wiesci.articles.models import Article

    found = list(
        Article.objects.filter(
            status=Article.Status.PUBLISHED,
            published_at__lte=timezone.now(),
            slug__startswith=KEY_STORY,
        )
    )
    if not found:
        raise RuntimeError(f"no published article whose slug starts with {KEY_STORY}")
    article = min(found, key=lambda a: len(a.slug))
    result = {"path": article.get_absolute_url(), "title": article.title}
    connection.close()
    return result


def worker_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("command", choices=["article"])
    parser.add_argument("data_dir")
    options = parser.parse_args(argv)
    sys.stdout.write(json.dumps(_article(options.data_dir)) + "\n")
    return 0


# --- The bench process ------------------------------------------------------------


def ensure_tools() -> list[str]:
    """Check Chromium and Lighthouse, installing Lighthouse with `npm ci` when
    node_modules lacks it. Returns notes on what was done."""
    notes: list[str] = []
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(
            f"{CHROMIUM} not found: install Debian's Chromium "
            "(apt-get install --no-install-recommends chromium)"
        )
    if not LIGHTHOUSE.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("node_modules lacks lighthouse and npm is not installed")
        common.say("Installing the npm packages (npm ci)…")
        seconds = common.run_command(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            dict(os.environ),
            "npm ci",
            timeout=NPM_TIMEOUT_S,
        )
        notes.append(f"`npm ci` installed Lighthouse first ({seconds:.0f} s).")
        if not LIGHTHOUSE.exists():
            raise RuntimeError(f"{LIGHTHOUSE} still missing after npm ci")
    return notes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _fetch(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """One GET as a browser asks for it (compressed)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=FETCH_TIMEOUT_S)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip, deflate, br"})
        response = conn.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, body
    finally:
        conn.close()


def _kill_matching(marker: str) -> int:
    """SIGKILL our processes whose command line holds `marker` (a temporary
    path unique to this run): Chromium left behind by a Lighthouse run that
    timed out, which chrome-launcher starts in a process group of its own."""
    killed = 0
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in text:
            with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
                os.kill(int(cmdline.parent.name), signal.SIGKILL)
                killed += 1
    return killed


def _stop_group(process: subprocess.Popen[bytes] | None, first: int) -> None:
    """Stop a process started in its own group: `first` signal, then SIGKILL."""
    if process is None:
        return
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, first)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT_S)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(STOP_TIMEOUT_S)


@dataclass
class Server:
    env: dict[str, str]
    log_path: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Start `wiesci serve`; the seconds until it answered."""
        started = time.monotonic()
        self.port = _free_port()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the product's command
                [
                    *common.wiesci_command(),
                    *("serve", "--port", str(self.port)),
                    *("--workers", str(SERVER_WORKERS)),
                ],
                cwd=common.ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, stopped whole
            )
        url = f"http://127.0.0.1:{self.port}/"
        while time.monotonic() - started < READY_TIMEOUT_S:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"wiesci serve exited with {self.process.returncode}; "
                    f"server log:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return time.monotonic() - started
            except urllib.error.HTTPError:
                return time.monotonic() - started
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(
            f"wiesci serve not answering after {READY_TIMEOUT_S:.0f} s; "
            f"server log:\n{self.log_tail()}"
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def stop(self) -> None:
        _stop_group(self.process, signal.SIGTERM)


def _log_problems(text: str) -> list[str]:
    """Distinct server log lines that report an error, a traceback or a 5xx."""
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


# --- Lighthouse runs ------------------------------------------------------------


@dataclass
class Failing:
    """An audit that cost a category points in one run."""

    category: str
    id: str
    title: str
    score: float
    weight: float
    display: str
    detail: str


@dataclass
class LighthouseRun:
    page: str
    number: int
    seconds: float = 0.0
    returncode: int | None = None
    scores: dict[str, float | None] = field(default_factory=dict)  # 0–100
    metrics: dict[str, float] = field(default_factory=dict)  # ms (CLS unitless)
    failing: list[Failing] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    timed_out: bool = False
    version: str = ""
    chrome: str = ""
    axe: str = ""
    benchmark_index: float = float("nan")

    @property
    def complete(self) -> bool:
        return not self.error and all(
            self.scores.get(c) is not None for c in CATEGORIES
        )


def _code(text: str) -> str:
    """Inline code for Markdown, safe from the backticks inside."""
    text = " ".join(text.split()).replace("`", "'")
    if len(text) > DETAIL_CHARS:
        text = text[: DETAIL_CHARS - 1] + "…"
    return f"`{text}`"


def _item_detail(item: dict[str, Any]) -> str:
    """One item of an audit's details table, in a few words."""
    parts = []
    location = item.get("sourceLocation")
    url = item.get("url") or (
        location.get("url") if isinstance(location, dict) else None
    )
    description = item.get("description")
    if isinstance(description, str) and description:
        parts.append(description)
    node = item.get("node")
    if isinstance(node, dict):
        label = node.get("snippet") or node.get("nodeLabel") or node.get("selector")
        if isinstance(label, str) and label:
            parts.append(_code(label))
        explanation = node.get("explanation")
        if isinstance(explanation, str) and explanation.strip():
            reason = " ".join(explanation.split())
            parts.append(reason[:DETAIL_CHARS])
    if isinstance(url, str) and url:
        parts.append(_code(re.sub(r"^https?://127\.0\.0\.1:\d+", "", url)))
    for key in ("wastedMs", "wastedBytes"):
        value = item.get(key)
        if isinstance(value, int | float) and value:
            unit = "ms" if key == "wastedMs" else "B"
            parts.append(f"{key.removeprefix('wasted').lower()} {value:,.0f} {unit}")
    return " ".join(parts)


def _audit_detail(audit: dict[str, Any]) -> str:
    details = audit.get("details")
    items = details.get("items") if isinstance(details, dict) else None
    if not isinstance(items, list):
        return ""
    shown = [_item_detail(i) for i in items[:DETAIL_ITEMS] if isinstance(i, dict)]
    shown = [s for s in shown if s]
    if len(items) > DETAIL_ITEMS:
        shown.append(f"… {len(items) - DETAIL_ITEMS} more")
    return "; ".join(shown)


def _failing(report: dict[str, Any], category: str) -> list[Failing]:
    """The audits that cost `category` points: for performance, the metrics
    below a full score and the insights and diagnostics Lighthouse flags
    (score under 0.9); elsewhere every scored audit below a full score."""
    audits = report.get("audits", {})
    found = []
    for ref in report["categories"][category].get("auditRefs", []):
        audit = audits.get(ref.get("id"), {})
        score = audit.get("score")
        mode = audit.get("scoreDisplayMode")
        if score is None or mode not in ("binary", "numeric", "metricSavings"):
            continue
        weight = float(ref.get("weight") or 0)
        limit = 1.0 if weight > 0 or category != "performance" else 0.9
        if score >= limit:
            continue
        found.append(
            Failing(
                category=category,
                id=str(ref.get("id")),
                title=str(audit.get("title", "")),
                score=float(score),
                weight=weight,
                display=str(audit.get("displayValue") or ""),
                detail=_audit_detail(audit),
            )
        )
    found.sort(key=lambda f: (-f.weight, f.score, f.id))
    return found


def parse_report(report: dict[str, Any], run: LighthouseRun) -> LighthouseRun:
    """Scores, metrics and the audits below their category's goal."""
    run.version = str(report.get("lighthouseVersion", ""))
    environment = report.get("environment") or {}
    found = re.search(r"Chrome/(\S+)", str(environment.get("hostUserAgent", "")))
    run.chrome = found.group(1) if found else ""
    run.axe = str((environment.get("credits") or {}).get("axe-core", ""))
    index = environment.get("benchmarkIndex")
    if isinstance(index, int | float):
        run.benchmark_index = float(index)
    runtime = report.get("runtimeError")
    if isinstance(runtime, dict) and runtime.get("code"):
        run.error = f"{runtime.get('code')}: {runtime.get('message', '')}"
    run.warnings = [str(w) for w in report.get("runWarnings") or []]
    categories = report.get("categories") or {}
    for category in CATEGORIES:
        score = (categories.get(category) or {}).get("score")
        run.scores[category] = None if score is None else round(float(score) * 100)
    audits = report.get("audits") or {}
    for key in METRICS:
        value = (audits.get(key) or {}).get("numericValue")
        if isinstance(value, int | float):
            run.metrics[key] = float(value)
    for category in CATEGORIES:
        score = run.scores[category]
        if score is not None and score < GOALS[category]:
            run.failing += _failing(report, category)
    return run


def lighthouse(url: str, page: str, number: int, tmp: Path) -> LighthouseRun:
    """One Lighthouse run with a fresh Chromium profile, bounded in time."""
    run = LighthouseRun(page=page, number=number)
    work = Path(tempfile.mkdtemp(prefix=f"run-{page}-{number}-", dir=tmp))
    profile = work / "profile"
    profile.mkdir()
    output = work / "report.json"
    flags = " ".join([*CHROME_FLAGS, f"--user-data-dir={profile}"])
    args = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={output}",
        "--only-categories=" + ",".join(CATEGORIES),
        "--form-factor=mobile",
        "--screenEmulation.mobile",
        "--throttling-method=simulate",
        f"--chrome-path={CHROMIUM}",
        f"--chrome-flags={flags}",
        "--quiet",
    ]
    env = common.product_env({"CHROME_PATH": CHROMIUM})
    started = time.monotonic()
    log = work / "lighthouse.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - node_modules' lighthouse
            args,
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            run.returncode = process.wait(LIGHTHOUSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            run.error = f"Lighthouse did not finish in {LIGHTHOUSE_TIMEOUT_S:.0f} s"
            run.timed_out = True
        finally:
            _stop_group(process, signal.SIGTERM)
            _kill_matching(str(profile))
    run.seconds = time.monotonic() - started
    said = log.read_text(encoding="utf-8", errors="replace").strip()
    if run.error:
        shutil.rmtree(work, ignore_errors=True)
        return run
    try:
        report = json.loads(output.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        run.error = (
            f"no report (exit {run.returncode}, {type(error).__name__}): {said[-500:]}"
        )
        shutil.rmtree(work, ignore_errors=True)
        return run
    parse_report(report, run)
    if run.returncode and not run.error:
        run.error = f"Lighthouse exited with {run.returncode}: {said[-500:]}"
    shutil.rmtree(work, ignore_errors=True)
    return run


# --- The section ------------------------------------------------------------------


@dataclass
class Page:
    key: str
    label: str
    path: str
    status: int = 0
    cache: str = ""
    size: int = 0
    runs: list[LighthouseRun] = field(default_factory=list)

    def complete_runs(self) -> list[LighthouseRun]:
        return [r for r in self.runs if r.complete]

    def score(self, category: str) -> float:
        return common.median(
            float(s)
            for r in self.complete_runs()
            if (s := r.scores.get(category)) is not None
        )

    def metric(self, key: str) -> float:
        return common.median(
            r.metrics[key] for r in self.complete_runs() if key in r.metrics
        )

    def met(self, category: str) -> bool:
        return self.score(category) >= GOALS[category]  # False for NaN

    def all_met(self) -> bool:
        return all(self.met(c) for c in CATEGORIES)

    def failing(self) -> list[tuple[Failing, int]]:
        """Distinct failing audits over the runs, with how many runs failed."""
        seen: dict[tuple[str, str], tuple[Failing, int]] = {}
        for run in self.runs:
            for audit in run.failing:
                key = (audit.category, audit.id)
                count = seen[key][1] + 1 if key in seen else 1
                seen[key] = (audit, count)  # the latest run's details
        return sorted(
            seen.values(),
            key=lambda fc: (CATEGORIES.index(fc[0].category), -fc[0].weight, -fc[1]),
        )


def _versions(runs: list[LighthouseRun]) -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"Python": sys.version.split()[0]}
    for package in ("Django", "granian"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    node = shutil.which("node")
    versions["Node.js"] = "?"
    if node:
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            completed = subprocess.run(  # noqa: S603 - node found on PATH
                [node, "--version"],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            versions["Node.js"] = completed.stdout.strip().lstrip("v") or "?"
    done = [r for r in runs if r.version]
    versions["Lighthouse"] = done[-1].version if done else "?"
    versions["axe-core"] = done[-1].axe if done else "?"
    chromium = "?"
    with contextlib.suppress(OSError, subprocess.TimeoutExpired):
        completed = subprocess.run(  # noqa: S603 - Debian's Chromium
            [CHROMIUM, "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        found = re.search(r"Chromium (\S+)", completed.stdout)
        if found:
            chromium = found.group(1)
    if chromium == "?" and done:
        chromium = done[-1].chrome
    versions["Chromium"] = chromium
    return versions


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    notes = ensure_tools()
    problems: list[str] = []
    timings: dict[str, float] = {}
    pages: list[Page] = []
    log_lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="wiesci-bench-lighthouse-") as name:
        tmp = Path(name)
        data_dir = tmp / "data"
        env = common.product_env({"WIESCI_DATA_DIR": str(data_dir)})
        timings["migrate"] = common.run_command(
            [*common.wiesci_command(), "migrate", "--no-input"],
            env,
            "wiesci migrate",
            timeout=COMMAND_TIMEOUT_S,
        )
        timings["demo"] = common.run_command(
            [*common.wiesci_command(), "demo", "--no-serve"],
            env,
            "wiesci demo",
            timeout=COMMAND_TIMEOUT_S,
        )
        article = common.run_worker(
            MODULE, ["article", str(data_dir)], env=env, timeout=COMMAND_TIMEOUT_S
        )
        pages = [
            Page("home", "home page", "/"),
            Page("article", "article page", str(article["path"])),
        ]
        common.say(
            f"Data: migrate {timings['migrate']:.1f} s, demo "
            f"{timings['demo']:.1f} s; article {article['path']}"
        )
        server = Server(env=env, log_path=tmp / "server.log")
        try:
            timings["start"] = server.start()
            for page in pages:
                status, headers, body = _fetch(server.port, page.path)  # warm
                page.status, page.size = status, len(body)
                status, headers, body = _fetch(server.port, page.path)
                page.cache = headers.get("x-cache", "none")
                if status != 200:
                    problems.append(f"{page.path} answered {status}")
            if not problems:
                for number in range(1, RUNS + 1):
                    for page in pages:
                        if time.monotonic() - started > BUDGET_S:
                            break
                        url = f"http://127.0.0.1:{server.port}{page.path}"
                        result = lighthouse(url, page.key, number, tmp)
                        common.say(f"  {page.label}, run {number}: {_run_line(result)}")
                        for _ in range(RETRIES):
                            # Lighthouse's runtime errors (NO_NAVSTART: "please
                            # run Lighthouse again") say nothing about the page.
                            if result.complete or result.timed_out:
                                break
                            if time.monotonic() - started > BUDGET_S:
                                break
                            notes.append(
                                f"{page.label}, run {number}: run again after "
                                f"{result.error[:200]}"
                            )
                            result = lighthouse(url, page.key, number, tmp)
                            common.say(f"    again: {_run_line(result)}")
                        page.runs.append(result)
                        if not server.alive():
                            problems.append("the wiesci server exited")
                            break
                    if problems:
                        break
        finally:
            server.stop()
            log_lines = _log_problems(server.log_text())
    machine.finish()
    for page in pages:
        for lh_run in page.runs:
            if lh_run.error:
                problems.append(f"{page.label}, run {lh_run.number}: {lh_run.error}")
        if len(page.runs) < RUNS:
            problems.append(
                f"{page.label}: {len(page.runs)} of {RUNS} Lighthouse runs "
                f"(time budget {BUDGET_S:.0f} s)"
            )
    warnings = sorted({w for p in pages for r in p.runs for w in r.warnings})
    notes += [f"Lighthouse warned: {w}" for w in warnings]
    all_runs = [r for p in pages for r in p.runs]
    machine.versions = _versions(all_runs)
    report = Report(
        machine=machine,
        pages=pages,
        article_title=str(article["title"]),
        timings=timings,
        problems=problems,
        log_lines=log_lines,
        notes=notes,
        benchmark_index=common.median(
            r.benchmark_index
            for r in all_runs
            if r.benchmark_index == r.benchmark_index
        ),
        seconds=time.monotonic() - started,
    )
    # A run that could not measure leaves the previous results in the doc.
    markdown = report.markdown() if report.measured else ""
    return common.SectionResult(NAME, report.console(), markdown, ok=report.ok)


def _run_line(run: LighthouseRun) -> str:
    if run.error and not run.scores:
        return f"FAILED ({run.seconds:.0f} s): {run.error[:200]}"
    scores = ", ".join(
        f"{CATEGORY_NAMES[c]} {_score(run.scores.get(c))}" for c in CATEGORIES
    )
    text = f"{scores} ({run.seconds:.0f} s)"
    if run.error:
        text += f" — {run.error[:200]}"
    return text


def _score(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:.0f}"


def _metric(key: str, value: float) -> str:
    if value != value:
        return "–"
    if key == "cumulative-layout-shift":
        return f"{value:.3f}"
    return common.seconds(value / 1000)


@dataclass
class Report:
    machine: common.Machine
    pages: list[Page]
    article_title: str
    timings: dict[str, float]
    problems: list[str]
    log_lines: list[str]
    notes: list[str]
    benchmark_index: float
    seconds: float

    @property
    def measured(self) -> bool:
        """Every page has all its runs, each with the four scores."""
        return bool(self.pages) and all(
            len(p.runs) == RUNS and len(p.complete_runs()) == RUNS for p in self.pages
        )

    @property
    def goals_met(self) -> bool:
        return all(p.all_met() for p in self.pages)

    @property
    def ok(self) -> bool:
        return (
            self.measured
            and self.goals_met
            and not self.problems
            and not self.log_lines
        )

    def score_rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [
            "page",
            *(f"{CATEGORY_NAMES[c]} (goal {GOALS[c]})" for c in CATEGORIES),
            "goals",
        ]
        rows = []
        for page in self.pages:
            cells = []
            for category in CATEGORIES:
                runs = " / ".join(_score(r.scores.get(category)) for r in page.runs)
                cells.append(f"{_score(page.score(category))} ({runs})")
            missed = [CATEGORY_NAMES[c] for c in CATEGORIES if not page.met(c)]
            verdict = "met" if not missed else "NOT met: " + ", ".join(missed)
            rows.append([page.label, *cells, verdict])
        return headers, rows

    def metric_rows(self) -> tuple[list[str], list[list[str]]]:
        headers = ["page", *METRICS.values(), "run time"]
        rows = []
        for page in self.pages:
            seconds = common.median(r.seconds for r in page.runs)
            rows.append(
                [
                    page.label,
                    *(_metric(k, page.metric(k)) for k in METRICS),
                    f"{seconds:.0f} s",
                ]
            )
        return headers, rows

    def failing_rows(self) -> tuple[list[str], list[list[str]]]:
        headers = ["page", "category", "audit", "title", "runs", "score", "detail"]
        rows = []
        for page in self.pages:
            for audit, count in page.failing():
                detail = audit.detail
                if audit.display:
                    detail = f"{audit.display}; {detail}" if detail else audit.display
                rows.append(
                    [
                        page.label,
                        CATEGORY_NAMES[audit.category],
                        f"`{audit.id}`",
                        audit.title,
                        f"{count} of {len(page.runs)}",
                        f"{audit.score:.2f}",
                        detail or "–",
                    ]
                )
        return headers, rows

    def page_rows(self) -> list[tuple[str, str]]:
        rows = []
        for page in self.pages:
            rows.append(
                (
                    page.label,
                    f"`{page.path}` ({page.status}, {page.size:,} B compressed, "
                    f"X-Cache {page.cache} when measured)",
                )
            )
        return rows

    def machine_rows(self) -> list[tuple[str, str]]:
        rows = self.machine.rows()
        index = self.benchmark_index
        if index == index:
            rows.append(("Lighthouse benchmarkIndex", f"{index:,.0f} (median)"))
        return rows

    def verdict(self) -> str:
        parts = []
        for page in self.pages:
            scores = ", ".join(
                f"{CATEGORY_NAMES[c]} {_score(page.score(c))}" for c in CATEGORIES
            )
            parts.append(f"{page.label}: {scores}")
        met = "met" if self.goals_met and self.measured else "NOT met"
        text = (
            f"Goal (accessibility, best practices and SEO 100; performance "
            f"≥ 95, mobile): {met}. " + "; ".join(parts)
        )
        if self.problems:
            text += " — problems: " + "; ".join(self.problems)
        return text

    def _data_seconds(self) -> float:
        return self.timings.get("migrate", 0.0) + self.timings.get("demo", 0.0)

    def method(self) -> str:
        flags = " ".join(CHROME_FLAGS)
        return (
            f"`wiesci migrate` and `wiesci demo --no-serve` (full-size photos) in "
            f"a fresh data directory ({self._data_seconds():.0f} s), "
            f"then `wiesci serve --workers {SERVER_WORKERS}` (granian, SQLite, "
            f"file caches, the task worker beside it) on that directory, with "
            f"`WIESCI_DATA_DIR` its only `WIESCI_*` variable. Each page was "
            f"fetched once to warm the caches. Lighthouse (npm, from "
            f"`node_modules`) ran {RUNS} times per page, the pages alternating, "
            f"each run with a fresh Chromium profile: `lighthouse URL "
            f"--output=json --only-categories={','.join(CATEGORIES)} "
            f"--form-factor=mobile --screenEmulation.mobile "
            f"--throttling-method=simulate --chrome-path={CHROMIUM} "
            f'--chrome-flags="{flags} --user-data-dir=…"` with '
            f"`CHROME_PATH={CHROMIUM}`: Lighthouse's default mobile profile "
            f"(a Moto G Power's screen, simulated slow 4G and a 4× slower CPU). "
            f"The scores (0–100) and metrics are medians of the runs; the "
            f"runs' scores are in parentheses. The article is the demo's story "
            f"„{self.article_title}”. Failing audits: for a category below its "
            f"goal in a run, every scored audit below a full score (for "
            f"performance, the metrics below a full score and the insights "
            f"and diagnostics scored under 0.9), with the number of runs it "
            f"failed in and the last failing run's details."
        )

    def console(self) -> str:
        failing = self.failing_rows()
        return "\n".join(
            [
                f"Lighthouse, mobile profile, {RUNS} runs per page; wiesci serve "
                f"--workers {SERVER_WORKERS} on the demo data.",
                "",
                common.text_table(["Page", ""], self.page_rows(), left=2),
                "",
                common.text_table(*self.score_rows()),
                "",
                common.text_table(*self.metric_rows()),
                "",
                *(
                    [common.text_table(*failing, left=4), ""]
                    if failing[1]
                    else ["No failing audits.", ""]
                ),
                self.verdict() + ".",
                "",
                common.text_table(["Machine", ""], self.machine_rows(), left=2),
                *(
                    ["", "Server log lines reporting errors:", *self.log_lines]
                    if self.log_lines
                    else ["", "Server log: no errors."]
                ),
                *(f"NOTE: {note}" for note in self.notes),
            ]
        )

    def markdown(self) -> str:
        failing = self.failing_rows()
        failing_block = (
            "Audits that cost a category its goal:\n\n"
            + common.markdown_table(*failing, left=7)
            + "\n"
            if failing[1]
            else "No category fell below its goal in any run.\n"
        )
        log_block = (
            "Server log lines that report errors (distinct, time stamps "
            "dropped):\n\n```\n" + "\n".join(self.log_lines) + "\n```\n"
            if self.log_lines
            else "The server log reports no errors.\n"
        )
        notes = "".join(f"\n**Note:** {note}\n" for note in self.notes)
        return f"""\
## Lighthouse (mobile)

Measured by `bench/lighthouse.py` ({self.seconds:.0f} s). The promise:
Lighthouse, mobile profile, scores the home and article pages 100 for
accessibility, best practices and SEO, and at least 95 for performance.

Method: {self.method()}

{common.markdown_table(["Page", ""], self.page_rows(), left=2)}

{common.markdown_table(*self.score_rows())}

**{self.verdict()}.**

{common.markdown_table(*self.metric_rows())}

{failing_block}
{log_block}
{common.markdown_table(["Machine", ""], self.machine_rows(), left=2)}
{notes}"""


if __name__ == "__main__":
    sys.exit(worker_main(sys.argv[1:]))
