"""`wiesci backup` and `wiesci restore`, as an operator runs them.

The drill: readers post comments to a running portal while `wiesci backup`
runs; the archive, restored into a fresh data directory (and, on PostgreSQL,
a fresh database), serves every comment acknowledged before the backup
started, every article and every photo file.
"""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import subprocess
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from servers.waiting import free_port, http_ready, wait_until
from tests.conftest import WIESCI, run_wiesci

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
ARCHIVE = re.compile(r"wiesci-backup-\d{8}T\d{6}Z\.tar")

SETUP = """
import json
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cached_db import SessionStore
from django.utils import timezone
from PIL import Image
import io

from wiesci.accounts.models import User
from wiesci.articles.models import Article
from wiesci.articles.services import publish_article, save_article
from wiesci.comments.models import ModerationSettings
from wiesci.core.actors import COMMAND
from wiesci.photos.services import create_photo
from wiesci.taxonomy.models import Section

policy = ModerationSettings.current()
policy.premoderate_first = 0
policy.save()
section = Section.objects.create(name="Wiadomości", slug="wiadomosci")
articles = []
for n, color in enumerate(["teal", "orange", "navy"], start=1):
    out = io.BytesIO()
    Image.new("RGB", (480, 320), color).save(out, "JPEG")
    out.seek(0)
    photo = create_photo(
        out, by=COMMAND, alt_text=f"Zdjęcie {n}", renditions="now"
    )
    article = save_article(
        Article(
            title=f"Powódź na Odrze, część {n}",
            lead="Woda opada.",
            body="<p>Strażacy pracują od rana.</p>",
            section=section,
            main_photo=photo,
        ),
        by=COMMAND,
    )
    publish_article(article, by=COMMAND)
    articles.append(article.get_absolute_url())
sessions = []
for n in range(24):
    user = User.objects.create_user(
        username=f"czytelnik{n}",
        email=f"czytelnik{n}@example.pl",
        password="Odra-1997-powodz",
        display_name=f"Czytelnik {n}",
    )
    user.date_joined = timezone.now() - timedelta(days=30)
    user.save(update_fields=["date_joined"])
    EmailAddress.objects.create(
        user=user, email=user.email, verified=True, primary=True
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sessions.append(session.session_key)
print(json.dumps({"articles": articles, "sessions": sessions}))
"""


# --- Data directories, databases, servers ---------------------------------


def environment(data_dir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("WIESCI_", "DJANGO_"))
    }
    env["WIESCI_DATA_DIR"] = str(data_dir)
    return env


def postgres(sql: str) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname="postgres"
    ) as conn:
        conn.autocommit = True
        conn.execute(sql)


def fresh_target(base: Path) -> dict[str, str]:
    """An empty data directory and, on PostgreSQL, an empty database of its own."""
    env = environment(base / f"var-{uuid.uuid4().hex[:8]}")
    if ON_POSTGRES:
        name = f"wiesci_{uuid.uuid4().hex[:12]}"
        postgres(f'CREATE DATABASE "{name}"')
        db = settings.DATABASES["default"]
        env["WIESCI_DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
        )
    return env


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(WIESCI), "serve", "--port", str(self.port), "--workers", "1"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        try:
            wait_until(
                http_ready(self.base + "/", self.process), timeout=60, what="serve"
            )
        except BaseException:
            self.stop()
            raise

    def request(
        self,
        method: str,
        path: str,
        *,
        cookies: dict[str, str] | None = None,
        form: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPResponse, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            from urllib.parse import urlencode

            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.base + path
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response, response.read()
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


# --- Readers posting ------------------------------------------------------


@dataclass
class Acknowledged:
    body: str
    article: str
    at: float  # time.monotonic() when the answer came


@dataclass
class Readers:
    """Readers taking turns to comment, each waiting out the pace limit."""

    server: Server
    articles: list[str]
    sessions: list[str]
    acknowledged: list[Acknowledged] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def post_one(self, n: int) -> None:
        session = self.sessions[n % len(self.sessions)]
        article = self.articles[n % len(self.articles)]
        cookies = {"sessionid": session}
        status, response, page = self.server.request("GET", article, cookies=cookies)
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
        token = re.search(r'name="token" value="([^"]+)"', page.decode())
        middleware = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode()
        )
        if status != 200 or not (csrf and token and middleware):
            self.failures.append(f"GET {article}: {status}")
            return
        cookies["csrftoken"] = csrf.group(1)
        body = f"Komentarz numer {n} z próby odtwarzania kopii"
        status, response, _ = self.server.request(
            "POST",
            article.rstrip("/") + "/komentarze/",
            cookies=cookies,
            form={
                "body": body,
                "token": token.group(1),
                "csrfmiddlewaretoken": middleware.group(1),
            },
        )
        location = response.getheader("Location") or ""
        if status == 302 and "#komentarz-" in location:
            self.acknowledged.append(Acknowledged(body, article, time.monotonic()))
        else:
            self.failures.append(f"POST {article}: {status} {location}")

    def run(self) -> None:
        # Each reader posts at most once per 11 seconds (the pace limit is 10).
        last: dict[int, float] = {}
        deadline = time.monotonic() + 60
        for n in range(400):
            if self.stop.is_set() or time.monotonic() > deadline:
                return
            reader = n % len(self.sessions)
            if time.monotonic() - last.get(reader, -100.0) < 11:
                time.sleep(0.05)
                continue
            last[reader] = time.monotonic()
            try:
                self.post_one(n)
            except OSError as error:
                self.failures.append(repr(error))


# --- The drill ------------------------------------------------------------


@dataclass
class Drill:
    base: Path
    source: dict[str, str]
    archive: Path
    articles: list[str]
    before: list[Acknowledged]  # acknowledged before the backup process started
    during: list[Acknowledged]
    backup_output: str


def photo_files(data_dir: Path) -> dict[str, bytes]:
    found = {}
    for folder in ("media", "private"):
        root = data_dir / folder
        for path in sorted(root.rglob("*")):
            if path.is_file():
                found[f"{folder}/{path.relative_to(root).as_posix()}"] = (
                    path.read_bytes()
                )
    return found


@pytest.fixture(scope="module")
def drill(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drill]:
    base = tmp_path_factory.mktemp("drill")
    source = fresh_target(base)
    assert run_wiesci("migrate", "--no-input", env=source).returncode == 0
    made = run_wiesci("shell", "--no-imports", "-c", SETUP, env=source)
    assert made.returncode == 0, made.stderr
    content = json.loads(made.stdout.strip().splitlines()[-1])
    server = Server(source)
    readers = Readers(server, content["articles"], content["sessions"])
    poster = threading.Thread(target=readers.run, daemon=True)
    try:
        poster.start()
        wait_until(
            lambda: len(readers.acknowledged) >= 6, timeout=30, what="first comments"
        )
        started = time.monotonic()
        backup = run_wiesci("backup", str(base / "backups"), env=source)
        finished = time.monotonic()
        assert backup.returncode == 0, backup.stderr
        # Comments go on after the backup, which has none of them.
        count = len(readers.acknowledged)
        wait_until(
            lambda: len(readers.acknowledged) > count, timeout=30, what="later comments"
        )
    finally:
        readers.stop.set()
        poster.join(30)
        server.stop()
    assert readers.failures == []
    (archive,) = (base / "backups").iterdir()
    yield Drill(
        base=base,
        source=source,
        archive=archive,
        articles=content["articles"],
        before=[a for a in readers.acknowledged if a.at < started],
        during=[a for a in readers.acknowledged if started <= a.at <= finished],
        backup_output=backup.stdout,
    )


def test_the_archive_is_one_private_file_named_for_retention(drill):
    assert ARCHIVE.fullmatch(drill.archive.name)
    assert drill.archive.stat().st_mode & 0o777 == 0o600
    assert "Zapisano kopię zapasową:" in drill.backup_output
    with tarfile.open(drill.archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    database = "database/wiesci.pgdump" if ON_POSTGRES else "database/wiesci.sqlite3"
    assert names[:2] == [database, "secret.key"]
    assert names[-2:] == ["manifest.json", "SHA256SUMS"]
    assert manifest["version"] == "0.1.0"
    assert manifest["made_by"] == "command"
    assert "comments.0001_initial" in manifest["migrations"]
    assert set(manifest["members"]) == set(names[:-2])
    source_files = photo_files(Path(drill.source["WIESCI_DATA_DIR"]))
    assert set(source_files) <= set(names)


def test_a_restored_archive_serves_every_acknowledged_comment_article_and_photo(
    drill,
):
    target = fresh_target(drill.base)
    restored = run_wiesci("restore", str(drill.archive), env=target)
    assert restored.returncode == 0, restored.stderr
    assert "Odtworzono kopię" in restored.stdout
    assert "wiesci migrate" not in restored.stdout
    data_dir = Path(target["WIESCI_DATA_DIR"])
    source_dir = Path(drill.source["WIESCI_DATA_DIR"])
    assert (data_dir / "secret.key").read_text() == (
        source_dir / "secret.key"
    ).read_text()
    files = photo_files(data_dir)
    assert files == photo_files(source_dir)
    assert any(name.startswith("private/originals/") for name in files)
    assert len(drill.before) >= 6
    server = Server(target)
    try:
        pages = {}
        for article in drill.articles:
            status, _, body = server.request("GET", article)
            assert status == 200, article
            pages[article] = body.decode()
        for comment in drill.before:
            assert comment.body in pages[comment.article], comment.body
        for name, data in files.items():
            if name.startswith("media/"):
                status, _, body = server.request("GET", "/" + name)
                assert (status, body) == (200, data), name
        for page in pages.values():
            # Each article page shows its photo from the restored media.
            assert re.search(r'src="/media/zdjecia/[^"]+"', page)
    finally:
        server.stop()


def flip_a_byte(archive: Path, copy: Path, member: str) -> None:
    data = bytearray(archive.read_bytes())
    with tarfile.open(archive) as tar:
        info = tar.getmember(member)
    data[info.offset_data + info.size // 2] ^= 0x01
    copy.write_bytes(bytes(data))


def is_empty(env: dict[str, str]) -> bool:
    data_dir = Path(env["WIESCI_DATA_DIR"])
    if list(data_dir.glob("wiesci.sqlite3*")):
        return False
    if any(
        p.is_file() for d in ("media", "private") for p in (data_dir / d).rglob("*")
    ):
        return False
    if ON_POSTGRES:
        tables = run_wiesci(
            "shell",
            "--no-imports",
            "-c",
            "from django.db import connection\n"
            "print(len(connection.introspection.table_names()))",
            env=env,
        )
        return tables.stdout.strip() == "0"
    return True


@pytest.mark.parametrize("kind", ["database", "original"])
def test_a_corrupted_archive_is_refused_before_anything_is_written(drill, kind):
    with tarfile.open(drill.archive) as tar:
        names = tar.getnames()
    if kind == "database":
        member = names[0]
    else:
        member = next(n for n in names if n.startswith("private/originals/"))
    damaged = drill.base / f"damaged-{kind}.tar"
    flip_a_byte(drill.archive, damaged, member)
    target = fresh_target(drill.base)
    result = run_wiesci("restore", str(damaged), env=target)
    assert result.returncode == 1
    assert f"{member} nie zgadza się ze swoją sumą kontrolną" in result.stderr
    assert "Niczego nie zapisano" in result.stderr
    assert is_empty(target)
    checked = run_wiesci("restore", "--check", str(damaged), env=target)
    assert checked.returncode == 1
    assert "nie zgadza się ze swoją sumą kontrolną" in checked.stderr


def test_a_target_with_data_is_refused_without_force(drill):
    target = fresh_target(drill.base)
    assert run_wiesci("restore", str(drill.archive), env=target).returncode == 0
    media = Path(target["WIESCI_DATA_DIR"]) / "media" / "left-over.txt"
    media.write_text("z poprzedniej instalacji")
    again = run_wiesci("restore", str(drill.archive), env=target)
    assert again.returncode == 1
    assert "Miejsce docelowe nie jest puste: baza danych" in again.stderr
    assert "tabel" in again.stderr
    assert re.search(r"/media (jest|są) \d+ plik", again.stderr)
    assert "--force" in again.stderr
    assert media.exists()
    forced = run_wiesci("restore", "--force", str(drill.archive), env=target)
    assert forced.returncode == 0, forced.stderr
    assert not media.exists()
    checked = run_wiesci("restore", "--check", str(drill.archive), env=target)
    assert checked.returncode == 0
    assert "wszystkie sumy kontrolne się zgadzają" in checked.stdout


def rewritten(archive: Path, copy: Path, change: Any) -> None:
    """A copy of the archive whose manifest `change` edits, checksums made good."""
    import hashlib

    with tarfile.open(archive) as tar:
        members = [(info, tar.extractfile(info).read()) for info in tar]  # type: ignore[union-attr]
    contents = {info.name: data for info, data in members}
    manifest = json.loads(contents["manifest.json"])
    change(manifest)
    contents["manifest.json"] = json.dumps(manifest).encode()
    digest = hashlib.sha256(contents["manifest.json"]).hexdigest()
    sums = [
        line
        for line in contents["SHA256SUMS"].decode().splitlines()
        if not line.endswith("  manifest.json")
    ]
    contents["SHA256SUMS"] = "\n".join([*sums, f"{digest}  manifest.json", ""]).encode()
    with tarfile.open(copy, "w", format=tarfile.PAX_FORMAT) as tar:
        for info, _ in members:
            info.size = len(contents[info.name])
            tar.addfile(info, io.BytesIO(contents[info.name]))


def test_an_archive_from_a_newer_version_is_refused(drill):
    newer = drill.base / "newer.tar"

    def add(manifest: dict[str, Any]) -> None:
        manifest["version"] = "9.0.0"
        manifest["migrations"].append("comments.9999_from_the_future")

    rewritten(drill.archive, newer, add)
    target = fresh_target(drill.base)
    result = run_wiesci("restore", str(newer), env=target)
    assert result.returncode == 1
    assert "Archiwum utworzyły Wieści 9.0.0, nowsze od tej wersji" in result.stderr
    assert "comments.9999_from_the_future" in result.stderr
    assert is_empty(target)


def test_an_archive_from_an_older_version_asks_for_migrate(drill):
    older = drill.base / "older.tar"

    def drop_last(manifest: dict[str, Any]) -> None:
        manifest["migrations"].pop()

    rewritten(drill.archive, older, drop_last)
    result = run_wiesci("restore", "--check", str(older), env=fresh_target(drill.base))
    assert result.returncode == 0, result.stderr
    assert "uruchom `wiesci migrate`" in result.stdout


def test_keep_leaves_the_newest_archives_and_nothing_else_is_touched(drill):
    folder = drill.base / "retention"
    folder.mkdir()
    old = [f"wiesci-backup-2020010{n}T030000Z.tar" for n in range(1, 5)]
    others = ["notatki.txt", "wiesci-backup-reczna.tar", "wiesci-backup-20200101.tar"]
    for name in old + others:
        (folder / name).write_text("stara kopia")
    result = run_wiesci("backup", str(folder), "--keep", "2", env=drill.source)
    assert result.returncode == 0, result.stderr
    assert "Usunięto 3 starsze kopie." in result.stdout
    left = sorted(p.name for p in folder.iterdir())
    new = [name for name in left if ARCHIVE.fullmatch(name) and name not in old]
    assert len(new) == 1
    assert left == sorted([old[-1], *new, *others])
