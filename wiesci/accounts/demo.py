"""Demo newsroom staff, readers and the demo editor's login."""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group

from wiesci.accounts.models import User
from wiesci.core.demo import DemoContext
from wiesci.core.text import polish_slugify

DATA = Path(__file__).with_name("demo.toml")
DEMO_EDITOR = "redakcja"
DEMO_DOMAIN = "wiesci.example.pl"


def load(context: DemoContext) -> None:
    data: dict[str, Any] = tomllib.loads(DATA.read_text())
    staff = {}
    for entry in data["author"]:
        user = User.objects.create_user(
            username=entry["key"],
            email=f"{entry['key']}@{DEMO_DOMAIN}",
            first_name=entry["first_name"],
            last_name=entry["last_name"],
            is_staff=True,
        )
        user.set_unusable_password()
        user.save(update_fields=["password"])
        role = "Redaktor" if entry.get("role") == "editor" else "Dziennikarz"
        user.groups.add(Group.objects.get(name=role))
        staff[entry["key"]] = user
    for entry in data["reader"]:
        username = polish_slugify(entry["display_name"], max_length=30)
        reader = User.objects.create_user(
            username=username,
            email=f"{username}@czytelnik.example.pl",
            display_name=entry["display_name"],
        )
        reader.set_unusable_password()
        reader.save(update_fields=["password"])
        EmailAddress.objects.create(
            user=reader, email=reader.email, verified=True, primary=True
        )
    context.shared["staff"] = staff
    context.shared["authors"] = data["author"]
    context.say(f"  {len(staff)} newsroom staff, {len(data['reader'])} readers")


def prepare(context: DemoContext) -> list[str]:
    """Give the demo editor a fresh password on every start and print it."""
    password = secrets.token_urlsafe(9)
    editor, _created = User.objects.get_or_create(
        username=DEMO_EDITOR,
        defaults={"email": f"{DEMO_EDITOR}@{DEMO_DOMAIN}", "first_name": "Redakcja"},
    )
    editor.is_staff = True
    editor.set_password(password)
    editor.save()
    editor.groups.add(Group.objects.get(name="Redaktor"))
    EmailAddress.objects.get_or_create(
        user=editor, email=editor.email, defaults={"verified": True, "primary": True}
    )
    return [
        f"Demo editor: log in at {context.site_url or settings.SITE_URL}/admin/ "
        f"as “{editor.email}” with password “{password}” (new on every start)."
    ]
