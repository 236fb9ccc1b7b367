"""Who may read the operator's endpoints: the networks and the token settings name."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from functools import wraps

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as the log-in rate limits see it
    (allauth's, which the comments and the newsletter use too).

    Behind a proxy (WIESCI_BEHIND_PROXY) that is the entry the proxy added
    to X-Forwarded-For, never one a client wrote before it: nginx's own
    loopback address must not let every reader in. A request without the
    header came to the server directly.
    """
    return get_adapter(request).get_client_ip(request) or ""


def from_ops_network(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in network for network in settings.OPS_NETWORKS)


def has_ops_token(request: HttpRequest) -> bool:
    token = settings.OPS_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


def is_operator(request: HttpRequest) -> bool:
    return has_ops_token(request) or from_ops_network(request)


def operators_only(
    view: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """404 for anyone but the operator; the answer is never kept or indexed."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        if not is_operator(request):
            raise Http404
        response = view(request)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped
