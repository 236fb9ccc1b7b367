"""Read replicas: anonymous renders read from a standby that has caught up.

The standby is a real streaming replica of the throwaway cluster
(servers/postgres.py), so it sees only what the primary has committed: these
tests are transactional. The `replica1` alias exists while this module runs
(a module fixture, set up before each test's database setup); it mirrors
"default", so pytest-django neither creates nor flushes it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from servers.waiting import free_port, wait_until
from wiesci.articles import services
from wiesci.articles.models import Article
from wiesci.comments.models import ModerationSettings
from wiesci.core import replicas
from wiesci.core.actors import COMMAND
from wiesci.taxonomy.models import Section

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(not ON_POSTGRES, reason="replicas are PostgreSQL standbys"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica1"]),
]
POSITION_QUESTION = "pg_last_wal_replay_lsn"


@pytest.fixture(scope="session")
def standby() -> dict[str, Any]:
    from servers.postgres import throwaway_standby

    return throwaway_standby(settings.DATABASES["default"])


@pytest.fixture(scope="module")
def replica_alias(django_db_setup: None, standby: dict[str, Any]) -> Iterator[str]:
    """`replica1`: the standby's copy of the test database."""
    primary = connections["default"].settings_dict
    connections.settings["replica1"] = {
        **primary,
        "PORT": standby["PORT"],
        "TEST": {**primary["TEST"], "MIRROR": "default"},
    }
    yield "replica1"
    connections["replica1"].close()
    del connections["replica1"]
    del connections.settings["replica1"]


@pytest.fixture
def replica(replica_alias: str) -> Iterator[BaseDatabaseWrapper]:
    # The flush before this test removed the row a page creates on its
    # first render, reading it for that on the primary (get_or_create); a
    # running portal has it, and in its cache.
    ModerationSettings.cached()
    # A new connection to the primary watches its writes (core.apps).
    connections["default"].close()
    replicas.forget()
    yield connections[replica_alias]
    connections[replica_alias].close()
    replicas.forget()


def replayed(replica: BaseDatabaseWrapper) -> int:
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() - '0/0'")
        return int(cursor.fetchone()[0])


def wait_for_replay(replica: BaseDatabaseWrapper) -> None:
    """Wait until the standby has replayed everything written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn() - '0/0'")
        target = int(cursor.fetchone()[0])
    wait_until(lambda: replayed(replica) >= target, timeout=10, what="replay")
    replicas.forget()


def page_queries(queries: CaptureQueriesContext) -> list[str]:
    """The queries of a page, without the router's question for the position."""
    return [q["sql"] for q in queries if POSITION_QUESTION not in q["sql"]]


def test_an_anonymous_article_page_reads_from_the_replica(
    client, make_article, replica
):
    article = make_article(title="Odra przybiera w Raciborzu")
    wait_for_replay(replica)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as standby,
    ):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert "Odra przybiera w Raciborzu" in response.content.decode()
    assert len(page_queries(standby)) >= 3
    assert primary.captured_queries == []


def test_a_logged_in_readers_page_reads_from_the_primary(
    client, make_article, reader, replica
):
    article = make_article()
    client.force_login(reader)
    wait_for_replay(replica)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as standby,
    ):
        response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert len(primary) >= 3
    assert standby.captured_queries == []


def test_a_comment_is_posted_on_the_primary(
    client, make_article, reader, trusted, replica
):
    article = make_article()
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    wait_for_replay(replica)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as standby,
    ):
        response = client.post(
            reverse("comments:post", args=[article.slug]),
            {"body": "Woda już opada.", "token": token},
        )
    assert response.status_code == 302
    assert any(q["sql"].startswith("INSERT") for q in primary)
    assert standby.captured_queries == []


@pytest.mark.parametrize("write", ["orm", "sql"])
def test_reads_after_a_write_in_a_request_come_from_the_primary(
    rf, make_article, replica, write
):
    article = make_article()
    wait_for_replay(replica)
    read_from = []

    def view(request: HttpRequest) -> HttpResponse:
        read_from.append(Article.objects.get(pk=article.pk)._state.db)
        if write == "orm":
            Section.objects.create(name="Kultura", slug="kultura")
        else:
            with connections["default"].cursor() as cursor:
                cursor.execute("UPDATE articles_article SET lead = 'Nowy lead.'")
        read_from.append(Article.objects.get(pk=article.pk)._state.db)
        return HttpResponse()

    replicas.ReplicaReadsMiddleware(view)(rf.get("/"))
    assert read_from == ["replica1", "default"]


def test_reads_outside_a_request_come_from_the_primary(make_article, replica):
    article = make_article()
    wait_for_replay(replica)
    assert Article.objects.get(pk=article.pk)._state.db == "default"


def test_a_replica_behind_the_last_write_is_not_read(server, make_article, replica):
    """After a change the page cache is purged; the next render must not
    read from a replica that has not replayed the change, or the old page
    would be stored again."""
    article = make_article(title="Festyn w Brzeziu przełożony")
    url = article.get_absolute_url()
    wait_for_replay(replica)
    assert "Festyn w Brzeziu przełożony" in server(url).text
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        article.title = "Festyn w Brzeziu odbędzie się w niedzielę"
        services.save_article(article, by=COMMAND)
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(replica) as standby,
        ):
            fresh = server(url)
        assert "odbędzie się w niedzielę" in fresh.text
        assert fresh.headers["x-cache"] == "MISS"
        assert page_queries(standby) == []
        assert len(primary) >= 3
        stored = server(url)
        assert stored.headers["x-cache"] == "HIT"
        assert "odbędzie się w niedzielę" in stored.text
    finally:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


def test_a_replica_that_caught_up_is_read_again(client, make_article, replica):
    article = make_article()
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        services.save_article(article, by=COMMAND)
        with CaptureQueriesContext(replica) as standby:
            client.get(article.get_absolute_url())
        assert page_queries(standby) == []
    finally:
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    wait_for_replay(replica)
    with CaptureQueriesContext(replica) as standby:
        client.get(article.get_absolute_url())
    assert page_queries(standby) != []


def test_an_unreachable_replica_is_skipped_with_one_warning(
    client, make_article, replica, caplog
):
    article = make_article(title="Most w Nędzy zamknięty")
    replica.settings_dict["PORT"] = str(free_port())  # nothing listens there
    caplog.set_level(logging.WARNING, logger="wiesci.core.replicas")
    with CaptureQueriesContext(connections["default"]) as primary:
        pages = [client.get(article.get_absolute_url()) for _ in range(3)]
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert all("Most w Nędzy zamknięty" in page.content.decode() for page in pages)
    assert len(primary) >= 9
    [warning] = caplog.records
    assert warning.getMessage().startswith(
        "Replica replica1 cannot be used, reading from the primary"
    )


def test_wiesci_check_says_when_a_replica_cannot_be_used(replica, standby):
    from io import StringIO

    from django.core.management import call_command

    def check() -> str:
        errors = StringIO()
        call_command("check", stdout=StringIO(), stderr=errors)
        return errors.getvalue()

    replica.settings_dict["PORT"] = standby["PORT"]
    assert check() == ""
    replica.settings_dict["PORT"] = str(free_port())  # nothing listens there
    try:
        assert re.match(
            r"WIESCI_DATABASE_REPLICA_URLS: replica 1 cannot be reached \(.+\); "
            "anonymous pages read from the primary until it answers",
            check(),
        )
    finally:
        replica.settings_dict["PORT"] = standby["PORT"]
