"""Read-only views of one parsed page: selector rules, meta tags and JSON-LD.

Rules are CSS (with parsel's ::text / ::attr()) or XPath when they start with "/" or "(".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from lxml import etree
from parsel import Selector
from parsel.csstranslator import css2xpath

from crawler.text.decoding import utf8_of

from .blocks import clean_space, text_of

# libxml2's HTML parser without lxml.html's element classes: those cost a Python call for
# every element the extraction touches (about 5 % of a generic page's time), and nothing
# here uses their methods. The same tree parsel's Selector(text=...) would build.
_PARSER = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)


def parse_html(html: str) -> Selector:
    """A selector over one page (parsel's, on the plain HTML parser's tree)."""
    body = _utf8(html)
    root = etree.fromstring(body, parser=_PARSER) if body else None
    if root is None:  # nothing but comments or blanks: an empty document, as parsel makes
        root = etree.fromstring(b"<html/>", parser=_PARSER)
    return Selector(root=root, type="html")


def _utf8(html: str) -> bytes:
    """The page's UTF-8 as the parser takes it: stripped, without NUL characters. The bytes it
    was fetched as when they are that already (crawler.text.decoding.utf8_of): ASCII
    whitespace around printable ASCII, which both strips remove alike, and no NUL."""
    body = utf8_of(html)
    if body is not None and b"\x00" not in body:
        body = body.strip()
        if not body or (0x21 <= body[0] <= 0x7E and 0x21 <= body[-1] <= 0x7E):
            return body
    return html.strip().replace("\x00", "").encode("utf-8")


def select(sel: Selector, rule: str):
    return sel.xpath(rule) if rule.startswith(("/", "(")) else sel.css(rule)


# A CSS rule of one step whose predicate needs an attribute to hold a string:
# "descendant-or-self::*[@class and contains(@class, 'x') and ...]", "...a[@rel = 'x']".
_NEEDS = re.compile(
    r"descendant-or-self::(?:\*|[A-Za-z][\w-]*)\[@([A-Za-z][\w-]*)"
    r" (?:and contains\(@\1, '([^']*)'\)|= '([^']*)')((?: and [^\[\]]*)?)\]"
)


def unmatched(sel: Selector, rules: Iterable[str], values: dict[str, str]) -> frozenset[str]:
    """The CSS rules that surely match nothing: those that need an attribute to hold a string
    no such attribute of the page holds (generic profiles try a dozen class names, each a scan
    of the page, where most pages have none). `values` caches the page's attribute values."""
    if not isinstance(sel.root, etree._Element):
        return frozenset()
    out = set()
    for rule in rules:
        if rule.startswith(("/", "(")):
            continue
        try:
            m = _NEEDS.fullmatch(css2xpath(rule))
        except Exception:  # a bad rule raises where it is used, not here
            continue
        if not m or " or " in m.group(4):
            continue
        attr = m.group(1)
        if attr not in values:
            values[attr] = "\0".join(sel.root.xpath(f"//@{attr}", smart_strings=False))
        if (m.group(2) if m.group(2) is not None else m.group(3)) not in values[attr]:
            out.add(rule)
    return frozenset(out)


def node_text(node: Any) -> str:
    root = node.root
    if isinstance(root, etree._Element):
        return text_of(root)
    return clean_space(str(root))


def all_texts(sel: Selector, rules: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for rule in rules:
        for node in select(sel, rule):
            text = node_text(node)
            if text:
                seen.setdefault(text, None)
    return list(seen)


class MetaTags:
    """The page's <meta> tags, read in one pass: an XPath scan of the page per name looked up
    cost more than the rest of rule extraction."""

    ATTRS = ("property", "name", "itemprop")

    def __init__(self, sel: Selector):
        self.first: dict[tuple[str, str], str] = {}
        root = sel.root
        if not isinstance(root, etree._Element):
            return
        for el in root.iter("meta"):
            content = el.get("content")
            if content is None:
                continue
            for attr in self.ATTRS:
                value = el.get(attr)
                if value is not None:
                    self.first.setdefault((attr, value), content)

    def get(self, *names: str) -> str | None:
        """Content of the first <meta> whose property, name or itemprop is one of `names`
        (in that order of preference); blank contents do not count."""
        for name in names:
            for attr in self.ATTRS:
                value = self.first.get((attr, name))
                if value and value.strip():
                    return clean_space(value)
        return None


MAX_JSONLD_DEPTH = 8


def _walk_jsonld(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > MAX_JSONLD_DEPTH:
        return
    if isinstance(data, list):
        for entry in data:
            yield from _walk_jsonld(entry, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _walk_jsonld(data["@graph"], depth + 1)


ARTICLE_TYPES = {"Article", "NewsArticle", "ReportageNewsArticle", "BlogPosting", "WebPage"}


def jsonld_types(obj: dict[str, Any]) -> set[str]:
    """The object's @type names; anything but a string or a list of strings counts as none
    (a `@type` given as an object raised TypeError and lost the article)."""
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k for k in kinds if isinstance(k, str)}


def jsonld_article(sel: Selector) -> dict[str, Any]:
    """The page's JSON-LD article object, or {}: broken JSON-LD (invalid, nested thousands of
    levels deep, odd types) is common and costs only the fields it would have given."""
    best: dict[str, Any] = {}
    for raw in sel.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        for obj in _walk_jsonld(data):
            kinds = jsonld_types(obj)
            if kinds & ARTICLE_TYPES and (not best or "WebPage" in jsonld_types(best)):
                best = obj
    return best


def jsonld_text(obj: dict[str, Any], key: str) -> str | None:
    """A JSON-LD value that must be text; a number, object or list gives None."""
    value = obj.get(key)
    return clean_space(value) or None if isinstance(value, str) else None


def jsonld_author(obj: dict[str, Any]) -> str | None:
    author = obj.get("author")
    if isinstance(author, list):  # the first author only (several are rare and unordered)
        author = author[0] if author else None
    if isinstance(author, dict):
        author = author.get("name")
    return clean_space(author) if isinstance(author, str) and author.strip() else None
