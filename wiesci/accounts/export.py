"""A reader's data as a file they can take elsewhere (GDPR Article 20).

The account's own rows are written here; an app that keeps more of a
reader's data (comments, reports, appeals) adds its part with `register()`,
as `head_templates` gathers the apps' head tags. Each part holds only what
the reader wrote or agreed to: never another person's text or name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from wiesci.accounts.models import User

Exporter = Callable[[User], Any]
EXPORTERS: dict[str, Exporter] = {}


def register(name: str, exporter: Exporter) -> None:
    """Add `exporter(user)`'s result to every export, under `name`."""
    EXPORTERS[name] = exporter


def moment(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def account_part(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": moment(user.date_joined),
        "last_login": moment(user.last_login),
        "banned_until": moment(user.banned_until),
        "ban_reason": user.ban_reason,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "consents": [
            {
                "given_at": moment(c.given_at),
                "terms_title": c.terms.title if c.terms else None,
                "terms_sha256": c.terms.digest if c.terms else None,
            }
            for c in user.consents.select_related("terms").order_by("given_at")
        ],
    }


def export_reader(user: User) -> dict[str, Any]:
    """Everything the portal keeps about `user`, by part."""
    data: dict[str, Any] = {
        "exported_at": moment(timezone.now()),
        "account": account_part(user),
    }
    for name, exporter in EXPORTERS.items():
        data[name] = exporter(user)
    return data


def export_json(user: User) -> str:
    return json.dumps(export_reader(user), ensure_ascii=False, indent=2)
