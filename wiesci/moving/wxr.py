"""Reading a WordPress export (WXR 1.0, 1.1, 1.2) as a stream.

`read(path)` yields the export's authors, categories, tags and items one at
a time; each element is let go once read, so a file of several hundred MB
is read in a bounded amount of memory. A broken file raises ExportError
naming the line where it broke.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

VERSIONS = {
    "http://wordpress.org/export/1.0/": "1.0",
    "http://wordpress.org/export/1.1/": "1.1",
    "http://wordpress.org/export/1.2/": "1.2",
}
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
# The excerpt's namespace changed with the versions; any of them counts.
EXCERPTS = {
    "{http://wordpress.org/export/1.0/excerpt/}encoded",
    "{http://wordpress.org/export/1.1/excerpt/}encoded",
    "{http://wordpress.org/export/1.2/excerpt/}encoded",
}


class ExportError(Exception):
    """The file is not a WordPress export this importer can read."""


@dataclass
class Author:
    login: str
    name: str
    email: str = ""


@dataclass
class Term:
    kind: str  # "category" or "tag"
    slug: str
    name: str
    parent: str = ""  # the parent category's slug


@dataclass
class Comment:
    wp_id: str
    author: str
    email: str
    date: datetime | None
    text: str
    approved: bool
    parent: str = ""


@dataclass
class Item:
    wp_id: str
    guid: str
    post_type: str
    title: str
    link: str
    content: str
    excerpt: str
    status: str
    date: datetime | None
    slug: str
    creator: str
    categories: list[tuple[str, str, str]] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    comments: list[Comment] = field(default_factory=list)
    attachment_url: str = ""
    parent: str = ""
    line: int = 0


def _gmt(text: str) -> datetime | None:
    text = (text or "").strip()
    if not text or text.startswith("0000"):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _id(text: str) -> str:
    """A WordPress id, "" for none (WordPress writes 0)."""
    text = text.strip()
    return "" if text in ("", "0") else text


def _text(element: Any, tag: str) -> str:
    found = element.find(tag)
    return (found.text or "") if found is not None else ""


def read(path: Path) -> Iterator[Author | Term | Item]:
    """Everything of the export at `path`, in file order."""
    version = None
    wp = ""
    try:
        events = etree.iterparse(
            str(path),
            events=("start-ns", "end"),
            huge_tree=True,
            resolve_entities=False,
        )
        for event, value in events:
            if event == "start-ns":
                _prefix, uri = value
                if uri in VERSIONS and version is None:
                    version, wp = VERSIONS[uri], "{" + uri + "}"
                continue
            element = value
            tag = element.tag
            if not wp or not isinstance(tag, str):
                continue
            parent = element.getparent()
            if tag == wp + "author" and parent is not None and parent.tag == "channel":
                yield Author(
                    login=_text(element, wp + "author_login"),
                    name=_text(element, wp + "author_display_name")
                    or _text(element, wp + "author_login"),
                    email=_text(element, wp + "author_email"),
                )
            elif (
                tag == wp + "category"
                and parent is not None
                and parent.tag == "channel"
            ):
                yield Term(
                    "category",
                    _text(element, wp + "category_nicename"),
                    _text(element, wp + "cat_name"),
                    _text(element, wp + "category_parent"),
                )
            elif tag == wp + "tag" and parent is not None and parent.tag == "channel":
                yield Term(
                    "tag",
                    _text(element, wp + "tag_slug"),
                    _text(element, wp + "tag_name"),
                )
            elif tag == "item":
                yield _item(element, wp)
            else:
                continue
            # Let go of what was read, and of the siblings before it.
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del parent[0]
    except etree.XMLSyntaxError as error:
        raise ExportError(
            _("The export file is broken at line %(line)s: %(problem)s")
            % {"line": error.lineno, "problem": error.msg}
        ) from None
    except OSError as error:
        raise ExportError(
            _("The export file cannot be read: %(problem)s") % {"problem": error}
        ) from None
    if version is None:
        raise ExportError(
            _(
                "This is not a WordPress export (WXR 1.0, 1.1 or 1.2): no "
                "export namespace was found."
            )
        )


def _item(element: Any, wp: str) -> Item:
    meta = {
        _text(m, wp + "meta_key"): _text(m, wp + "meta_value")
        for m in element.findall(wp + "postmeta")
    }
    comments = [
        Comment(
            wp_id=_text(c, wp + "comment_id"),
            author=_text(c, wp + "comment_author"),
            email=_text(c, wp + "comment_author_email"),
            date=_gmt(_text(c, wp + "comment_date_gmt")),
            text=_text(c, wp + "comment_content"),
            approved=_text(c, wp + "comment_approved") == "1",
            parent=_id(_text(c, wp + "comment_parent")),
        )
        for c in element.findall(wp + "comment")
    ]
    excerpt = next((child.text or "" for child in element if child.tag in EXCERPTS), "")
    return Item(
        wp_id=_text(element, wp + "post_id"),
        guid=_text(element, "guid").strip(),
        post_type=_text(element, wp + "post_type") or "post",
        title=_text(element, "title").strip(),
        link=_text(element, "link").strip(),
        content=_text(element, CONTENT),
        excerpt=excerpt,
        status=_text(element, wp + "status") or "publish",
        date=_gmt(_text(element, wp + "post_date_gmt")),
        slug=_text(element, wp + "post_name"),
        creator=_text(element, DC_CREATOR),
        categories=[
            (c.get("domain", ""), c.get("nicename", ""), c.text or "")
            for c in element.findall("category")
        ],
        meta=meta,
        comments=comments,
        attachment_url=_text(element, wp + "attachment_url"),
        parent=_id(_text(element, wp + "post_parent")),
        line=element.sourceline or 0,
    )
