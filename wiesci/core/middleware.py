"""Middleware of the product's own."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

IMPORT_MAP = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)


class AdminImportMapHashMiddleware:
    """Let the admin's import map through the strict Content-Security-Policy.

    The rich-text editor loads as ES modules through an inline
    `<script type="importmap">`. Instead of allowing inline scripts, the exact
    map is allowed by its SHA-256 hash, on admin pages only. Must come after
    CSPMiddleware in MIDDLEWARE, so the hash is added before the header is built.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/admin/")
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            hashes = [
                "'sha256-"
                + base64.b64encode(hashlib.sha256(body).digest()).decode()
                + "'"
                for body in IMPORT_MAP.findall(response.content)
            ]
            if hashes:
                response._csp_update = {"script-src": hashes}  # type: ignore[attr-defined]
        return response


# What a response may carry to change its policy (django-csp's decorators, or
# the middleware above).
_OWN_POLICY = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class PolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the portal's one policy built once.

    Every page but the admin's answers the same policy (no nonces: see
    settings), yet django-csp builds both headers anew for each response,
    about 4% of a page rendered past the page cache. Here they are built once
    per process, and again whenever the settings are replaced (as tests do);
    a response with a policy of its own, or a page that used a nonce, goes
    through django-csp unchanged.
    """

    _built: tuple[Any, Any, tuple[tuple[str, str, tuple[str, ...]], ...]] | None = None

    def _headers(self) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """(header, value, excluded path prefixes) of each policy in force."""
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built = PolicyMiddleware._built
        if built is None or built[0] is not policy or built[1] is not report_only:
            headers = (
                (HEADER, build_policy(), policy),
                (HEADER_REPORT_ONLY, build_policy(report_only=True), report_only),
            )
            built = (
                policy,
                report_only,
                tuple(
                    (
                        name,
                        value,
                        tuple((config or {}).get("EXCLUDE_URL_PREFIXES") or ()),
                    )
                    for name, value, config in headers
                    if value
                ),
            )
            PolicyMiddleware._built = built
        return built[2]

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            settings.DEBUG
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _OWN_POLICY)
        ):
            return super().process_response(request, response)
        path = request.path_info
        for name, value, excluded in self._headers():
            if name not in response and not path.startswith(excluded):
                response[name] = value
        # As django-csp does: a nonce asked for after this point is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
