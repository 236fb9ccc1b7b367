"""Typed readers for WIESCI_* environment variables.

Each reader raises ConfigError with a one-line message that names the variable,
so that a bad value stops start-up with a sentence an operator can act on.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class ConfigError(ImproperlyConfigured):
    """A WIESCI_* variable is missing or malformed."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(f"{name}: {problem}")


class Env:
    """Read settings from a mapping of environment variables."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def text(self, name: str, default: str) -> str:
        return self.environ.get(name, default).strip()

    def flag(self, name: str, default: bool) -> bool:
        if name not in self.environ:
            return default
        value = self.environ[name].strip().lower()
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        raise ConfigError(name, f"expected true or false, got {value!r}")

    def integer(self, name: str, default: int, *, minimum: int = 0) -> int:
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(name, f"expected a whole number, got {raw!r}") from None
        if value < minimum:
            raise ConfigError(name, f"must be at least {minimum}, got {value}")
        return value

    def items(self, name: str, default: list[str]) -> list[str]:
        if name not in self.environ:
            return default
        items = [item.strip() for item in self.environ[name].split(",")]
        items = [item for item in items if item]
        if not items:
            raise ConfigError(name, "must list at least one value")
        return items

    def networks(
        self, name: str, default: list[str]
    ) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        """Comma-separated networks in CIDR notation (`10.0.0.0/8,::1/128`);
        a bare address is a network of one."""
        found = []
        for item in self.items(name, default):
            try:
                found.append(ipaddress.ip_network(item))
            except ValueError as exc:
                raise ConfigError(name, f"not a network: {exc}") from None
        return found

    def choice(self, name: str, default: str, choices: list[str]) -> str:
        value = self.environ.get(name, default).strip().upper() or default
        if value not in choices:
            raise ConfigError(
                name, f"expected one of {', '.join(choices)}, got {value!r}"
            )
        return value

    def path(self, name: str, default: Path) -> Path:
        raw = self.environ.get(name, "").strip()
        return Path(raw).expanduser().resolve() if raw else default.resolve()

    def has(self, name: str) -> bool:
        return bool(self.environ.get(name, "").strip())

    def url(self, name: str, default: str) -> str:
        """An absolute http:// or https:// address, without a trailing slash."""
        raw = self.environ.get(name, "").strip() or default
        try:
            parts = urlsplit(raw)
            parts.port  # noqa: B018 (raises ValueError for a bad port)
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in {"http", "https"}
            or not parts.hostname
            or parts.query
            or parts.fragment
        ):
            raise ConfigError(
                name, f"expected an address such as https://example.pl, got {raw!r}"
            )
        return raw.rstrip("/")


def ensure_data_dir(path: Path) -> Path:
    """Create the data directory, failing with a message that names the variable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            "WIESCI_DATA_DIR", f"cannot create {path} ({exc.strerror})"
        ) from None
    return path


def read_or_create_secret_key(path: Path) -> str:
    """Return the key stored at `path`, generating it on first start.

    The file is created with mode 0600 and never overwritten, so sessions and
    signed links survive restarts.
    """
    try:
        key = _read_secret_key(path)
    except FileNotFoundError:
        key = ""
    if key:
        return key
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process wrote it first; use theirs.
        return _read_secret_key(path)
    except OSError as exc:
        raise ConfigError(
            "WIESCI_DATA_DIR",
            f"cannot write the secret key {path} ({exc.strerror}); "
            "fix the directory or set WIESCI_SECRET_KEY",
        ) from None
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


def _read_secret_key(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not a text file"
        raise ConfigError(
            "WIESCI_DATA_DIR",
            f"cannot read the secret key {path} ({reason}); "
            "fix the file or set WIESCI_SECRET_KEY",
        ) from None


def database_config(url: str, *, name: str = "WIESCI_DATABASE_URL") -> dict[str, Any]:
    """Translate a database URL into Django's DATABASES entry."""
    scheme = urlsplit(url).scheme
    if scheme not in {"postgres", "postgresql", "pgsql", "sqlite"}:
        raise ConfigError(
            name, f"unsupported scheme {scheme!r}; use postgres://… or sqlite:///…"
        )
    try:
        # Persistent connections, checked before reuse so that a restarted
        # PostgreSQL does not surface as one failed request per worker.
        config: dict[str, Any] = dict(
            dj_database_url.parse(url, conn_max_age=600, conn_health_checks=True)
        )
    except ValueError as exc:
        raise ConfigError(name, str(exc)) from None
    if config["ENGINE"].endswith("sqlite3"):
        if config["NAME"] in {"", ":memory:"}:
            raise ConfigError(name, "the URL names no file (sqlite:///path/to/file)")
        return sqlite_config(Path(config["NAME"]))
    if not config.get("NAME"):
        raise ConfigError(name, "the URL names no database (postgres://host/NAME)")
    return config


def replica_databases(env: Env, primary: Mapping[str, Any]) -> dict[str, Any]:
    """DATABASES entries `replica1`, `replica2`, … for the PostgreSQL standbys
    in WIESCI_DATABASE_REPLICA_URLS (comma-separated), none when unset.

    Each mirrors "default" in tests (TEST MIRROR), which is also how
    `core.replicas` tells a replica from another database.
    """
    name = "WIESCI_DATABASE_REPLICA_URLS"
    if not env.has(name):
        return {}
    if not primary["ENGINE"].endswith("postgresql"):
        raise ConfigError(
            name,
            "replicas need a PostgreSQL primary (WIESCI_DATABASE_URL=postgres://…)",
        )
    replicas = {}
    for n, url in enumerate(env.items(name, []), start=1):
        config = database_config(url, name=name)
        if not config["ENGINE"].endswith("postgresql"):
            raise ConfigError(name, f"replica {n} is not a postgres:// URL")
        # An unreachable replica must cost a reader seconds, not minutes.
        config["OPTIONS"] = {"connect_timeout": 3, **config.get("OPTIONS", {})}
        config["TEST"] = {"MIRROR": "default"}
        replicas[f"replica{n}"] = config
    return replicas


def sqlite_config(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # Take the write lock when a transaction starts, so two writers wait
            # for each other (busy timeout) instead of failing with "database is
            # locked" when one upgrades a read lock.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # WAL lets readers run beside a writer; synchronous=NORMAL in WAL
            # mode keeps every committed transaction across a crash of the
            # server process (only an OS crash may lose the newest ones).
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-20000;"
            ),
        },
    }


def cache_config(url: str | None, *, default_dir: Path) -> dict[str, Any]:
    """Translate WIESCI_CACHE_URL into Django's CACHES entry.

    Without a URL the cache lives in files under the data directory, so that
    every worker process of `wiesci serve` shares it.
    """
    if not url:
        return {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(default_dir),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss", "valkey", "valkeys"}:
        location = url.replace("valkey", "redis", 1)
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": location,
            "KEY_PREFIX": "wiesci",
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    raise ConfigError(
        "WIESCI_CACHE_URL", f"unsupported scheme {scheme!r}; use redis://host:port/db"
    )


def email_config(url: str) -> dict[str, Any]:
    """Translate WIESCI_EMAIL_URL into Django's EMAIL_* settings."""
    parts = urlsplit(url)
    if parts.scheme in {"console", ""}:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme in {"smtp", "smtps", "submission"}:
        if not parts.hostname:
            raise ConfigError("WIESCI_EMAIL_URL", "the URL names no host")
        query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
        default_port = {"smtp": 25, "smtps": 465, "submission": 587}[parts.scheme]
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or default_port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": parts.scheme == "submission"
            or query.get("tls") in TRUE_WORDS,
            "EMAIL_TIMEOUT": 20,
        }
    raise ConfigError(
        "WIESCI_EMAIL_URL",
        f"unsupported scheme {parts.scheme!r}; use smtp://, submission:// or console:",
    )


OBJECT_STORAGE_SCHEMES = {"s3": "https", "s3+http": "http"}
AWS_HOST = re.compile(r"^s3[.-](?:dualstack\.)?([a-z0-9-]+)\.amazonaws\.com$")


def object_storage_options(url: str, *, name: str) -> dict[str, Any]:
    """Translate `s3://KEY:SECRET@host[:port]/bucket[/prefix][?region=…]` into
    the options of a `core.storage` object storage.

    `s3://` talks HTTPS to the host; `s3+http://` plain HTTP, for a server on
    the same machine or network. A secret with `/` or `+` in it is written
    percent-encoded (`%2F`, `%2B`), as in any URL. The query may set
    `region` (default: the one in an AWS host name, else `us-east-1`) and
    `addressing` (`path`, the default, or `virtual`, the default on AWS).
    """
    problem = "expected s3://KEY:SECRET@host/bucket[/prefix] or s3+http://…"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        raise ConfigError(name, problem) from None
    if parts.scheme not in OBJECT_STORAGE_SCHEMES or not parts.hostname:
        raise ConfigError(name, problem)
    if not parts.username or not parts.password:
        raise ConfigError(name, "the URL gives no access key and secret (KEY:SECRET@)")
    bucket, _, prefix = parts.path.strip("/").partition("/")
    if not bucket:
        raise ConfigError(name, "the URL names no bucket (s3://…@host/BUCKET)")
    if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
        raise ConfigError(
            name,
            f"{bucket!r} is not a bucket name (3 to 63 lower-case letters, "
            "digits, dots or dashes)",
        )
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - {"region", "addressing"})
    if unknown:
        raise ConfigError(
            name, f"unknown option {unknown[0]!r}; use region= or addressing="
        )
    aws = AWS_HOST.match(parts.hostname)
    region = query.get("region") or (aws.group(1) if aws else "us-east-1")
    addressing = query.get("addressing") or ("virtual" if aws else "path")
    if addressing not in {"path", "virtual"}:
        raise ConfigError(
            name, f"addressing must be path or virtual, got {addressing!r}"
        )
    scheme = OBJECT_STORAGE_SCHEMES[parts.scheme]
    host = parts.netloc.rpartition("@")[2]
    return {
        "access_key": unquote(parts.username),
        "secret_key": unquote(parts.password),
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        "endpoint_url": f"{scheme}://{host}",
        "region_name": region,
        "addressing_style": addressing,
    }


def object_storage_address(options: Mapping[str, Any]) -> str:
    """Where the objects of `options` are read over HTTP, without a slash
    at the end: the endpoint, the bucket and the prefix."""
    scheme, _, host = str(options["endpoint_url"]).partition("://")
    bucket, prefix = options["bucket_name"], options["location"]
    if options["addressing_style"] == "virtual":
        base = f"{scheme}://{bucket}.{host}"
    else:
        base = f"{scheme}://{host}/{bucket}"
    return f"{base}/{prefix}" if prefix else base


def media_storages(env: Env) -> dict[str, dict[str, Any]]:
    """The "default" (public media) and "private" (originals) entries of
    STORAGES on object storage, or none when media stay on disk.

    The public storage's `public_url` is WIESCI_MEDIA_PUBLIC_URL (a CDN, say),
    else the bucket's own address. The private one is never given an address,
    and may not lie where the public one is readable.
    """
    if not env.has("WIESCI_MEDIA_URL"):
        for other in ("WIESCI_PRIVATE_MEDIA_URL", "WIESCI_MEDIA_PUBLIC_URL"):
            if env.has(other):
                raise ConfigError(other, "needs WIESCI_MEDIA_URL as well")
        return {}
    public = object_storage_options(
        env.text("WIESCI_MEDIA_URL", ""), name="WIESCI_MEDIA_URL"
    )
    if not env.has("WIESCI_PRIVATE_MEDIA_URL"):
        raise ConfigError(
            "WIESCI_PRIVATE_MEDIA_URL",
            "needed when WIESCI_MEDIA_URL is set: a private bucket for the "
            "uploaded originals",
        )
    private = object_storage_options(
        env.text("WIESCI_PRIVATE_MEDIA_URL", ""), name="WIESCI_PRIVATE_MEDIA_URL"
    )
    same_bucket = (public["endpoint_url"], public["bucket_name"]) == (
        private["endpoint_url"],
        private["bucket_name"],
    )
    if same_bucket and _nested(public["location"], private["location"]):
        raise ConfigError(
            "WIESCI_PRIVATE_MEDIA_URL",
            "must not lie inside or around the public media "
            "(use another bucket, or another prefix of it)",
        )
    public["public_url"] = env.url(
        "WIESCI_MEDIA_PUBLIC_URL", object_storage_address(public)
    )
    return {
        "default": {
            "BACKEND": "wiesci.core.objectstorage.PublicObjectStorage",
            "OPTIONS": public,
        },
        "private": {
            "BACKEND": "wiesci.core.objectstorage.PrivateObjectStorage",
            "OPTIONS": private,
        },
    }


def _nested(one: str, other: str) -> bool:
    """Whether either prefix holds the other (an empty one holds everything)."""
    a, b = f"{one}/".lstrip("/"), f"{other}/".lstrip("/")
    return a.startswith(b) or b.startswith(a)


def origin(url: str) -> str:
    """`https://cdn.example.pl` of `https://cdn.example.pl/media/`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
