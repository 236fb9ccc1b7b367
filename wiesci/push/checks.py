"""`wiesci check`: a VAPID key that is set but cannot be read."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error
from django.utils.translation import gettext as _

from wiesci.push import vapid


def check_vapid_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problem = vapid.problem()
    if not problem:
        return []
    return [
        Error(
            _(
                "WIESCI_VAPID_PRIVATE_KEY is not a usable key (%(problem)s), "
                "so breaking-news notifications cannot be sent."
            )
            % {"problem": problem},
            hint=_(
                "Set it to the private key printed by `wiesci generate_vapid_keys` "
                "(base64url) or to a P-256 key in PEM, or remove it."
            ),
            id="wiesci.push.E001",
        )
    ]
