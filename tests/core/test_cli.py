"""The installed `wiesci` command, run as an operator would run it."""

import sqlite3
from pathlib import Path

import pytest

from servers.waiting import free_port
from tests.conftest import run_wiesci


def test_django_commands_pass_through_and_default_to_sqlite_under_var(product_env):
    result = run_wiesci("migrate", "--no-input", env=product_env)
    assert result.returncode == 0, result.stderr
    database = Path(product_env["WIESCI_DATA_DIR"]) / "wiesci.sqlite3"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "accounts_user" in tables
    assert (Path(product_env["WIESCI_DATA_DIR"]) / "secret.key").exists()


def test_help_lists_the_product_commands(product_env):
    result = run_wiesci("help", env=product_env)
    assert result.returncode == 0
    for command in ("serve", "demo", "check"):
        assert f"    {command}\n" in result.stdout


def test_bad_variable_stops_with_one_line_naming_it(product_env):
    product_env["WIESCI_DEBUG"] = "perhaps"
    result = run_wiesci("check", env=product_env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "wiesci: WIESCI_DEBUG: expected true or false, got 'perhaps'"
    ]


def test_serve_without_postgres_exits_with_one_line_naming_the_variable(product_env):
    product_env["WIESCI_DATABASE_URL"] = (
        f"postgres://wiesci@127.0.0.1:{free_port()}/wiesci"
    )
    result = run_wiesci(
        "serve", "--port", str(free_port()), env=product_env, timeout=60
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("wiesci: WIESCI_DATABASE_URL: cannot use the database")
    assert "Traceback" not in result.stderr + result.stdout


def test_serve_refuses_an_unmigrated_database(product_env):
    result = run_wiesci(
        "serve", "--port", str(free_port()), env=product_env, timeout=60
    )
    assert result.returncode == 1
    assert "run `wiesci migrate` first" in result.stderr


def test_check_in_production_mode_runs_deploy_checks_and_passes(product_env):
    product_env["WIESCI_ALLOWED_HOSTS"] = "wiesci.example.pl"
    for args in (("check",), ("check", "--deploy")):
        result = run_wiesci(*args, env=product_env)
        assert result.returncode == 0, result.stderr
        assert (
            result.stdout.strip() == "System check identified no issues (0 silenced)."
        )
        assert result.stderr == ""


def test_check_in_production_mode_reports_a_weakened_setup(product_env):
    product_env["WIESCI_ALLOWED_HOSTS"] = "wiesci.example.pl"
    product_env["WIESCI_HTTPS"] = "false"
    result = run_wiesci("check", env=product_env)
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT
    assert "security.W012" in result.stderr  # SESSION_COOKIE_SECURE


def unreachable_postgres() -> str:
    return f"postgres://wiesci@127.0.0.1:{free_port()}/wiesci"


@pytest.mark.parametrize(
    "command",
    [("migrate", "--no-input"), ("demo", "--no-serve"), ("createsuperuser",)],
)
def test_any_command_without_its_database_says_so_in_one_line(product_env, command):
    product_env["WIESCI_DATABASE_URL"] = unreachable_postgres()
    result = run_wiesci(*command, env=product_env, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("wiesci: WIESCI_DATABASE_URL: cannot use the database")
    assert "Traceback" not in result.stderr + result.stdout


def test_a_fault_in_a_command_still_shows_its_traceback(product_env):
    """Only an unreachable database is reported in one line; a bug is not hidden."""
    assert run_wiesci("migrate", "--no-input", env=product_env).returncode == 0
    bad_query = (
        "from django.db import connection;"
        "connection.cursor().execute('SELECT * FROM no_such_table')"
    )
    result = run_wiesci("shell", "--no-imports", "-c", bad_query, env=product_env)
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert "no_such_table" in result.stderr


def test_an_unreadable_secret_key_stops_with_one_line(product_env):
    data = Path(product_env["WIESCI_DATA_DIR"])
    (data / "secret.key").mkdir(parents=True)
    result = run_wiesci("migrate", "--no-input", env=product_env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("wiesci: WIESCI_DATA_DIR: cannot read the secret key")
    assert "WIESCI_SECRET_KEY" in lines[0]


@pytest.mark.parametrize(
    "value", ["wiesci.example.pl", "ftp://wiesci.example.pl", "https://", "/sciezka"]
)
def test_a_site_url_that_is_no_web_address_stops_with_one_line(product_env, value):
    product_env["WIESCI_SITE_URL"] = value
    result = run_wiesci("check", env=product_env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "wiesci: WIESCI_SITE_URL: expected an address such as https://example.pl, "
        f"got {value!r}"
    ]
