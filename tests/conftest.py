"""Fixtures shared by the whole suite: personas, factories, servers."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.conf import settings

from servers.redis import redis_server
from servers.seaweedfs import S3Server, seaweedfs_server
from wiesci.core.actors import COMMAND

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
        k: v for k, v in os.environ.items() if not k.startswith(("WIESCI_", "DJANGO_"))
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
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3-compatible server (SeaweedFS) with a public and a private
    bucket, started once for the tests that need one."""
    with seaweedfs_server(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


# --- Images ---------------------------------------------------------------


def image_bytes(
    size: tuple[int, int] = (640, 480),
    *,
    fmt: str = "JPEG",
    color: str = "steelblue",
    **save: Any,
) -> bytes:
    """A real image file made in memory with Pillow."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 3, size[1] // 3), fill="orange")
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


@pytest.fixture
def make_photo(db: None) -> Callable[..., Any]:
    from wiesci.photos.services import create_photo

    def make(**overrides: Any) -> Any:
        data = overrides.pop("data", None) or image_bytes()
        overrides.setdefault("alt_text", "Widok na Odrę")
        overrides.setdefault("renditions", "now")
        overrides.setdefault("by", COMMAND)
        return create_photo(io.BytesIO(data), **overrides)

    return make


# --- Content --------------------------------------------------------------


@pytest.fixture
def section(db: None) -> Any:
    from wiesci.taxonomy.models import Section

    return Section.objects.create(name="Wiadomości", slug="wiadomosci")


@pytest.fixture
def make_article(db: None, section: Any) -> Callable[..., Any]:
    """Build an article through the real services; published unless told otherwise."""
    from django.utils import timezone

    from wiesci.articles import services
    from wiesci.articles.models import Article

    counter = iter(range(1, 100000))
    # Each article is a minute newer than the one made before it.
    start = timezone.now() - timedelta(days=2)

    def make(*, publish: bool = True, at: Any = None, **fields: Any) -> Any:
        n = next(counter)
        fields.setdefault("title", f"Wiadomość numer {n}")
        fields.setdefault("lead", "Krótki lead artykułu.")
        fields.setdefault("body", "<p>Treść artykułu.</p>")
        fields.setdefault("section", section)
        article = services.save_article(Article(**fields), by=COMMAND)
        if publish:
            services.publish_article(
                article, at=at or start + timedelta(minutes=n), by=COMMAND
            )
        return article

    return make


@pytest.fixture
def make_reader(db: None) -> Callable[..., Any]:
    """Readers with verified e-mail addresses, a month old unless told otherwise."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from wiesci.accounts.models import User

    counter = iter(range(1, 100000))

    def make(*, days_old: float = 30, verified: bool = True, **fields: Any) -> Any:
        n = next(counter)
        fields.setdefault("username", f"czytelnik{n}")
        fields.setdefault("email", f"czytelnik{n}@example.pl")
        fields.setdefault("display_name", f"Czytelnik {n}")
        user = User.objects.create_user(password="Odra-1997-powodz", **fields)
        user.date_joined = timezone.now() - timedelta(days=days_old)
        user.save(update_fields=["date_joined"])
        EmailAddress.objects.create(
            user=user, email=user.email, verified=verified, primary=True
        )
        return user

    return make


@pytest.fixture
def reader(make_reader: Callable[..., Any]) -> Any:
    """A verified reader, a month old."""
    return make_reader(
        username="sasiad", email="sasiad@example.pl", display_name="Sąsiad z Ocic"
    )


@pytest.fixture
def trusted(db: None) -> None:
    """Post-moderation without holding anyone's first comment."""
    from wiesci.comments.models import ModerationSettings

    policy = ModerationSettings.current()
    policy.premoderate_first = 0
    policy.save()


def staff_member(username: str, role: str) -> Any:
    """A newsroom member with one of the roles the migration creates."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group

    from wiesci.accounts.models import User

    user = User.objects.create_user(
        username,
        f"{username}@wiesci.example.pl",
        "haslo-redakcji",
        is_staff=True,
        first_name=username.capitalize(),
    )
    if not Group.objects.filter(name=role).exists():
        # A transactional test before this one flushed what migrations made.
        from importlib import import_module

        from django.apps import apps

        roles = import_module("wiesci.accounts.migrations.0003_roles")
        later = [
            import_module(f"wiesci.{app}.migrations.{name}")
            for app, name in (
                ("notices", "0002_roles"),
                ("live", "0002_roles"),
                ("newsletter", "0002_roles"),
                ("newsletter", "0004_digest_roles"),
                ("tips", "0002_roles"),
                ("push", "0002_roles"),
            )
        ]
        for name, permissions in roles.ROLES.items():
            group = Group.objects.create(name=name)
            more = [p for module in later for p in module.ROLES.get(name, [])]
            for permission in [*permissions, *more]:
                app_label, codename = permission.split(".")
                group.permissions.add(
                    apps.get_model("auth", "Permission").objects.get(
                        content_type__app_label=app_label, codename=codename
                    )
                )
    user.groups.add(Group.objects.get(name=role))
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    return user


@pytest.fixture
def editor(db: None) -> Any:
    """A newsroom editor: publishes, schedules, withdraws, moderates."""
    return staff_member("redaktorka", "Redaktor")


@pytest.fixture
def journalist(db: None) -> Any:
    """A journalist: writes and submits their own drafts."""
    return staff_member("reporter", "Dziennikarz")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Rate-limit counters and cached fragments must not leak between tests."""
    from django.core.cache import cache

    yield
    cache.clear()


# --- The WSGI stack with the page cache -----------------------------------


class Answer:
    def __init__(
        self, status: str, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        self.status = int(status.split()[0])
        self.headers = {k.lower(): v for k, v in headers}
        self.header_list = headers
        self.body = body

    @property
    def text(self) -> str:
        return self.body.decode()


def wsgi_caller(
    settings: Any, tmp_path: Path, make_app: Callable[[Any], Any]
) -> Iterator[Callable[..., Answer]]:
    """`call(path, **headers)` through the WSGI app `make_app(django)` makes
    around Django, with its page cache under `tmp_path`; `method`,
    `remote_addr` and `body` among the headers set those of the request."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from wiesci.core import pagecache

    settings.DATA_DIR = tmp_path
    pagecache.reset_store()
    # As Django's test client does: the test's transaction must stay open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    app = make_app(WSGIHandler())

    def call(path: str, **headers: str) -> Answer:
        path, _, query = path.partition("?")
        body = headers.pop("body", "").encode()
        environ: dict[str, Any] = {
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "HTTP_HOST": "127.0.0.1",
            "REQUEST_METHOD": headers.pop("method", "GET"),
            "REMOTE_ADDR": headers.pop("remote_addr", "127.0.0.1"),
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
        environ.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
        setup_testing_defaults(environ)
        seen: dict[str, Any] = {}

        def start_response(status, response_headers, exc_info=None):
            seen["status"], seen["headers"] = status, response_headers

        answer = b"".join(app(environ, start_response))
        return Answer(seen["status"], seen["headers"], answer)

    try:
        yield call
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        pagecache.reset_store()


@pytest.fixture
def server(settings: Any, tmp_path: Path) -> Iterator[Any]:
    """The product's WSGI stack: the page cache in front of Django."""
    from wiesci.core import pagecache

    yield from wsgi_caller(settings, tmp_path, pagecache.PageCache)
