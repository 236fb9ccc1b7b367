"""A fresh checkout's first start: no compiled catalogues, Polish all the same."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

from servers.waiting import free_port, http_ready, wait_until
from tests.core.test_serve import fetch

PACKAGE = Path(__file__).resolve().parents[2] / "wiesci"
# Interface strings of the home and article pages, in English and in Polish.
ENGLISH = ["Latest news", ">Latest<", "Breaking", "Skip to content", "comments<"]
POLISH = ["Najnowsze", "Przejdź do treści", "Zaloguj się"]


def test_the_first_pages_of_a_checkout_without_catalogues_are_polish(
    tmp_path, product_env
):
    source = tmp_path / "checkout"
    shutil.copytree(
        PACKAGE,
        source / "wiesci",
        ignore=shutil.ignore_patterns("*.mo", "__pycache__"),
    )
    catalogue = source / "wiesci/locale/pl/LC_MESSAGES/django.mo"
    assert not catalogue.exists()
    # The copy comes first on the path, before the installed package (and
    # `python -m` puts the working directory before it: not this checkout).
    env = {**product_env, "PYTHONPATH": str(source)}
    port = free_port()
    demo = ["demo", "--port", str(port), "--workers", "1", "--photo-width", "320"]
    # As `make demo` starts: one process migrates, loads the demo and serves.
    server = subprocess.Popen(
        [sys.executable, "-m", "wiesci", *demo],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(http_ready(base + "/", server), timeout=180, what="wiesci demo")
        assert catalogue.exists()
        status, _, body = fetch(base + "/")
        home = body.decode()
        article = re.search(r'href="(/artykul/[^"]+/)"', home)
        assert status == 200 and article is not None
        status, _, body = fetch(base + article.group(1))
        pages = {"home": home, "article": body.decode()}
        # The demo's stories are searchable from the start, in any form.
        found_status, _, found = fetch(base + "/szukaj/?q=Raciborza")
    finally:
        server.terminate()
        server.wait(20)
    assert status == 200 and found_status == 200
    results = found.decode()
    assert results.count('class="search-result"') >= 5
    assert "<mark>Racibor" in results
    for name, page in pages.items():
        assert [word for word in ENGLISH if word in page] == [], name
        assert [word for word in POLISH if word not in page] == [], name
