"""The article page past the page cache: server CPU per request, fragments warm.

What a logged-in reader, or any reader right after a purge, costs the server
once the page's fragments are back in the cache. The goal (from the flood-day
work): at most half of what `main` measured before that work began
(BASELINE below), on the same data, in the same run.

The data: `wiesci migrate` and `wiesci demo --no-serve` in a fresh data
directory, copied for the baseline (whose code reads the newer schema: the
tables it does not know are left alone). The baseline's code comes from a
git worktree of BASELINE. Each side runs in its own process (`python -c
WORKER` with that side's code first on the path): it renders the demo's key
article through Django's test client until its fragments are warm, then
measures the process's CPU time over REQUESTS requests, ROUNDS times; its
best round counts. The sides alternate TURNS times and each keeps its best
turn, so that a noisy moment of the shared machine hurts neither.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import common
from bench.http import KEY_STORY

# The last commit of main before the flood-day work (the page cache's
# single render per purge came next).
BASELINE = "141e44d70de607a76c26c8d777f0e9c1a27f77d4"
GOAL_RATIO = 0.5
REQUESTS = 300
ROUNDS = 5
TURNS = 3
WARMUP = 50
COMMAND_TIMEOUT_S = 600.0
WORKER_TIMEOUT_S = 300.0

# Runs with either side's code; imports nothing of bench.
WORKER = """
import json, os, sys, time
import django
django.setup()
from django.test import Client
from wiesci.articles.models import Article

key, requests, rounds, warmup = sys.argv[1], *map(int, sys.argv[2:5])
article = Article.objects.filter(slug__startswith=key).order_by("pk").first()
url = article.get_absolute_url()
client = Client(HTTP_HOST="127.0.0.1")
for _ in range(warmup):
    assert client.get(url).status_code == 200
best = []
for _ in range(rounds):
    started = time.process_time()
    for _ in range(requests):
        client.get(url)
    best.append((time.process_time() - started) / requests * 1000)
print(json.dumps({"ms": min(best), "rounds": best, "url": url}))
"""


def _measure(tree: Path, data_dir: Path) -> dict[str, object]:
    env = common.product_env(
        {"WIESCI_DATA_DIR": str(data_dir), "PYTHONPATH": str(tree)}
    )
    completed = subprocess.run(  # noqa: S603 - our interpreter and our code
        [
            sys.executable,
            "-c",
            WORKER,
            KEY_STORY,
            str(REQUESTS),
            str(ROUNDS),
            str(WARMUP),
        ],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=WORKER_TIMEOUT_S,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise RuntimeError(
            f"the render worker in {tree.name} failed ({completed.returncode}):\n"
            + completed.stderr[-3000:]
        )
    result: dict[str, object] = json.loads(lines[-1])
    return result


def _git() -> str:
    found = shutil.which("git")
    if found is None:
        raise RuntimeError("git is needed to check out the baseline")
    return found


def _worktree(folder: Path) -> Path:
    tree = folder / "baseline"
    subprocess.run(  # noqa: S603 - git, on this repository
        [_git(), "worktree", "add", "--detach", "--force", str(tree), BASELINE],
        cwd=common.ROOT,
        capture_output=True,
        check=True,
        timeout=COMMAND_TIMEOUT_S,
    )
    return tree


def _drop_worktree(tree: Path) -> None:
    subprocess.run(  # noqa: S603 - git, on this repository
        [_git(), "worktree", "remove", "--force", str(tree)],
        cwd=common.ROOT,
        capture_output=True,
        check=False,
        timeout=COMMAND_TIMEOUT_S,
    )


def run() -> common.SectionResult:
    machine = common.Machine.snapshot()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wiesci-bench-render-") as name:
        folder = Path(name)
        data_dir = folder / "data"
        env = common.product_env({"WIESCI_DATA_DIR": str(data_dir)})
        common.say("  data: migrate, demo…")
        common.run_command(
            [*common.wiesci_command(), "migrate", "--no-input"],
            env,
            "wiesci migrate",
            timeout=COMMAND_TIMEOUT_S,
        )
        common.run_command(
            [*common.wiesci_command(), "demo", "--no-serve", "--photo-width", "480"],
            env,
            "wiesci demo",
            timeout=COMMAND_TIMEOUT_S,
        )
        common.run_command(
            [*common.wiesci_command(), "collectstatic", "--no-input", "-v", "0"],
            env,
            "wiesci collectstatic",
            timeout=COMMAND_TIMEOUT_S,
        )
        baseline_data = folder / "baseline-data"
        shutil.copytree(data_dir, baseline_data)
        tree = _worktree(folder)
        try:
            ours: list[float] = []
            theirs: list[float] = []
            for turn in range(TURNS):
                common.say(f"  turn {turn + 1}/{TURNS}: this tree, then the baseline…")
                ours.append(float(str(_measure(common.ROOT, data_dir)["ms"])))
                theirs.append(float(str(_measure(tree, baseline_data)["ms"])))
        finally:
            _drop_worktree(tree)
    machine.finish()
    now, before = min(ours), min(theirs)
    ratio = now / before
    ok = ratio <= GOAL_RATIO
    verdict = (
        f"Goal met: {common.ratio(ratio)} of the baseline, at most "
        f"{common.ratio(GOAL_RATIO)} wanted."
        if ok
        else f"Goal NOT met: {common.ratio(ratio)} of the baseline, at most "
        f"{common.ratio(GOAL_RATIO)} wanted."
    )
    header = ["code", "CPU per request (best turn)", "turns"]
    rows = [
        ["this tree", f"{now:.2f} ms", ", ".join(f"{v:.2f}" for v in ours)],
        [
            f"main before the flood-day work ({BASELINE[:7]})",
            f"{before:.2f} ms",
            ", ".join(f"{v:.2f}" for v in theirs),
        ],
        ["ratio", common.ratio(ratio), ""],
    ]
    seconds = time.monotonic() - started
    markdown = "\n\n".join(
        [
            "## The article page past the page cache",
            f"Measured by `bench/render.py` ({seconds:.0f} s). The demo's key "
            "article rendered by Django's test client with its fragments warm "
            "(what a logged-in reader, or the first reader after a purge, "
            f"costs): the process's CPU time over {REQUESTS} requests, best of "
            f"{ROUNDS} rounds, best of {TURNS} turns that alternate between "
            "this tree and the baseline on copies of the same data.",
            common.markdown_table(header, rows),
            verdict,
            common.markdown_table(["Machine", ""], machine.rows()),
        ]
    )
    console = common.text_table(header, rows) + "\n" + verdict
    return common.SectionResult(
        name="render", console=console, markdown=markdown, ok=ok
    )
