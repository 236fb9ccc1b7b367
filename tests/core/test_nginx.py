"""The nginx configuration of docs/howto/nginx.md, run in front of the portal.

The configuration is read from the document itself, so the document cannot
drift from what works: only the machine-specific parts (ports, paths, the
certificate) are swapped for the test's own.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import shutil
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from servers.waiting import free_port, wait_until
from wiesci.articles import services
from wiesci.core import pagecache

DOC = Path(__file__).resolve().parents[2] / "docs" / "howto" / "nginx.md"
PURGE_MODULE = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")
HOST = "wiesci.example.pl"

pytestmark = pytest.mark.django_db(transaction=True)


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def documented_config() -> str:
    found = re.search(r"```nginx\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert found, "docs/howto/nginx.md has no nginx configuration"
    return found.group(1)


def local_config(tmp: Path, *, app: int, tls: int, plain: int, purge: int) -> str:
    """The documented configuration with this test's ports, paths and certificate."""
    config = documented_config()
    swaps = [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{tls} ssl http2;"),
        (
            "# ssl_certificate …; ssl_certificate_key …;",
            f"ssl_certificate {tmp}/cert.pem; ssl_certificate_key {tmp}/key.pem;",
        ),
        ("listen 127.0.0.1:8080;", f"listen 127.0.0.1:{purge};"),
        ("listen 80;", f"listen 127.0.0.1:{plain};"),
        ("/var/cache/nginx/wiesci", f"{tmp}/cache"),
        ("/srv/wiesci/var/", f"{tmp}/var/"),
    ]
    for old, new in swaps:
        assert old in config, f"the documented configuration lost {old!r}"
        config = config.replace(old, new)
    # Run as root, nginx would hand its workers to another user, who could not
    # write the cache in the test's folder.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
load_module {PURGE_MODULE};
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    {config}
}}
"""


def make_certificate(tmp: Path) -> None:
    """A throwaway self-signed certificate for HOST: tmp/cert.pem, tmp/key.pem."""
    subprocess.run(
        [
            "openssl",
            *("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", f"/CN={HOST}"),
            *("-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def https_client(
    tmp: Path, port: int, *, timeout: float = 10
) -> Callable[..., tuple[int, dict[str, str], str]]:
    """`get(path, **headers)` through nginx's TLS port, trusting tmp/cert.pem."""
    context = ssl.create_default_context(cafile=str(tmp / "cert.pem"))
    # The certificate names the portal's host; the test connects by address.
    context.check_hostname = False

    def get(path: str, **headers: str) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", port, context=context, timeout=timeout
        )
        try:
            connection.request("GET", path, headers={"Host": HOST, **headers})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        answer = {k.lower(): v for k, v in response.getheaders()}
        if answer.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, answer, body.decode()

    return get


@pytest.fixture
def nginx_in_front(
    settings: Any, tmp_path: Path
) -> Iterator[Callable[..., tuple[int, dict[str, str], str]]]:
    """nginx as documented, in front of the portal's WSGI stack in a thread."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists() and PURGE_MODULE.exists(), (
        "nginx and libnginx-mod-http-cache-purge are installed by tests/system-deps.sh"
    )
    make_certificate(tmp_path)
    for folder in ("cache", "var/static", "var/media"):
        (tmp_path / folder).mkdir(parents=True)
    ports = {name: free_port() for name in ("app", "tls", "plain", "purge")}
    settings.DATA_DIR = tmp_path / "var"
    settings.ALLOWED_HOSTS = [HOST, "127.0.0.1"]
    settings.SITE_URL = f"https://{HOST}"
    settings.PURGE_URL = f"http://127.0.0.1:{ports['purge']}"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    pagecache.reset_store()
    stack = pagecache.PageCache(WSGIHandler())

    def portal(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        # Each request has a thread of its own: close its connections, or
        # the test database could not be dropped at the end.
        try:
            return list(stack(environ, start_response))
        finally:
            connections.close_all()

    app = make_server(
        "127.0.0.1",
        ports["app"],
        portal,
        server_class=ThreadingServer,
        handler_class=QuietHandler,
    )
    threading.Thread(target=app.serve_forever, daemon=True).start()
    conf = tmp_path / "nginx.conf"
    conf.write_text(local_config(tmp_path, **ports), encoding="utf-8")
    process = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    get = https_client(tmp_path, ports["tls"])

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode() if process.stderr else "")
        try:
            get("/")
        except OSError:
            return False
        return True

    try:
        wait_until(ready, timeout=30, what="nginx")
        yield get
    finally:
        process.terminate()
        process.wait(10)
        app.shutdown()
        app.server_close()
        pagecache.reset_store()


def test_nginx_as_documented_caches_pages_and_a_publication_purges_them(
    nginx_in_front, make_article, editor
):
    article = make_article(title="Most na Odrze otwarty")
    url = article.get_absolute_url()
    status, headers, text = nginx_in_front(url)
    assert status == 200 and "Most na Odrze otwarty" in text
    assert headers["x-proxy-cache"] == "MISS"
    assert nginx_in_front(url)[1]["x-proxy-cache"] == "HIT"
    # A Facebook link shares the copy; Brotli and gzip copies are kept apart.
    assert nginx_in_front(url + "?fbclid=IwAR0xyz")[1]["x-proxy-cache"] == "HIT"
    packed = nginx_in_front(url, **{"Accept-Encoding": "gzip"})
    assert packed[1]["content-encoding"] == "gzip" and "Most na Odrze" in packed[2]
    assert nginx_in_front("/")[0] == 200

    article.title = "Most na Odrze otwarty dla pieszych"
    services.save_article(article, by=editor)

    def shows_the_change() -> bool:
        fresh = [
            nginx_in_front(url)[2],
            nginx_in_front(url, **{"Accept-Encoding": "gzip"})[2],
            nginx_in_front("/")[2],
        ]
        return all("dla pieszych" in text for text in fresh)

    # The purge requests go out in the background, right after the save.
    wait_until(shows_the_change, timeout=15, what="the change through nginx")


def test_nginx_never_serves_a_logged_in_readers_page_to_others(
    nginx_in_front, make_article, client, reader
):
    url = make_article(title="Zebranie wiejskie").get_absolute_url()
    client.force_login(reader)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    status, headers, text = nginx_in_front(url, Cookie=cookie)
    assert status == 200 and "Sąsiad z Ocic" in text
    assert headers["x-proxy-cache"] == "BYPASS"
    status, headers, text = nginx_in_front(url)
    assert "Sąsiad z Ocic" not in text
    assert "Aby dodać komentarz musisz być zalogowany" in text
