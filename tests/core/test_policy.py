"""The Content-Security-Policy every answer carries."""

import pytest
from csp.utils import build_policy
from django.test import override_settings

pytestmark = pytest.mark.django_db


def directives(header: str) -> dict[str, str]:
    return dict(part.strip().partition(" ")[::2] for part in header.split(";"))


def test_pages_carry_the_strict_policy_without_inline_scripts(client, make_article):
    article = make_article()
    for url in ("/", article.get_absolute_url(), "/najnowsze/"):
        header = client.get(url)["Content-Security-Policy"]
        assert header == build_policy()
        policy = directives(header)
        assert policy["script-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in header


def test_a_changed_policy_is_answered_at_once(client):
    with override_settings(
        CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}},
        CONTENT_SECURITY_POLICY_REPORT_ONLY={
            "DIRECTIVES": {"default-src": ["'self'"]},
            "EXCLUDE_URL_PREFIXES": ["/najnowsze/"],
        },
    ):
        response = client.get("/")
        assert response["Content-Security-Policy"] == "default-src 'none'"
        assert response["Content-Security-Policy-Report-Only"] == "default-src 'self'"
        latest = client.get("/najnowsze/")
        assert "Content-Security-Policy-Report-Only" not in latest
    assert client.get("/")["Content-Security-Policy"] == build_policy()


def test_the_admin_lets_only_its_own_import_map_through(client, editor):
    client.force_login(editor)
    response = client.get("/admin/articles/article/add/")
    assert response.status_code == 200
    scripts = directives(response["Content-Security-Policy"])["script-src"].split()
    hashes = [s for s in scripts if s.startswith("'sha256-")]
    assert b'type="importmap"' in response.content
    assert len(hashes) == 1
    assert "'unsafe-inline'" not in scripts
