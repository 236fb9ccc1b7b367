"""/-/metrics: counts in front of the page cache, state read at scrape time."""

from __future__ import annotations

import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from servers.waiting import free_port, http_ready, wait_until
from tests.conftest import WIESCI, run_wiesci
from tests.operations.conftest import samples, value
from wiesci.core import metrics

REQUESTS = "wiesci_http_request_duration_seconds_count"


@pytest.fixture
def scrape(portal):
    def read():
        answer = portal("/-/metrics")
        assert answer.status == 200
        assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
        return samples(answer.text)

    return read


@pytest.mark.django_db
def test_counts_of_every_process_are_read_from_the_shared_files(scrape):
    assert metrics.instruments().local is None  # multiprocess mode
    assert value(scrape(), "wiesci_scrape_errors") == 0


@pytest.mark.django_db
def test_article_views_are_counted_by_page_kind_and_cache_outcome(
    portal, scrape, make_article
):
    url = make_article().get_absolute_url()
    before = scrape()
    answers = [portal(url) for _ in range(5)]
    assert [a.headers["x-cache"] for a in answers] == ["MISS"] + ["HIT"] * 4
    after = scrape()

    def more(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert more(REQUESTS, kind="articles:detail", status="2xx") == 5
    assert more("wiesci_page_cache_answers_total", outcome="miss") == 1
    assert more("wiesci_page_cache_answers_total", outcome="hit") == 4
    assert more("wiesci_renders_total", kind="articles:detail") == 1
    # The scrape before this one counted, not a page of the portal.
    assert more(REQUESTS, kind="operations:metrics", status="2xx") == 1
    assert more("wiesci_renders_total", kind="operations:metrics") == 1


@pytest.mark.django_db
def test_kinds_are_a_few_names_never_the_paths(portal, scrape):
    before = scrape()
    for path in ("/nie-ma/1/", "/nie-ma/2/", "/media/nie-ma.jpg", "/admin/login/"):
        portal(path)
    after = scrape()
    kinds = {kind for _, labels in after for name, kind in labels if name == "kind"}
    assert {"other", "media", "admin", "operations:metrics"} <= kinds
    assert [kind for kind in kinds if "/" in kind] == []
    unknown = (REQUESTS, (("kind", "other"), ("status", "4xx")))
    assert after[unknown] - before.get(unknown, 0) == 2


@pytest.mark.django_db
def test_it_shows_comments_held_for_moderation(scrape, make_article, make_reader):
    from wiesci.comments import services
    from wiesci.comments.models import Comment, ModerationSettings

    policy = ModerationSettings.current()
    policy.premoderate_all = True
    policy.save()
    article = make_article()
    assert value(scrape(), "wiesci_comments_held") == 0
    for n in range(3):
        author = make_reader(username=f"nowy{n}", email=f"nowy{n}@example.pl")
        comment = services.post_comment(
            article, author=author, body="Pierwszy komentarz.", token=f"t{n}"
        )
        assert comment.status == Comment.Status.PENDING
    assert value(scrape(), "wiesci_comments_held") == 3


@pytest.mark.django_db
def test_it_shows_the_task_queue_and_overdue_stories(
    scrape, make_article, time_machine
):
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    for run_after in (now - timedelta(minutes=1), now, now + timedelta(hours=1)):
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="wiesci.photos.tasks.make_renditions",
            backend_name="default",
            run_after=run_after,
        )
    later = now + timedelta(hours=2)
    make_article(at=later)
    time_machine.move_to(later + timedelta(minutes=5))
    found = scrape()
    assert value(found, "wiesci_task_queue_depth") == 3  # all may run now
    assert value(found, "wiesci_task_oldest_wait_seconds") >= 5 * 60
    assert value(found, "wiesci_scheduled_overdue") == 1
    assert value(found, "wiesci_worker_heartbeat_age_seconds") == float("inf")


def test_counts_of_several_server_processes_add_up(product_env):
    """Through `wiesci serve` with two granian workers and its task worker."""
    assert run_wiesci("migrate", "--no-input", env=product_env).returncode == 0
    folder = Path(product_env["WIESCI_DATA_DIR"]) / "metrics"
    folder.mkdir(parents=True)
    (folder / "counter_1.db").write_bytes(b"left by an earlier run")
    port = free_port()
    process = subprocess.Popen(
        [str(WIESCI), "serve", "--port", str(port), "--workers", "2"],
        env=product_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"

    def fetch(path: str) -> bytes:
        with urllib.request.urlopen(base + path, timeout=20) as answer:  # noqa: S310
            return answer.read()  # type: ignore[no-any-return]

    try:
        wait_until(http_ready(base + "/", process), timeout=60, what="wiesci serve")
        assert not (folder / "counter_1.db").exists()
        start = samples(fetch("/-/metrics").decode())
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(fetch, ["/najnowsze/"] * 60))

        def latest_pages() -> float:
            # Other processes write their counts within a second.
            end = samples(fetch("/-/metrics").decode())
            return value(end, REQUESTS, kind="articles:latest", status="2xx") - value(
                start, REQUESTS, kind="articles:latest", status="2xx"
            )

        wait_until(lambda: latest_pages() >= 60, timeout=10, what="60 pages")
        assert latest_pages() == 60
        writers = {p.name.rsplit("_", 1)[1] for p in folder.glob("histogram_*.db")}
        assert len(writers) == 2, "both server processes answered and counted"
        # The task worker beside them reports in to the health check.
        wait_until(
            lambda: b'"worker": {"status": "ok"' in fetch("/-/health"),
            timeout=30,
            what="the worker's heartbeat",
        )
    finally:
        process.terminate()
        process.wait(20)
