"""The small, safe formatting of information pages and news: Markdown rendered, then sanitised.

Raw HTML in the Markdown is not rendered (markdown-it ``html: False``), and the HTML that comes
out is cleaned again by nh3 to a short list of tags and attributes, links only to http(s) and
mailto, so nothing a page's author types can run in a parent's browser.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "a", "hr",
    "table", "thead", "tbody", "tr", "th", "td", "code", "pre",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}

_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def to_html(text: str) -> str:
    """Markdown as HTML that is safe to put in a page as it is."""
    rendered = _PARSER.render(text)
    # headings: a page's title is the h1, so "# x" in the text becomes an h2
    rendered = rendered.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return nh3.clean(
        rendered,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
