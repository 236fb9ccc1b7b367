"""A push service for tests: a real HTTP server on 127.0.0.1 that checks
what the portal sends as Google's, Mozilla's or Apple's would.

Each request's VAPID header is verified (the JWT's ES256 signature against
the key in `k`, its audience and expiry), its encoding and TTL read, and its
body decrypted with the subscriber's private key (RFC 8291), so a test sees
exactly what a browser would show.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece  # type: ignore[import-untyped]
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

AUTHORIZATION = re.compile(r"^vapid\s+t=([^,\s]+)\s*,\s*k=([A-Za-z0-9_-]+)\s*$")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """A subscriber's keys, as a browser makes them for its push service."""

    name: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962,
                serialization.PublicFormat.UncompressedPoint,
            )
        )

    @property
    def auth_secret(self) -> str:
        return b64url(self.auth)


@dataclass
class Received:
    path: str
    problems: list[str]
    claims: dict[str, Any]
    ttl: int | None
    message: dict[str, Any] | None


def verify_vapid(header: str, audience: str) -> tuple[list[str], dict[str, Any]]:
    """What is wrong with the Authorization header, and its JWT's claims."""
    found = AUTHORIZATION.match(header or "")
    if not found:
        return [f"no VAPID authorization: {header!r}"], {}
    token, key = found.groups()
    try:
        head, body, signature = token.split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), unb64url(key)
        )
        raw = unb64url(signature)
        der = encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )
        public.verify(der, f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    except (ValueError, InvalidSignature) as exc:
        return [f"bad signature: {exc!r}"], {}
    problems = []
    if json.loads(unb64url(head)) != {"typ": "JWT", "alg": "ES256"}:
        problems.append("not an ES256 JWT")
    claims: dict[str, Any] = json.loads(unb64url(body))
    if claims.get("aud") != audience:
        problems.append(f"aud {claims.get('aud')!r} is not {audience!r}")
    exp = int(claims.get("exp", 0))
    if not time.time() < exp <= time.time() + 24 * 3600:
        problems.append(f"exp {exp} not within the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        problems.append(f"sub {claims.get('sub')!r}")
    return problems, claims


class PushService:
    def __init__(self) -> None:
        self.browsers: dict[str, Browser] = {}
        self.expired: set[str] = set()
        self.received: list[Received] = []
        self.lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                service.receive(self.path, dict(self.headers.items()), body)
                status = 410 if self.path in service.expired else 201
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> PushService:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def browser(self, name: str, *, expired: bool = False) -> tuple[str, Browser]:
        """A new browser's endpoint here, and its keys."""
        path = f"/push/{name}"
        self.browsers[path] = Browser(name)
        if expired:
            self.expired.add(path)
        return self.origin + path, self.browsers[path]

    def receive(self, path: str, headers: dict[str, str], body: bytes) -> None:
        headers = {k.lower(): v for k, v in headers.items()}
        problems, claims = verify_vapid(headers.get("authorization", ""), self.origin)
        if headers.get("content-encoding") != "aes128gcm":
            problems.append(f"content-encoding {headers.get('content-encoding')!r}")
        ttl = int(headers["ttl"]) if headers.get("ttl", "").isdigit() else None
        if ttl is None:
            problems.append("no TTL")
        message = None
        browser = self.browsers.get(path)
        if browser is None:
            problems.append(f"unknown endpoint {path}")
        else:
            try:
                plain = http_ece.decrypt(
                    body,
                    private_key=browser.private_key,
                    auth_secret=browser.auth,
                    version="aes128gcm",
                )
                message = json.loads(plain)
            except Exception as exc:  # any failure to decrypt is the finding
                problems.append(f"cannot decrypt: {exc!r}")
        with self.lock:
            self.received.append(Received(path, problems, claims, ttl, message))

    def paths(self) -> list[str]:
        with self.lock:
            return sorted(r.path for r in self.received)
