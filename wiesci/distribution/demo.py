"""The demo portal's profile: a short name, a description, the newsroom's
address. No logo or icon: the portal draws its icon from its initial."""

from __future__ import annotations

from wiesci.core.demo import DemoContext
from wiesci.distribution.models import PortalProfile


def load(context: DemoContext) -> None:
    PortalProfile.objects.update_or_create(
        pk=1,
        defaults={
            "short_name": "Wieści",
            "description": (
                "Codzienne wiadomości z Raciborza i powiatu raciborskiego: "
                "sprawy miasta, gmin, sport, kultura i ogłoszenia."
            ),
            "email": "redakcja@wiesci.example.pl",
        },
    )
