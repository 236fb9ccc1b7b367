"""E-mail sent by the task worker, after the request that asked for it.

A request that sends mail itself answers as slowly as the mail server
(and, at sign-up, answers an existing address differently from a new one):
the message is rendered in the request, handed to the queue when the
transaction commits, and delivered by `wiesci worker`.
"""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django_tasks import task


def send_later(message: EmailMessage) -> None:
    """Queue `message` for delivery once the current transaction commits."""
    fields = {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "alternatives": [
            [str(content), str(mimetype)]
            for content, mimetype in getattr(message, "alternatives", [])
        ],
        "html": message.content_subtype == "html",
    }
    transaction.on_commit(lambda: deliver_mail.enqueue(fields=fields))


@task()
def deliver_mail(fields: dict[str, Any]) -> None:
    """Send one message queued by `send_later`."""
    alternatives = fields.pop("alternatives", [])
    html = fields.pop("html", False)
    message = EmailMultiAlternatives(**fields)
    for content, mimetype in alternatives:
        message.attach_alternative(content, mimetype)
    if html:
        message.content_subtype = "html"
    message.send()
