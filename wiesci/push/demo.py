"""Breaking-news notifications in the demo: a VAPID key of its own, so that
the notifications page has its button from the first start."""

from __future__ import annotations

import os

from django.conf import settings

from wiesci.core.demo import DemoContext
from wiesci.push import vapid


def prepare(context: DemoContext) -> list[str]:
    """Use the configured key, or one kept in the data directory (made on the
    first start) for this process and the server processes it starts."""
    if vapid.configured_text():
        return []
    path = settings.DATA_DIR / "demo-vapid.key"
    if not path.exists():
        private, _public = vapid.new_pair()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(private + "\n")
    key = path.read_text().strip()
    settings.VAPID_PRIVATE_KEY = key
    os.environ["WIESCI_VAPID_PRIVATE_KEY"] = key
    return [f"Breaking-news notifications: the demo's VAPID key is in {path.name}."]
