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
    """Block-segmented text of `element`, one string per paragraph, whitespace collapsed."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        text = clean_space("".join(buf))
        if text:
            out.append(text)
        buf.clear()

    def walk(node: etree._Element) -> None:
        if node.text:
            buf.append(node.text)
        for child in node:
            tag = child.tag.lower() if isinstance(child.tag, str) else None
            if tag is None or tag in SKIP_TAGS:
                pass
            elif tag == "br":
                flush()
            elif tag in BLOCK_TAGS:
                flush()
                walk(child)
                flush()
            else:
                walk(child)
            if child.tail:
                buf.append(child.tail)

    walk(element)
    flush()
    return out


def text_of(element: etree._Element) -> str:
    """All text of an element on one line (for titles, captions, date lines)."""
    return clean_space(" ".join(paragraphs(element)))
