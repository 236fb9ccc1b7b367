"""Middleware of the product's own."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
