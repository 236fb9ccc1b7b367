import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from wiesci.core.environ import (
    ConfigError,
    Env,
    cache_config,
    database_config,
    email_config,
    media_storages,
    object_storage_address,
    object_storage_options,
    origin,
    read_or_create_secret_key,
    replica_databases,
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


# --- Media on object storage ------------------------------------------------


def test_object_storage_url_names_bucket_prefix_and_endpoint():
    options = object_storage_options(
        "s3://AKIA123:se%2Fcr%2Bet@s3.eu-central-1.amazonaws.com/wiesci-media/portal",
        name="WIESCI_MEDIA_URL",
    )
    assert options == {
        "access_key": "AKIA123",
        "secret_key": "se/cr+et",
        "bucket_name": "wiesci-media",
        "location": "portal",
        "endpoint_url": "https://s3.eu-central-1.amazonaws.com",
        "region_name": "eu-central-1",
        "addressing_style": "virtual",
    }
    assert object_storage_address(options) == (
        "https://wiesci-media.s3.eu-central-1.amazonaws.com/portal"
    )


def test_s3_http_url_is_plain_http_with_path_addressing():
    options = object_storage_options(
        "s3+http://key:secret@127.0.0.1:8333/media?region=pl-1", name="X"
    )
    assert options["endpoint_url"] == "http://127.0.0.1:8333"
    assert (options["region_name"], options["addressing_style"]) == ("pl-1", "path")
    assert options["location"] == ""
    assert object_storage_address(options) == "http://127.0.0.1:8333/media"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://key:secret@host/bucket", "expected s3://KEY:SECRET@host/bucket"),
        ("s3://host/bucket", "gives no access key and secret"),
        ("s3://key:secret@host/", "names no bucket"),
        ("s3://key:secret@host/Media_Files", "is not a bucket name"),
        ("s3://key:secret@host/media?acl=public", "unknown option 'acl'"),
        ("s3://key:secret@host/media?addressing=dns", "path or virtual"),
        ("s3://key:secret@host:port/media", "expected s3://"),
    ],
)
def test_bad_object_storage_urls_name_the_variable(url: str, message: str):
    with pytest.raises(
        ConfigError, match=rf"^WIESCI_MEDIA_URL: .*{re.escape(message)}"
    ):
        object_storage_options(url, name="WIESCI_MEDIA_URL")


MEDIA = "s3+http://key:secret@127.0.0.1:8333/public/wiesci"
PRIVATE = "s3+http://key:secret@127.0.0.1:8333/private/wiesci"


def test_media_stay_on_disk_without_an_object_storage_url():
    assert media_storages(Env({})) == {}


def test_object_storage_puts_public_and_private_media_in_their_buckets():
    found = media_storages(
        Env({"WIESCI_MEDIA_URL": MEDIA, "WIESCI_PRIVATE_MEDIA_URL": PRIVATE})
    )
    public, private = found["default"], found["private"]
    assert public["BACKEND"] == "wiesci.core.objectstorage.PublicObjectStorage"
    assert public["OPTIONS"]["bucket_name"] == "public"
    assert public["OPTIONS"]["public_url"] == "http://127.0.0.1:8333/public/wiesci"
    assert private["BACKEND"] == "wiesci.core.objectstorage.PrivateObjectStorage"
    assert private["OPTIONS"]["bucket_name"] == "private"
    assert "public_url" not in private["OPTIONS"]


def test_public_media_address_may_be_a_cdn():
    found = media_storages(
        Env(
            {
                "WIESCI_MEDIA_URL": MEDIA,
                "WIESCI_PRIVATE_MEDIA_URL": PRIVATE,
                "WIESCI_MEDIA_PUBLIC_URL": "https://cdn.wiesci.pl/media/",
            }
        )
    )
    assert found["default"]["OPTIONS"]["public_url"] == "https://cdn.wiesci.pl/media"
    assert origin("https://cdn.wiesci.pl/media/") == "https://cdn.wiesci.pl"


def test_object_storage_needs_a_private_bucket_for_the_originals():
    with pytest.raises(ConfigError, match=r"^WIESCI_PRIVATE_MEDIA_URL: needed when"):
        media_storages(Env({"WIESCI_MEDIA_URL": MEDIA}))


@pytest.mark.parametrize(
    "private",
    [
        "s3+http://key:secret@127.0.0.1:8333/public/wiesci",
        "s3+http://key:secret@127.0.0.1:8333/public/wiesci/originals",
        "s3+http://other:key@127.0.0.1:8333/public",
    ],
)
def test_originals_may_not_lie_where_public_media_are_readable(private: str):
    with pytest.raises(ConfigError, match=r"^WIESCI_PRIVATE_MEDIA_URL: must not lie"):
        media_storages(
            Env({"WIESCI_MEDIA_URL": MEDIA, "WIESCI_PRIVATE_MEDIA_URL": private})
        )


def test_another_prefix_of_the_public_bucket_may_hold_the_originals():
    found = media_storages(
        Env(
            {
                "WIESCI_MEDIA_URL": MEDIA,
                "WIESCI_PRIVATE_MEDIA_URL": MEDIA.replace("/wiesci", "/oryginaly"),
            }
        )
    )
    assert found["private"]["OPTIONS"]["location"] == "oryginaly"


@pytest.mark.parametrize(
    "name", ["WIESCI_PRIVATE_MEDIA_URL", "WIESCI_MEDIA_PUBLIC_URL"]
)
def test_object_storage_variables_need_the_media_url(name: str):
    with pytest.raises(ConfigError, match=rf"^{name}: needs WIESCI_MEDIA_URL"):
        media_storages(Env({name: "https://cdn.wiesci.pl"}))


def test_settings_on_object_storage_let_pages_load_media_from_there(tmp_path: Path):
    """MEDIA_URL is the public address, and the policy lets images and videos
    come from its origin (a subprocess: settings are read once per process)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("WIESCI_", "DJANGO_"))
    }
    env |= {
        "WIESCI_DATA_DIR": str(tmp_path),
        "WIESCI_MEDIA_URL": MEDIA,
        "WIESCI_PRIVATE_MEDIA_URL": PRIVATE,
        "WIESCI_MEDIA_PUBLIC_URL": "https://cdn.wiesci.pl/media",
    }
    script = (
        "import json, wiesci.settings as s; print(json.dumps([s.MEDIA_URL, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES'], s.STORAGES['staticfiles']]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    media_url, policy, static = json.loads(done.stdout)
    assert media_url == "https://cdn.wiesci.pl/media/"
    assert policy["img-src"] == ["'self'", "data:", "https://cdn.wiesci.pl"]
    assert policy["media-src"] == ["'self'", "https://cdn.wiesci.pl"]
    assert policy["default-src"] == ["'self'"]
    assert static["BACKEND"] == "wiesci.core.storage.HashedStaticFilesStorage"


PRIMARY = database_config("postgres://news@db1.example.pl/wiesci")


def test_replica_urls_become_replica_aliases_mirroring_the_primary():
    env = Env(
        {
            "WIESCI_DATABASE_REPLICA_URLS": (
                "postgres://news@db2.example.pl/wiesci, "
                "postgres://news@db3.example.pl/wiesci?connect_timeout=10"
            )
        }
    )
    replicas = replica_databases(env, PRIMARY)
    assert list(replicas) == ["replica1", "replica2"]
    assert [r["HOST"] for r in replicas.values()] == [
        "db2.example.pl",
        "db3.example.pl",
    ]
    assert all(r["TEST"] == {"MIRROR": "default"} for r in replicas.values())
    assert replicas["replica1"]["OPTIONS"]["connect_timeout"] == 3
    assert replicas["replica2"]["OPTIONS"]["connect_timeout"] == 10


def test_no_replicas_without_the_variable():
    assert replica_databases(Env({}), PRIMARY) == {}


@pytest.mark.parametrize(
    ("urls", "message"),
    [
        ("sqlite:///var/replica.sqlite3", "replica 1 is not a postgres:// URL"),
        ("postgres://db2/wiesci,mysql://db3/wiesci", "unsupported scheme 'mysql'"),
        ("postgres://db2.example.pl", "names no database"),
        (" , ", "must list at least one value"),
    ],
)
def test_bad_replica_urls_name_the_variable(urls: str, message: str):
    env = Env({"WIESCI_DATABASE_REPLICA_URLS": urls})
    with pytest.raises(
        ConfigError, match=rf"^WIESCI_DATABASE_REPLICA_URLS: .*{message}"
    ):
        replica_databases(env, PRIMARY)


def test_replicas_need_a_postgresql_primary(tmp_path: Path):
    env = Env({"WIESCI_DATABASE_REPLICA_URLS": "postgres://db2.example.pl/wiesci"})
    primary = database_config(f"sqlite:///{tmp_path}/portal.sqlite3")
    with pytest.raises(
        ConfigError,
        match=r"^WIESCI_DATABASE_REPLICA_URLS: replicas need a PostgreSQL primary",
    ):
        replica_databases(env, primary)
