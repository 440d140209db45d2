"""Turning an HTML subtree into paragraphs of plain text.

Portals put body text in <p>, in bare <div>s, in table cells and between <br>s: a paragraph is
any run of inline content between two block boundaries, whatever the tags around it.
"""

from __future__ import annotations

from lxml import etree

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "iframe",
        "template",
        "svg",
        "canvas",
        "select",
        "option",
        "button",
        "input",
        "textarea",
        "object",
        "embed",
        "video",
        "audio",
        "map",
        "head",
    ]
)


def clean_space(text: str | None) -> str:
    """Collapse all whitespace (including NBSP) to single spaces."""
    return " ".join(text.split()) if text else ""


def paragraphs(element: etree._Element) -> list[str]:
    """Block-segmented text of `element`, one string per paragraph, whitespace collapsed.

    An explicit stack rather than recursion: a page nested a few thousand levels deep is
    still read (recursion raised RecursionError and lost the article).
    """
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = clean_space("".join(buf))
        if text:
            out.append(text)
        buf.clear()

    if element.text:
        buf.append(element.text)
    # Each frame: an iterator over a node's children; markers close blocks and add tails.
    stack: list = [iter(element)]
    while stack:
        top = stack[-1]
        if isinstance(top, tuple):  # (block?, tail) after a child's subtree
            stack.pop()
            if top[0]:
                flush()
            if top[1]:
                buf.append(top[1])
            continue
        child = next(top, None)
        if child is None:
            stack.pop()
            continue
        tag = child.tag.lower() if isinstance(child.tag, str) else None
        if tag is None or tag in SKIP_TAGS:
            if child.tail:
                buf.append(child.tail)
        elif tag == "br":
            flush()
            if child.tail:
                buf.append(child.tail)
        else:
            block = tag in BLOCK_TAGS
            if block:
                flush()
            stack.append((block, child.tail))
            if child.text:
                buf.append(child.text)
            stack.append(iter(child))
    flush()
    return out


def text_of(element: etree._Element) -> str:
    """All text of an element on one line (for titles, captions, date lines)."""
    return clean_space(" ".join(paragraphs(element)))
