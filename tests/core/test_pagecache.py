"""The full-page cache, driven through the WSGI application as a server would."""

import gzip
import threading
import time
from datetime import timedelta
from typing import Any
from unittest.mock import ANY

import brotli
import pytest
from django.utils import timezone

from wiesci.articles import services
from wiesci.comments import services as comments
from wiesci.core import pagecache

pytestmark = pytest.mark.django_db


def test_anonymous_pages_are_stored_once_and_served_without_cookies(
    server, make_article
):
    article = make_article(title="Powódź: stan alarmowy")
    first = server(article.get_absolute_url())
    second = server(article.get_absolute_url())
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
    assert first.body == second.body
    assert "Powódź: stan alarmowy" in second.text
    for answer in (first, second):
        assert "set-cookie" not in answer.headers
        assert "cookie" not in answer.headers.get("vary", "").lower()
        control = answer.headers["cache-control"]
        assert control.startswith("public")
        assert "s-maxage=" in control and "stale-while-revalidate=" in control
        assert answer.headers["etag"] and answer.headers["last-modified"]


def test_conditional_requests_get_304(server, make_article):
    url = make_article().get_absolute_url()
    fresh = server(url)
    again = server(url, if_none_match=fresh.headers["etag"])
    assert again.status == 304 and again.body == b""
    assert server(url, if_modified_since=fresh.headers["last-modified"]).status == 304
    assert server(url, if_none_match='W/"inny"').status == 200


def test_gzip_and_brotli_are_stored_once_and_chosen_by_accept_encoding(
    server, make_article
):
    url = make_article().get_absolute_url()
    plain = server(url).body
    packed = server(url, accept_encoding="gzip, deflate")
    assert packed.headers["content-encoding"] == "gzip"
    assert gzip.decompress(packed.body) == plain
    squeezed = server(url, accept_encoding="gzip, deflate, br")
    assert squeezed.headers["content-encoding"] == "br"
    assert brotli.decompress(squeezed.body) == plain
    assert len(squeezed.body) < len(plain) / 2


def test_a_logged_in_readers_page_is_never_stored_or_shared(
    server, client, make_article, reader
):
    url = make_article().get_absolute_url()
    client.force_login(reader)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    personal = server(url, cookie=cookie)
    assert "x-cache" not in personal.headers
    assert personal.headers["cache-control"] == "private, no-cache"
    assert "Sąsiad z Ocic" in personal.text
    anonymous = server(url)
    assert "Sąsiad z Ocic" not in anonymous.text
    assert "Aby dodać komentarz musisz być zalogowany" in anonymous.text


def test_tracking_parameters_share_one_entry_but_pages_do_not(
    server, make_article, section
):
    for i in range(25):
        make_article(title=f"Wiadomość {i}")
    server("/")
    assert server("/?fbclid=IwAR0abc&utm_source=facebook").headers["x-cache"] == "HIT"
    url = section.get_absolute_url()
    server(url)
    assert server(url + "?strona=2").headers["x-cache"] == "MISS"


def test_publishing_editing_and_withdrawing_show_on_the_next_request(
    server, make_article, editor, django_capture_on_commit_callbacks
):
    article = make_article(title="Stary tytuł")
    server("/"), server(article.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        fresh = make_article(title="Świeża wiadomość")
    assert "Świeża wiadomość" in server("/").text
    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Nowy tytuł"
        services.save_article(article, by=editor)
    assert "Nowy tytuł" in server(article.get_absolute_url()).text
    assert "Nowy tytuł" in server("/").text
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_article(fresh, by=editor)
    assert server(fresh.get_absolute_url()).status == 410
    assert "Świeża wiadomość" not in server("/").text


def test_every_list_showing_a_story_is_fresh_after_its_changes(
    server, make_article, editor, django_capture_on_commit_callbacks
):
    from wiesci.taxonomy.models import Organisation, Place, Tag

    place = Place.objects.create(
        name="Krzanowice", gmina="Krzanowice", phrase_from="z", phrase_in="w"
    )
    tag = Tag.objects.create(name="powódź")
    organisation = Organisation.objects.create(name="OSP Krzanowice", place=place)
    older = make_article(title="Starsza wiadomość")
    for thing in (place, tag, organisation):
        thing.articles.add(older)
    lists = [
        older.section.get_absolute_url(),
        place.get_absolute_url(),
        tag.get_absolute_url(),
        organisation.get_absolute_url(),
        "/najnowsze/",
    ]
    for url in lists:
        assert server(url).status == 200 and server(url).headers["x-cache"] == "HIT"
    with django_capture_on_commit_callbacks(execute=True):
        story = make_article(title="Wał przerwany pod Krzanowicami")
        for thing in (place, tag, organisation):
            thing.articles.add(story)
        services.save_article(story, by=editor)
    for url in lists:
        assert "Wał przerwany pod Krzanowicami" in server(url).text, url
    with django_capture_on_commit_callbacks(execute=True):
        story.title = "Wał naprawiony pod Krzanowicami"
        services.save_article(story, by=editor)
    for url in lists:
        assert "Wał naprawiony pod Krzanowicami" in server(url).text, url
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_article(story, by=editor)
    for url in lists:
        assert "pod Krzanowicami" not in server(url).text, url


def test_a_scheduled_story_is_on_the_home_page_when_its_time_comes(
    server, make_article, editor, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    at = timezone.now() + timedelta(minutes=5)
    make_article(title="O szóstej rano", at=at)
    assert "O szóstej rano" not in server("/").text
    assert server("/").headers["x-cache"] == "HIT"
    time_machine.move_to(at + timedelta(seconds=1), tick=False)
    # No job has run: the stored home page expired at the story's time.
    assert "O szóstej rano" in server("/").text


def test_a_scheduled_story_joins_other_news_and_breaking_news_ends_on_time(
    server, make_article, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    older = make_article(title="Wczorajsza sesja")
    at = timezone.now() + timedelta(minutes=5)
    breaking = make_article(title="Awaria wodociągu")
    breaking.breaking_until = at + timedelta(minutes=5)
    breaking.breaking_text = "Brak wody na Ostrogu"
    breaking.save()
    make_article(title="O szóstej rano", at=at)
    page = server(older.get_absolute_url()).text
    assert "O szóstej rano" not in page and "Brak wody na Ostrogu" in page
    # Every page has its own entry; the lists inside come from shared fragments.
    assert "O szóstej rano" not in server("/").text
    time_machine.move_to(at + timedelta(seconds=1), tick=False)
    assert "O szóstej rano" in server(older.get_absolute_url()).text
    time_machine.move_to(at + timedelta(minutes=5, seconds=1), tick=False)
    assert "Brak wody na Ostrogu" not in server(older.get_absolute_url()).text
    assert "Brak wody na Ostrogu" not in server("/").text


def test_a_pinned_story_leaves_the_top_of_the_home_page_when_its_pin_ends(
    server, make_article, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    ends = timezone.now() + timedelta(minutes=5)
    make_article(title="Przypięte: objazdy", pinned_until=ends)
    make_article(title="Nowsza wiadomość")
    make_article(title="Najnowsza wiadomość")  # the featured story, above the list

    def first_of_latest() -> str:
        latest = server("/").text.split('id="najnowsze"')[1]
        return str(latest.split('class="card__title">')[1].split("<")[0])

    assert first_of_latest() == "Przypięte: objazdy"
    assert server("/").headers["x-cache"] == "HIT"
    time_machine.move_to(ends + timedelta(seconds=1), tick=False)
    # No job has run: the stored page and the cached lists expired on time.
    assert first_of_latest() == "Nowsza wiadomość"


def test_approved_and_removed_comments_show_on_the_next_request(
    server, make_article, reader, editor, django_capture_on_commit_callbacks
):
    from wiesci.comments.models import ModerationSettings, RemovalReason

    policy = ModerationSettings.current()
    policy.premoderate_first = 1  # the comment waits, so approval is what shows it
    policy.save()
    article = make_article(title="Sesja rady")
    url = article.get_absolute_url()
    server(url), server("/")
    with django_capture_on_commit_callbacks(execute=True):
        comment = comments.post_comment(
            article, author=reader, body="Mój głos", token="a"
        )
    assert "Mój głos" not in server(url).text  # waiting for approval
    with django_capture_on_commit_callbacks(execute=True):
        comments.approve_comment(comment, by=editor)
    page = server(url).text
    assert "Mój głos" in page and "Komentarze (1)" in page
    assert "1 komentarz<" in server("/").text
    reason = RemovalReason.objects.create(name="Test", explanation="Test")
    with django_capture_on_commit_callbacks(execute=True):
        comments.remove_comment(comment, by=editor, reason=reason)
    page = server(url).text
    assert "Mój głos" not in page and "Komentarze (0)" in page


def test_admin_and_forms_are_never_stored(server):
    assert "x-cache" not in server("/admin/").headers
    assert "x-cache" not in server("/konto/login/").headers


def test_redis_store_serves_and_purges_the_same_way(
    server, settings, redis_url, make_article, django_capture_on_commit_callbacks
):
    settings.CACHE_URL = redis_url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
        }
    }
    pagecache.reset_store()
    article = make_article(title="W Redisie")
    assert server(article.get_absolute_url()).headers["x-cache"] == "MISS"
    hit = server(article.get_absolute_url(), accept_encoding="br")
    assert hit.headers["x-cache"] == "HIT"
    assert "W Redisie" in brotli.decompress(hit.body).decode()
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Druga w Redisie")
    assert server(article.get_absolute_url()).headers["x-cache"] == "MISS"
    assert isinstance(pagecache.store(), pagecache.RedisStore)


def _fixed_app(text: str, during: Any = None) -> Any:
    """A WSGI app answering `text`, calling `during()` while it "renders"."""

    def app(environ, start_response):
        if during is not None:
            during()
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [text.encode()]

    return app


def _call(
    app: Any, path: str = "/artykul/x/", **environ: str
) -> tuple[str, dict[str, str]]:
    seen: dict[str, Any] = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, dict(headers)

    request = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "HTTP_HOST": "127.0.0.1",
        "SERVER_PORT": "8000",
    }
    request.update(environ)
    body = b"".join(app(request, start_response))
    return body.decode(errors="replace"), seen["headers"]


@pytest.fixture(params=["files", "redis"])
def any_store(request, settings, tmp_path):
    """The page cache on each of its stores, in a fresh place."""
    settings.DATA_DIR = tmp_path
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        settings.CACHE_URL = url
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
            }
        }
    pagecache.reset_store()
    # A Redis shared with other tests starts afresh: purged twice, as a copy
    # one purge old may still be answered stale.
    pagecache.store().purge_all()
    pagecache.store().purge_all()
    yield pagecache.store()
    pagecache.reset_store()


@pytest.mark.parametrize("purge", ["path", "everything"])
def test_a_page_rendered_before_a_purge_is_never_served_after_it(any_store, purge):
    def change() -> None:
        if purge == "path":
            pagecache.purge_paths(["/artykul/x/"])
        else:
            pagecache.purge_all()

    stale = pagecache.PageCache(_fixed_app("przed zmianą", during=change))
    assert _call(stale)[0] == "przed zmianą"
    fresh = pagecache.PageCache(_fixed_app("po zmianie"))
    text, headers = _call(fresh)
    assert (text, headers["X-Cache"]) == ("po zmianie", "MISS")
    assert _call(fresh)[1]["X-Cache"] == "HIT"


def test_a_purge_in_one_process_is_seen_by_the_others_at_once(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    # Two stores on one directory: two worker processes, each with its memory.
    first = pagecache.FileStore(tmp_path / "pagecache")
    second = pagecache.FileStore(tmp_path / "pagecache")
    entry, ticket = first.lookup("/a/", "q", 1.0)
    assert entry is None
    first.store(
        "/a/",
        "q",
        pagecache.Entry("200 OK", [], {"identity": b"a"}, "e", 1.0, 9e9, ticket),
    )
    assert first.lookup("/a/", "q", 2.0)[0] is not None
    assert second.lookup("/a/", "q", 2.0)[0] is not None
    second.purge_paths(["/a/"])
    assert first.lookup("/a/", "q", 3.0)[0] is None
    assert second.lookup("/b/", "q", 3.0)[1][0] == first.lookup("/b/", "q", 3.0)[1][0]
    first.purge_all()
    assert second.generation() == first.generation()


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip, deflate, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0.5, br;q=0", "gzip"),
        ("br;q=0, gzip;q=0", None),
        ("*", "br"),
        ("identity", None),
    ],
)
def test_accept_encoding_quality_values_are_respected(
    settings, tmp_path, accept, expected
):
    settings.DATA_DIR = tmp_path
    pagecache.reset_store()
    app = pagecache.PageCache(_fixed_app("Zupa " * 200))
    _call(app)
    headers = _call(app, HTTP_ACCEPT_ENCODING=accept)[1]
    assert headers.get("Content-Encoding") == expected
    pagecache.reset_store()


def _to_https(environ, start_response):
    start_response("301 Moved Permanently", [("Location", "https://x/")])
    return [b""]


def test_http_and_https_requests_never_share_an_entry(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    pagecache.reset_store()
    redirect = pagecache.PageCache(_to_https)
    _call(redirect, path="/")
    assert _call(redirect, path="/")[1]["X-Cache"] == "HIT"
    secure = _call(redirect, path="/", HTTP_X_FORWARDED_PROTO="https")[1]
    assert secure["X-Cache"] == "MISS"
    assert _call(redirect, path="/", HTTP_X_FORWARDED_PROTO="https")[1]["X-Cache"] == (
        "HIT"
    )
    pagecache.reset_store()


def _entries(root):
    return sorted(p for p in root.rglob("*.page"))


def test_made_up_forwarded_protocols_add_no_entries(settings, tmp_path):
    """Without a trusted proxy the header is ignored; with one, only its https
    counts, as Django reads it."""
    settings.DATA_DIR = tmp_path
    pagecache.reset_store()
    app = pagecache.PageCache(_fixed_app("Zupa"))
    for i in range(20):
        _call(app, path="/", HTTP_X_FORWARDED_PROTO=f"x{i}")
    assert len(_entries(tmp_path)) == 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    pagecache.reset_store()
    for i in range(20):
        _call(app, path="/", HTTP_X_FORWARDED_PROTO=f"x{i}")
    _call(app, path="/", HTTP_X_FORWARDED_PROTO="https")
    assert len(_entries(tmp_path)) == 2
    pagecache.reset_store()


def test_host_ports_and_unknown_hosts_add_no_entries(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ALLOWED_HOSTS = ["wiesci.example.pl"]
    settings.SITE_URL = "https://wiesci.example.pl"
    pagecache.reset_store()
    seen_hosts = []

    def app(environ, start_response):
        seen_hosts.append(environ["HTTP_HOST"])
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"Zupa"]

    cache = pagecache.PageCache(app)
    answers = [
        _call(cache, path="/", HTTP_HOST=f"wiesci.example.pl:{port}")[1]
        for port in range(1, 30)
    ]
    assert [a["X-Cache"] for a in answers[1:]] == ["HIT"] * 28
    assert _call(cache, path="/", HTTP_HOST="WIESCI.example.pl")[1]["X-Cache"] == "HIT"
    # The page was rendered for the canonical name, never for a made-up port.
    assert seen_hosts == ["wiesci.example.pl"]
    # The port the portal itself listens on is a host of its own.
    assert _call(cache, path="/", HTTP_HOST="wiesci.example.pl:8000")[1]["X-Cache"] == (
        "MISS"
    )
    # A name that is not the portal's is Django's to refuse, and never stored.
    assert "X-Cache" not in _call(cache, path="/", HTTP_HOST="evil.example.com")[1]
    assert len(_entries(tmp_path)) == 2
    pagecache.reset_store()


def test_page_numbers_count_only_on_paginated_pages_and_only_as_links_write_them(
    server, settings, make_article, section
):
    for i in range(25):
        make_article(title=f"Wiadomość {i}")
    url = section.get_absolute_url()
    assert server(url + "?strona=2").status == 200
    assert server(url + "?strona=2&utm_source=fb").headers["x-cache"] == "HIT"
    for bad in ("abc1", "0", "1", "02", "2&strona=3"):
        answer = server(f"{url}?strona={bad}")
        assert (answer.status, answer.headers["location"]) == (301, url), bad
    # A blank value (a form's empty field) is no value: the first page.
    assert server(url).status == 200
    assert server(url + "?strona=").headers["x-cache"] == "HIT"
    assert server(url + "?strona=3").status == 404  # past the end: not stored
    assert server(url + "?strona=3").status == 404
    server("/")
    for number in range(2, 12):
        assert server(f"/?strona={number}").headers["x-cache"] == "HIT"
    # The section's two pages and the home page.
    assert len(_entries(settings.DATA_DIR / "pagecache")) == 3


def test_cached_pages_never_carry_a_visitors_tracking_parameters(server, make_article):
    article = make_article()
    page = server(article.get_absolute_url() + "?utm_source=facebook&fbclid=IwAR0")
    assert "utm_source" not in page.text and "fbclid" not in page.text
    assert f"?next={article.get_absolute_url()}" in page.text.replace("%2F", "/")


def _sweep(cache: pagecache.FileStore, now: float) -> tuple[int, int]:
    """Sweep once no background sweep (started by storing) holds the lock;
    wait for it at most 10 s."""
    for _ in range(1000):
        files, size = cache.sweep(now=now)
        if files >= 0:
            break
        time.sleep(0.01)
    return files, size


def test_the_store_is_kept_within_its_size_and_forgets_expired_pages(tmp_path):
    cache = pagecache.FileStore(tmp_path, max_bytes=40_000)
    now = time.time()
    for i in range(30):
        ticket = cache.lookup(f"/p{i}/", "q", now)[1]
        body = {"identity": bytes(2000)}
        # The first ten expire at once; the rest one second apart.
        expires = now - 1 if i < 10 else now + 600 + i
        cache.store(
            f"/p{i}/",
            "q",
            pagecache.Entry("200 OK", [], body, "e", now, expires, ticket),
        )
    files, size = _sweep(cache, now)
    assert size <= 40_000 and files == len(_entries(tmp_path))
    survivors = {p.parent for p in _entries(tmp_path)}
    fresh = pagecache.FileStore(tmp_path)
    found = [i for i in range(30) if fresh.lookup(f"/p{i}/", "q", now)[0] is not None]
    # The expired ten are gone, and of the rest those expiring first went first.
    assert found == list(range(30 - files, 30)) and len(survivors) == files
    old = cache.generation()
    cache.purge_all()
    # A sweep started by the last store may still be running.
    assert _sweep(cache, now) == (0, 0)
    assert not (tmp_path / old).exists()


@pytest.fixture
def catalogue_version():
    """Work out the catalogues' version again after a test changed the language."""
    from wiesci.core import catalogs

    catalogs.version.cache_clear()
    yield catalogs
    catalogs.version.cache_clear()
    pagecache.reset_store()


def test_pages_and_fragments_rendered_in_one_language_never_serve_another(
    server, settings, make_article, catalogue_version
):
    make_article()
    assert ">Najnowsze<" in server("/").text
    settings.LANGUAGE_CODE = "en"
    catalogue_version.version.cache_clear()
    pagecache.reset_store()
    page = server("/")
    assert page.headers["x-cache"] == "MISS"
    assert ">Latest<" in page.text and "Najnowsze" not in page.text


def _counting_app(seconds: float) -> tuple[Any, list[int]]:
    """A slow WSGI app that counts its renders."""
    renders: list[int] = []
    lock = threading.Lock()

    def app(environ, start_response):
        with lock:
            renders.append(1)
        time.sleep(seconds)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [f"Strona {len(renders)}".encode()]

    return app, renders


def _at_once(app: Any, count: int) -> list[tuple[str, dict[str, str]]]:
    start = threading.Barrier(count)
    answers: list[Any] = [None] * count

    def reader(number: int) -> None:
        start.wait()
        answers[number] = _call(app)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


@pytest.mark.parametrize("purge", ["path", "everything"])
def test_concurrent_misses_on_one_page_render_it_once(any_store, settings, purge):
    # Readers wait rather than take the copy a purge made stale (tested below).
    settings.WIESCI_PAGE_STALE_BOUND_SECONDS = 0
    app, renders = _counting_app(0.3)
    cache = pagecache.PageCache(app)
    for round_number in (1, 2):
        answers = _at_once(cache, 12)
        assert len(renders) == round_number  # one render per purge, not twelve
        assert {text for text, _ in answers} == {f"Strona {round_number}"}
        if purge == "path":
            pagecache.purge_paths(["/artykul/x/"])
        else:
            pagecache.purge_all()


def test_readers_waiting_on_a_hung_render_render_for_themselves(any_store, monkeypatch):
    from wiesci.core.pagecache import wsgi

    monkeypatch.setattr(wsgi, "WAIT_SECONDS", 0.3)
    rendering, release = threading.Event(), threading.Event()

    def hung(environ, start_response):
        rendering.set()
        release.wait(timeout=30)  # until the other reader has its page
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [b"zawieszona"]

    first = threading.Thread(target=_call, args=(pagecache.PageCache(hung),))
    first.start()
    assert rendering.wait(timeout=10)  # the first request holds the claim
    try:
        text, headers = _call(pagecache.PageCache(_fixed_app("świeża")))
    finally:
        release.set()
        first.join(timeout=10)
    assert (text, headers["X-Cache"]) == ("świeża", "MISS")


def test_a_page_not_worth_storing_is_not_held_up_by_its_claim(any_store):
    renders: list[int] = []

    def private(environ, start_response):
        renders.append(1)
        time.sleep(0.1)
        start_response("200 OK", [("Cache-Control", "private")])
        return [b"Twoje konto"]

    answers = _at_once(pagecache.PageCache(private), 6)
    # Each reader's own answer, none kept: nothing private is shared.
    assert {text for text, _ in answers} == {"Twoje konto"}
    assert len(renders) == 6


def test_a_sweep_leaves_the_claims_of_renders_in_progress(tmp_path):
    from wiesci.core.pagecache.stores import FileStore

    files = FileStore(tmp_path / "strony")
    claim = files.claim("/artykul/x/", "q")
    assert claim is not None
    files.sweep()
    assert files.claim("/artykul/x/", "q") is None  # still held
    files.release(claim)
    again = files.claim("/artykul/x/", "q")
    assert again is not None
    files.release(again)


def _purge(kind: str) -> None:
    """Make the stored /artykul/x/ stale: purge it, everything, or both."""
    if kind in ("path", "both"):
        pagecache.purge_paths(["/artykul/x/"])
    if kind in ("everything", "both"):
        pagecache.purge_all()


def _held_app() -> tuple[Any, list[int], threading.Event, threading.Event]:
    """A WSGI app answering "Strona N" on its Nth render; each render after
    the first sets `rendering` and is held until `release` is set."""
    renders: list[int] = []
    rendering, release = threading.Event(), threading.Event()
    lock = threading.Lock()

    def app(environ, start_response):
        with lock:
            renders.append(1)
            number = len(renders)
        if number > 1:
            rendering.set()
            release.wait(timeout=30)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [f"Strona {number}".encode()]

    return app, renders, rendering, release


def _start_render(
    app: Any, rendering: threading.Event
) -> tuple[threading.Thread, list[Any]]:
    """Send one request in the background; return once it is inside its
    render (holding the page's claim). Its answer is appended to the list."""
    answer: list[Any] = []
    thread = threading.Thread(target=lambda: answer.append(_call(app)))
    thread.start()
    assert rendering.wait(timeout=10)
    return thread, answer


def _control(headers: dict[str, str]) -> dict[str, str]:
    parts = [
        part.strip().partition("=") for part in headers["Cache-Control"].split(",")
    ]
    return {name: value for name, _, value in parts}


@pytest.mark.parametrize("purge", ["path", "everything", "both", "expiry"])
def test_readers_get_the_previous_copy_while_a_stale_page_renders(
    any_store, settings, monkeypatch, purge
):
    from wiesci.core.pagecache import wsgi

    # Far longer than the test takes, however slow the machine; the browser and
    # proxy lifetimes longer still, so that the bound is what limits them.
    settings.WIESCI_PAGE_STALE_BOUND_SECONDS = 60
    settings.WIESCI_PAGE_BROWSER_SECONDS = 600
    settings.WIESCI_PAGE_PROXY_SECONDS = 600
    expiry: list[float] = []

    def first_page_expires_soon() -> float | None:
        if purge != "expiry" or expiry:
            return None
        expiry.append(time.time() + 0.05)
        return expiry[0]

    monkeypatch.setattr(wsgi, "_expiry_hooks", [first_page_expires_soon])
    app, renders, rendering, release = _held_app()
    cache = pagecache.PageCache(app)
    assert _call(cache)[0] == "Strona 1"
    if purge == "expiry":
        while time.time() <= expiry[0]:
            time.sleep(0.01)
    else:
        _purge(purge)
    render, refreshed = _start_render(cache, rendering)
    try:
        answers = _at_once(cache, 8)
    finally:
        release.set()
        render.join(timeout=10)
    assert {(text, h["X-Cache"]) for text, h in answers} == {("Strona 1", "STALE")}
    for _, headers in answers:
        control = _control(headers)
        assert "stale-while-revalidate" not in control
        assert int(control["max-age"]) <= 60 and int(control["s-maxage"]) <= 60
    assert (refreshed[0][0], refreshed[0][1]["X-Cache"]) == ("Strona 2", "MISS")
    assert len(renders) == 2  # one refresh, however many readers came meanwhile
    text, headers = _call(cache)
    assert (text, headers["X-Cache"]) == ("Strona 2", "HIT")


def _waiting_readers(monkeypatch) -> threading.Semaphore:
    """Released once for each reader that starts waiting for a render."""
    waiting = threading.Semaphore(0)
    wait_for = pagecache.PageCache._wait_for

    def counted(*args: Any) -> Any:
        waiting.release()
        return wait_for(*args)

    monkeypatch.setattr(pagecache.PageCache, "_wait_for", staticmethod(counted))
    return waiting


def _readers_while_it_renders(
    monkeypatch, cache: Any, rendering: threading.Event, release: threading.Event
) -> list[tuple[str, dict[str, str]]]:
    """Four readers arriving while a render holds the page, the render
    released once all of them are waiting for it."""
    waiting = _waiting_readers(monkeypatch)
    render = _start_render(cache, rendering)[0]
    answers: list[Any] = []
    readers = threading.Thread(target=lambda: answers.extend(_at_once(cache, 4)))
    readers.start()
    try:
        for _ in range(4):
            assert waiting.acquire(timeout=10)
    finally:
        release.set()
        readers.join(timeout=30)
        render.join(timeout=10)
    return answers


@pytest.mark.parametrize("purge", ["path", "everything"])
def test_a_stale_copy_is_never_served_once_its_bound_has_passed(
    any_store, settings, monkeypatch, purge
):
    settings.WIESCI_PAGE_STALE_BOUND_SECONDS = 0.05
    app, renders, rendering, release = _held_app()
    cache = pagecache.PageCache(app)
    _call(cache)
    _purge(purge)
    time.sleep(0.1)  # twice the bound
    answers = _readers_while_it_renders(monkeypatch, cache, rendering, release)
    assert {(text, h["X-Cache"]) for text, h in answers} == {("Strona 2", "HIT")}
    assert len(renders) == 2


@pytest.mark.parametrize("purge", ["path", "everything"])
def test_after_two_purges_in_a_row_readers_wait_for_the_render(
    any_store, settings, monkeypatch, purge
):
    """Only the moment of the latest purge is kept: the first one's is unknown."""
    settings.WIESCI_PAGE_STALE_BOUND_SECONDS = 60
    app, renders, rendering, release = _held_app()
    cache = pagecache.PageCache(app)
    _call(cache)
    _purge(purge)
    _purge(purge)
    answers = _readers_while_it_renders(monkeypatch, cache, rendering, release)
    assert {(text, h["X-Cache"]) for text, h in answers} == {("Strona 2", "HIT")}
    assert len(renders) == 2


@pytest.mark.parametrize(
    ("own", "told"),
    [
        # Kept stale in front no longer than it lives there.
        ("max-age=0, s-maxage=2", "max-age=0, s-maxage=2, stale-while-revalidate=2"),
        ("public, max-age=30", "max-age=30, s-maxage=30, stale-while-revalidate=30"),
        ("s-maxage=5", "max-age=60, s-maxage=5, stale-while-revalidate=5"),
        # The portal's own limits.
        ("max-age=3600", "max-age=60, s-maxage=60, stale-while-revalidate=600"),
    ],
)
def test_a_responses_own_max_age_caps_what_browsers_and_proxies_are_told(
    any_store, own, told
):
    def feed(environ, start_response):
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Cache-Control", own)]
        )
        return [b"{}"]

    missed = _call(pagecache.PageCache(feed))[1]
    pagecache.reset_store()  # as another process would: read back from the store
    hit = _call(pagecache.PageCache(feed))[1]
    assert (missed["X-Cache"], hit["X-Cache"]) == ("MISS", "HIT")
    for headers in (missed, hit):
        assert headers["Cache-Control"] == f"public, {told}"


@pytest.fixture
def shared_feeds(monkeypatch):
    """/relacja/ registered as shared, for this test only."""
    from wiesci.core.pagecache import wsgi

    monkeypatch.setattr(wsgi, "_shared", ())
    pagecache.register_shared("/relacja/")


SESSION = {"HTTP_COOKIE": "sessionid=abc123; csrftoken=x"}


def test_a_shared_path_is_answered_from_the_store_to_readers_with_a_session(
    any_store, shared_feeds
):
    app, renders = _counting_app(0)
    cache = pagecache.PageCache(app)
    feed = "/relacja/1/wpisy/"
    outcomes = [_call(cache, path=feed, **SESSION)[1]["X-Cache"] for _ in range(3)]
    assert outcomes == ["MISS", "HIT", "HIT"]
    assert _call(cache, path=feed)[1]["X-Cache"] == "HIT"  # anonymous readers too
    assert len(renders) == 1
    for _ in range(2):
        headers = _call(cache, path="/artykul/x/", **SESSION)[1]
        assert "X-Cache" not in headers
        assert headers["Cache-Control"] == "private, no-cache"
    assert len(renders) == 3


def test_a_shared_paths_answer_that_sets_a_cookie_is_never_stored(
    any_store, shared_feeds
):
    def app(environ, start_response):
        start_response("200 OK", [("Set-Cookie", "sessionid=nowy; HttpOnly")])
        return [b"{}"]

    cache = pagecache.PageCache(app)
    for _ in range(2):
        headers = _call(cache, path="/relacja/1/wpisy/", **SESSION)[1]
        assert "X-Cache" not in headers
        assert headers["Cache-Control"] == "private, no-cache"


def test_counters_from_before_the_purge_times_keep_their_generation(tmp_path):
    from wiesci.core.pagecache.counters import SharedCounters

    # The file as it was: the generation and one count per slot, no times.
    old = (1234).to_bytes(8, "little") + bytes(8 * SharedCounters.SLOTS)
    (tmp_path / "counters").write_bytes(old)
    counters = SharedCounters(tmp_path / "counters")
    assert counters.generation() == 1234
    assert counters.purges(1).everything_at == 0
    counters.bump_generation(at=1700000000.5)
    purges = counters.purges(1)
    assert (purges.ticket, purges.everything_at) == ((1235, 0), 1700000000.5)


@pytest.mark.parametrize("limit", [1, 0])
def test_while_a_process_renders_other_stale_pages_are_answered_their_copy(
    any_store, settings, limit
):
    """After a purge of everything, a busy process answers the next stale
    page from its copy instead of rendering it on another thread."""
    settings.WIESCI_PAGE_STALE_BOUND_SECONDS = 60
    settings.WIESCI_PAGE_RENDERS_AT_ONCE = limit
    renders: list[str] = []
    rendering, release = threading.Event(), threading.Event()

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        renders.append(path)
        if path == "/artykul/x/" and renders.count(path) > 1:
            rendering.set()
            release.wait(timeout=30)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [f"{path} {renders.count(path)}".encode()]

    cache = pagecache.PageCache(app)
    _call(cache, "/artykul/x/")
    _call(cache, "/artykul/y/")
    pagecache.purge_all()
    render = _start_render(cache, rendering)[0]  # /artykul/x/ renders, held
    try:
        text, headers = _call(cache, "/artykul/y/")
    finally:
        release.set()
        render.join(timeout=10)
    if limit:
        assert (text, headers["X-Cache"]) == ("/artykul/y/ 1", "STALE")
        assert renders.count("/artykul/y/") == 1
        # Rendered by the next reader once the process is free.
        assert _call(cache, "/artykul/y/") == ("/artykul/y/ 2", ANY)
    else:
        assert (text, headers["X-Cache"]) == ("/artykul/y/ 2", "MISS")
