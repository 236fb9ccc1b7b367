"""How a comment's plain text is shown, and how many links readers then see.

Moderation counts links with the same function the page uses, so a comment
holds exactly as many clickable links as the policy counted.
"""

from __future__ import annotations

from django.utils.html import conditional_escape, urlize
from django.utils.safestring import SafeString, mark_safe


def render_comment(body: str) -> SafeString:
    """Plain text to HTML: escaped, paragraphs kept, links clickable and unendorsed."""
    paragraphs = [
        p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()
    ]
    html = []
    for paragraph in paragraphs:
        linked = urlize(conditional_escape(paragraph), nofollow=True, autoescape=False)
        # The text was escaped first, so the only rel attributes are urlize's.
        linked = linked.replace(' rel="nofollow"', ' rel="nofollow ugc"')
        html.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return mark_safe("".join(html))  # noqa: S308 (every piece was escaped above)


def count_links(body: str) -> int:
    """How many links the page makes of `body`: web addresses, bare domains, e-mails.

    The text is escaped before urlize runs, so every "<a " in the result is one
    of urlize's anchors.
    """
    return render_comment(body).count("<a ")
