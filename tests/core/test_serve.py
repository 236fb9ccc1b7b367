"""`wiesci serve` as an operator starts it: granian, static and media files."""

import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from tests.conftest import WIESCI, run_wiesci
from tests.postgres import free_port
from tests.servers import http_ready, wait_until


@pytest.fixture
def served(product_env: dict[str, str]) -> Iterator[str]:
    assert run_wiesci("migrate", "--no-input", env=product_env).returncode == 0
    media = Path(product_env["WIESCI_DATA_DIR"]) / "media"
    media.mkdir(parents=True)
    (media / "zdjecie-test.txt").write_text("plik")
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


def fetch(url: str) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
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


def test_serve_gives_unknown_addresses_a_404(served: str):
    assert fetch(served + "/nie-ma-takiej-strony/")[0] == 404
