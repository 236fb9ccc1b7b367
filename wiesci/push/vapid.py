"""The portal's VAPID key pair (RFC 8292), which push services know it by.

The private key comes from WIESCI_VAPID_PRIVATE_KEY (setting
VAPID_PRIVATE_KEY): the 32-byte key in base64url, as `wiesci
generate_vapid_keys` prints it, or a PEM block. Browsers get the public key
(`applicationServerKey`) from the notifications page; with no key, or a
malformed one, the page offers no button and nothing is sent.
"""

from __future__ import annotations

import base64
import binascii
import functools
from email.utils import parseaddr

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid  # type: ignore[import-untyped]


class MalformedKey(ValueError):
    """The configured key is neither a base64url P-256 key nor a PEM one."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.lru_cache(maxsize=4)
def parse(text: str) -> Vapid:
    """The signing key of `text`; MalformedKey if it is not one."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            loaded = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError):
            raise MalformedKey("not a readable PEM private key") from None
        if not isinstance(loaded, ec.EllipticCurvePrivateKey) or not isinstance(
            loaded.curve, ec.SECP256R1
        ):
            raise MalformedKey("not a P-256 (prime256v1) key")
        return Vapid(loaded)
    try:
        raw = b64url_decode(text)
    except (binascii.Error, ValueError):
        raise MalformedKey("not base64url text") from None
    if len(raw) != 32:
        raise MalformedKey(f"expected 32 bytes in base64url, got {len(raw)}")
    try:
        private = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError:
        raise MalformedKey("not a P-256 private key") from None
    return Vapid(private)


def configured_text() -> str:
    return str(getattr(settings, "VAPID_PRIVATE_KEY", "") or "").strip()


def problem() -> str:
    """Why the configured key cannot be used; "" when it can or none is set."""
    text = configured_text()
    if not text:
        return ""
    try:
        parse(text)
    except MalformedKey as exc:
        return str(exc) or "malformed"
    return ""


def signing_key() -> Vapid | None:
    """The portal's key, or None when none (or no usable one) is configured."""
    text = configured_text()
    if not text:
        return None
    try:
        return parse(text)
    except MalformedKey:
        return None


def public_key(key: Vapid) -> str:
    """The uncompressed public point in base64url: `applicationServerKey`."""
    return b64url(
        key.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def application_server_key() -> str:
    """What the page hands the browser; "" when notifications are off."""
    key = signing_key()
    return public_key(key) if key is not None else ""


def new_pair() -> tuple[str, str]:
    """A fresh private key (base64url, 32 bytes) and its public key."""
    private = ec.generate_private_key(ec.SECP256R1())
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    return b64url(raw), public_key(Vapid(private))


def contact() -> str:
    """The `sub` claim: the newsroom's address, which a push service writes to
    when the portal's notifications cause it trouble."""
    from wiesci.distribution import profile

    address = profile.current().email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if address:
        return f"mailto:{address}"
    return str(settings.SITE_URL)
