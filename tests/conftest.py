"""Fixtures shared by the whole suite: personas, factories, servers."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from tests.postgres import free_port
from tests.servers import wait_until

WIESCI = Path(sys.executable).parent / "wiesci"


def pytest_report_header(config: pytest.Config) -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        where = f"PostgreSQL, throwaway cluster on {db['HOST']}:{db['PORT']}"
    else:
        where = "SQLite"
    return f"database: {where}"


@pytest.fixture
def product_env(tmp_path: Path) -> dict[str, str]:
    """Environment for running the installed `wiesci` command in a subprocess."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("WIESCI_") and k != "DJANGO_SETTINGS_MODULE"
    }
    env["WIESCI_DATA_DIR"] = str(tmp_path / "var")
    return env


def run_wiesci(
    *args: str, env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WIESCI), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server on a free port, for the tests that need one."""
    import redis

    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path_factory.mktemp("redis")),
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        wait_until(answers, timeout=20, what="redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
