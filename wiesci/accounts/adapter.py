"""How allauth sends the readers' account mail: through the task queue."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter

from wiesci.core.mail import send_later


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def send_mail(
        self, template_prefix: str, email: str, context: dict[str, Any]
    ) -> None:
        """Render the message now, in the request; send it from the worker.

        Sign-up then answers an address that has an account as fast as a
        new one: no mail server is waited for in either case.
        """
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        values = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
            **context,
        }
        send_later(self.render_mail(template_prefix, email, values))
