"""What an article draft made from a tip starts from (see
`services.turn_into_draft`)."""

from __future__ import annotations

import html
import re

from django.utils.translation import gettext as _

from wiesci.tips.models import Tip


def paragraphs(text: str) -> list[str]:
    """The reader's text as escaped HTML paragraphs; single line breaks kept."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.replace("\r", ""))]
    return [
        "<p>" + "<br>".join(html.escape(line) for line in block.split("\n")) + "</p>"
        for block in blocks
        if block
    ]


def draft_body(tip: Tip) -> str:
    """What the draft's body starts from: the text, where and when, and the
    reader named only if they agreed."""
    parts = paragraphs(tip.text)
    if tip.place:
        label = html.escape(_("Where:"))
        parts.append(f"<p><strong>{label}</strong> {html.escape(tip.place)}</p>")
    if tip.happened:
        label = html.escape(_("When:"))
        parts.append(f"<p><strong>{label}</strong> {html.escape(tip.happened)}</p>")
    if tip.credit:
        credit = _("Information from a reader: %(name)s.") % {"name": tip.credit}
    else:
        credit = _("Information from a reader.")
    parts.append(f"<p><em>{html.escape(credit)}</em></p>")
    return "".join(parts)
