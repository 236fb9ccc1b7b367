"""`wiesci serve` as an operator starts it: granian, static and media files."""

import os
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from servers.waiting import free_port, http_ready, wait_until
from tests.conftest import WIESCI, run_wiesci


@pytest.fixture
def served(product_env: dict[str, str]) -> Iterator[str]:
    assert run_wiesci("migrate", "--no-input", env=product_env).returncode == 0
    media = Path(product_env["WIESCI_DATA_DIR"]) / "media"
    media.mkdir(parents=True)
    (media / "zdjecie-test.txt").write_text("plik")
    (media / "filmy").mkdir()
    (media / "filmy" / "1765700078-film-0123456789.mp4").write_bytes(FILM)
    (media / ".szkic.tmp").write_text("w trakcie zapisu")
    port = free_port()
    process = subprocess.Popen(
        [str(WIESCI), "serve", "--port", str(port), "--workers", "1"],
        env=product_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(http_ready(base + "/", process), timeout=60, what="wiesci serve")
        yield base
    finally:
        process.terminate()
        process.wait(20)


FILM = bytes(range(256)) * 4096  # 1 MiB standing in for an MP4


def fetch(url: str, **headers: str) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_serve_answers_pages_static_and_media(served: str):
    status, headers, body = fetch(served + "/")
    assert status == 200
    assert "Content-Security-Policy" in headers
    page = body.decode()
    stylesheet = page.split('rel="stylesheet" href="')[1].split('"')[0]
    # The page links the content-hashed name, served for a year.
    assert stylesheet.startswith("/static/wiesci/portal.")
    assert stylesheet != "/static/wiesci/portal.css"
    status, headers, _ = fetch(served + stylesheet)
    assert status == 200
    assert "max-age=31536000" in headers["Cache-Control"]
    assert fetch(served + "/static/wiesci/portal.css")[0] == 404
    status, _, body = fetch(served + "/media/zdjecie-test.txt")
    assert (status, body) == (200, b"plik")


def test_serve_answers_media_with_byte_ranges_and_nosniff(served: str):
    url = served + "/media/filmy/1765700078-film-0123456789.mp4"
    status, headers, body = fetch(url)
    assert (status, body) == (200, FILM)
    assert headers["Content-Type"] == "video/mp4"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Accept-Ranges"] == "bytes"
    assert "max-age=31536000" in headers["Cache-Control"]
    # A video player seeking: the middle, the end, and past the end.
    status, headers, body = fetch(url, Range="bytes=1000-1999")
    assert (status, body) == (206, FILM[1000:2000])
    assert headers["Content-Range"] == f"bytes 1000-1999/{len(FILM)}"
    status, _, body = fetch(url, Range="bytes=-10")
    assert (status, body) == (206, FILM[-10:])
    assert fetch(url, Range=f"bytes={len(FILM)}-")[0] == 416
    etag = fetch(url)[1]["ETag"]
    assert fetch(url, **{"If-None-Match": etag})[0] == 304


def test_serve_keeps_media_requests_inside_the_media_folder(served: str):
    for path in (
        "/media/../secret.key",
        "/media/%2e%2e/secret.key",
        "/media/.szkic.tmp",
        "/media/filmy/",
        "/media/nie-ma.jpg",
    ):
        assert fetch(served + path)[0] == 404, path
    assert fetch(served + "/media/zdjecie-test.txt")[0] == 200


def test_serve_gives_unknown_addresses_a_404(served: str):
    assert fetch(served + "/nie-ma-takiej-strony/")[0] == 404


def _worker_of(server_pid: int) -> int | None:
    """The pid of the `wiesci worker` that the server process started, if alive."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        # Fields after the name: state, parent pid…; a zombie has no command.
        if int(fields[1]) == server_pid and fields[0] != "Z" and b"worker" in command:
            return int(entry.name)
    return None


SHELL_PHOTO = """
import io
from PIL import Image
from wiesci.core.actors import COMMAND
from wiesci.photos.services import create_photo
out = io.BytesIO()
Image.new("RGB", (800, 600), "teal").save(out, "JPEG")
out.seek(0)
print(create_photo(out, by=COMMAND, alt_text="Po awarii").pk)
"""


def test_serve_starts_the_task_worker_again_when_it_dies(product_env):
    assert run_wiesci("migrate", "--no-input", env=product_env).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [str(WIESCI), "serve", "--port", str(port), "--workers", "1"],
        env=product_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            http_ready(f"http://127.0.0.1:{port}/", process), timeout=60, what="serve"
        )
        wait_until(
            lambda: _worker_of(process.pid) is not None, timeout=30, what="worker"
        )
        first = _worker_of(process.pid)
        assert first is not None
        os.kill(first, signal.SIGKILL)
        wait_until(
            lambda: _worker_of(process.pid) not in (None, first),
            timeout=30,
            what="a new worker",
        )
        made = run_wiesci("shell", "-c", SHELL_PHOTO, env=product_env)
        assert made.returncode == 0, made.stderr
        photo = made.stdout.strip().splitlines()[-1]
        check = (
            "from wiesci.photos.models import Photo;"
            f"print(sorted(Photo.objects.get(pk={photo}).renditions))"
        )

        def has_sizes() -> bool:
            answer = run_wiesci("shell", "-c", check, env=product_env).stdout
            return "article" in answer

        wait_until(has_sizes, timeout=60, what="the photo's sizes")
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert f"wiesci worker (pid {first}) exited with code -9" in errors
