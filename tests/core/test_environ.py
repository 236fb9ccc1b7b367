from pathlib import Path

import pytest

from wiesci.core.environ import (
    ConfigError,
    Env,
    cache_config,
    database_config,
    email_config,
    read_or_create_secret_key,
)


def test_bool_accepts_the_usual_words():
    env = Env({"A": "yes", "B": "Off", "C": "1"})
    assert env.flag("A", False) is True
    assert env.flag("B", True) is False
    assert env.flag("C", False) is True
    assert env.flag("MISSING", True) is True


def test_bool_rejects_other_words_naming_the_variable():
    with pytest.raises(ConfigError, match=r"^WIESCI_DEBUG: expected true or false"):
        Env({"WIESCI_DEBUG": "maybe"}).flag("WIESCI_DEBUG", False)


def test_int_rejects_text_and_small_values():
    with pytest.raises(ConfigError, match="WIESCI_X: expected a whole number"):
        Env({"WIESCI_X": "ten"}).integer("WIESCI_X", 1)
    with pytest.raises(ConfigError, match="WIESCI_X: must be at least 1"):
        Env({"WIESCI_X": "0"}).integer("WIESCI_X", 1, minimum=1)


def test_list_splits_on_commas_and_refuses_empty():
    assert Env({"H": " a.pl, b.pl ,"}).items("H", []) == ["a.pl", "b.pl"]
    with pytest.raises(ConfigError, match="H: must list at least one value"):
        Env({"H": " , "}).items("H", ["x"])


def test_postgres_url_gives_persistent_checked_connections():
    config = database_config("postgres://news:s%40cret@db.example.pl:5433/wiesci")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == (
        "wiesci",
        "news",
        "s@cret",
    )
    assert (config["HOST"], config["PORT"]) == ("db.example.pl", 5433)
    assert config["CONN_MAX_AGE"] > 0
    assert config["CONN_HEALTH_CHECKS"] is True


def test_sqlite_url_gets_wal_immediate_transactions_and_busy_timeout(tmp_path: Path):
    config = database_config(f"sqlite:///{tmp_path}/portal.sqlite3")
    assert config["NAME"] == str(tmp_path / "portal.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/wiesci", "unsupported scheme 'mysql'"),
        ("postgres://db.example.pl", "names no database"),
        ("nonsense", "unsupported scheme ''"),
    ],
)
def test_bad_database_urls_name_the_variable(url: str, message: str):
    with pytest.raises(ConfigError, match=rf"^WIESCI_DATABASE_URL: .*{message}"):
        database_config(url)


def test_cache_defaults_to_files_shared_by_workers(tmp_path: Path):
    config = cache_config("", default_dir=tmp_path)
    assert config["BACKEND"].endswith("FileBasedCache")
    assert config["LOCATION"] == str(tmp_path)


def test_cache_url_switches_to_redis(tmp_path: Path):
    config = cache_config("redis://cache:6379/2", default_dir=tmp_path)
    assert config["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert config["LOCATION"] == "redis://cache:6379/2"
    with pytest.raises(
        ConfigError, match=r"^WIESCI_CACHE_URL: unsupported scheme 'memcache'"
    ):
        cache_config("memcache://x", default_dir=tmp_path)


def test_email_url_for_submission_port_uses_starttls():
    config = email_config("submission://news%40example.pl:pw@smtp.example.pl")
    assert config["EMAIL_HOST"] == "smtp.example.pl"
    assert config["EMAIL_PORT"] == 587
    assert config["EMAIL_HOST_USER"] == "news@example.pl"
    assert config["EMAIL_USE_TLS"] is True
    with pytest.raises(ConfigError, match=r"^WIESCI_EMAIL_URL: unsupported scheme"):
        email_config("pigeon://coop")


def test_secret_key_is_generated_once_and_private(tmp_path: Path):
    path = tmp_path / "secret.key"
    first = read_or_create_secret_key(path)
    assert len(first) >= 50
    assert path.stat().st_mode & 0o077 == 0
    assert read_or_create_secret_key(path) == first


def test_site_url_must_be_an_absolute_web_address():
    env = Env({"WIESCI_SITE_URL": " https://wiesci.example.pl/ "})
    assert env.url("WIESCI_SITE_URL", "http://x") == "https://wiesci.example.pl"
    assert Env({}).url("WIESCI_SITE_URL", "http://127.0.0.1:8000") == (
        "http://127.0.0.1:8000"
    )
    for bad in ("wiesci.example.pl", "mailto:a@b.pl", "http://", "https://x.pl:port"):
        with pytest.raises(ConfigError, match=r"^WIESCI_SITE_URL: expected an address"):
            Env({"WIESCI_SITE_URL": bad}).url("WIESCI_SITE_URL", "http://x")


def test_an_unreadable_secret_key_names_the_data_directory(tmp_path: Path):
    (tmp_path / "secret.key").mkdir()
    with pytest.raises(
        ConfigError, match=r"^WIESCI_DATA_DIR: cannot read the secret key .*secret.key"
    ):
        read_or_create_secret_key(tmp_path / "secret.key")
    (tmp_path / "binary.key").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not a text file"):
        read_or_create_secret_key(tmp_path / "binary.key")
