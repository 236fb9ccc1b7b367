"""The shape of what a browser posts to subscribe: the Push API's
`PushSubscription.toJSON()` and the ids of the sections chosen."""

from __future__ import annotations

import binascii
import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.utils.translation import gettext as _

from wiesci.push.vapid import b64url_decode
from wiesci.taxonomy.models import Section

MAX_ENDPOINT = 2000


class Malformed(ValueError):
    """What the browser sent is not a subscription; the message says why."""


@dataclass
class Subscription:
    endpoint: str
    p256dh: str
    auth: str
    sections: list[Section]


def _key(value: Any, size: int) -> bytes:
    if not isinstance(value, str) or len(value) > 200:
        raise Malformed
    try:
        raw = b64url_decode(value)
    except (binascii.Error, ValueError):
        raise Malformed from None
    if len(raw) != size:
        raise Malformed
    return raw


def endpoint(value: Any) -> str:
    """A push service's address: https, on a named host of the internet.

    The worker posts to it, so it must not be a way to make the portal call
    its own network (an address such as http://10.0.0.5/ or localhost).
    """
    wrong = Malformed(_("The push service address is not valid."))
    if not isinstance(value, str) or not value or len(value) > MAX_ENDPOINT:
        raise wrong
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        raise wrong from None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        raise wrong
    if (
        parts.scheme != "https"
        or "." not in host
        or host.endswith((".local", ".localhost", ".internal"))
        or parts.username
        or parts.password
    ):
        raise wrong
    return value


def parse_subscription(data: Any) -> Subscription:
    """The subscription in `data`; Malformed with a message for the reader."""
    if not isinstance(data, dict) or not isinstance(data.get("subscription"), dict):
        raise Malformed(_("The browser sent no subscription."))
    subscription = data["subscription"]
    address = endpoint(subscription.get("endpoint"))
    keys = subscription.get("keys")
    if not isinstance(keys, dict):
        raise Malformed(_("The browser sent no encryption keys."))
    try:
        public = _key(keys.get("p256dh"), 65)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
        _key(keys.get("auth"), 16)
    except (Malformed, ValueError):
        raise Malformed(_("The browser's encryption keys are not valid.")) from None
    ids = data.get("sections", [])
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise Malformed(_("Choose sections from the list."))
    sections = list(Section.objects.filter(pk__in=ids))
    if len(sections) != len(set(ids)):
        raise Malformed(_("One of the chosen sections does not exist."))
    return Subscription(address, keys["p256dh"], keys["auth"], sections)
