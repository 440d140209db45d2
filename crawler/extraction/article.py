"""One HTML page in, one article dict out: profile rules first, generic sources behind them.

Pure function of (html, url, profile, hints): no network, no clock, no settings, so it can be
tested on saved pages and run in worker processes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import trafilatura
from lxml import etree
from parsel import Selector

from crawler.registry import Profile

from .blocks import clean_space, paragraphs, text_of
from .page import (
    all_texts,
    first_match,
    first_text,
    jsonld_article,
    jsonld_author,
    meta,
    select,
)

# /stores/news_dataimages/2023/012023/23/... and /2023/01/23/ in URLs and image paths.
PATH_DATE = re.compile(r"/((?:19|20)\d\d)/(?:\d\d)?(\d\d)(?:\1)?/(\d\d)/")
MAX_BYLINE_WORDS = 6


class Extraction:
    """Collects field values together with the method that produced each."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.methods: dict[str, str] = {}

    def offer(self, name: str, method: str, value: Any) -> bool:
        if name in self.fields or value in (None, "", [], ()):
            return False
        self.fields[name] = value
        self.methods[name] = method
        return True

    def fill(self, name: str, sources: list[tuple[str, Callable[[], Any]]]) -> None:
        for method, getter in sources:
            if self.offer(name, method, getter()):
                return


def _body_element(sel: Selector, profile: Profile) -> etree._Element | None:
    match = first_match(sel, profile.body)
    if not match or not isinstance(match[1].root, etree._Element):
        return None
    body = copy.deepcopy(match[1].root)
    body_sel = Selector(root=body)
    for rule in profile.body_exclude:
        for node in select(body_sel, rule):
            el = node.root
            if isinstance(el, etree._Element) and el.getparent() is not None:
                el.getparent().remove(el) if not el.tail else _drop_keep_tail(el)
    return body


def _drop_keep_tail(el: etree._Element) -> None:
    parent = el.getparent()
    prev = el.getprevious()
    if prev is not None:
        prev.tail = (prev.tail or "") + (el.tail or "")
    else:
        parent.text = (parent.text or "") + (el.tail or "")
    parent.remove(el)


def _images(sel: Selector, profile: Profile, url: str) -> list[dict[str, str | None]]:
    images: list[dict[str, str | None]] = []
    seen: set[str] = set()
    for rule in profile.images:
        for node in select(sel, rule):
            img = node.root
            if not isinstance(img, etree._Element):
                continue
            src = img.get("src") or img.get("data-src")
            if not src or src.startswith("data:"):
                continue
            src = urljoin(url, src.strip())
            if src in seen:
                continue
            seen.add(src)
            images.append(
                {"src": src, "caption": _caption_near(img) or clean_space(img.get("alt"))}
            )
    return images


def _caption_near(img: etree._Element) -> str | None:
    """The caption sharing the image's table or figure (MasterCMS puts it one row below)."""
    container = next(
        (a for a in img.iterancestors() if a.tag in ("table", "figure")),
        None,
    )
    if container is None:
        return None
    if container.tag == "figure":
        cap = container.find(".//figcaption")
        return text_of(cap) or None if cap is not None else None
    for cell in container.iter("td", "th"):
        if cell.find(".//img") is None:
            text = text_of(cell)
            if text:
                return text
    return None


def _cut_author(value: str | None, cuts: tuple[str, ...]) -> str | None:
    if not value:
        return None
    for sep in cuts:
        value = value.split(sep, 1)[0]
    value = clean_space(value).strip(" -–,.:")
    return value or None


def _author_in_date(date_line: str | None, profile: Profile) -> str | None:
    if not date_line or not profile.author_in_date:
        return None
    m = re.search(profile.author_in_date, date_line)
    return _cut_author(m.group(1), profile.author_cut) if m else None


def _looks_like_byline(text: str) -> bool:
    words = text.split()
    return 0 < len(words) <= MAX_BYLINE_WORDS and not text.endswith((".", ":", "?", "!", ";"))


def _path_date(*urls: str) -> str | None:
    for value in urls:
        m = PATH_DATE.search(value or "")
        if m:
            return f"{m.group(3)}/{m.group(2)}/{m.group(1)}"
    return None


def _is_excerpt(description: str, paras: list[str]) -> bool:
    """True when a meta description merely repeats (the start of) the body: then it is no lead."""
    head = clean_space(description).rstrip(".… ")
    first = clean_space(paras[0]) if paras else ""
    return bool(head) and first.startswith(head)


def _clean_body(
    paras: list[str],
    *,
    lead: str | None,
    captions: list[str],
    drop: tuple[str, ...],
) -> list[str]:
    caption_set = {c.strip(" |") for c in captions}
    patterns = [re.compile(p) for p in drop]
    out: list[str] = []
    for text in paras:
        text = text.strip(" |")
        if not text or text in caption_set or any(p.search(text) for p in patterns):
            continue
        if out and text == out[-1]:
            continue
        out.append(text)
    if lead and out and clean_space(out[0]) == clean_space(lead):
        out.pop(0)
    return out


def _trafilatura(html: str, url: str) -> Any:
    return trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)


def extract_article(
    html: str, url: str, profile: Profile, hints: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Extract an article's fields from one page; `methods` says where each came from."""
    hints = hints or {}
    sel = Selector(text=html)
    ld = jsonld_article(sel)
    found = Extraction()
    traf_cache: list[Any] = []

    def traf() -> Any:
        if not traf_cache:
            traf_cache.append(_trafilatura(html, url))
        return traf_cache[0]

    def traf_field(name: str) -> Callable[[], Any]:
        def get() -> Any:
            doc = traf()
            value = getattr(doc, name, None) if doc is not None else None
            return clean_space(value) if isinstance(value, str) else value

        return get

    # Title
    found.fill(
        "title",
        [
            ("rule", lambda: first_text(sel, profile.title)),
            ("meta", lambda: meta(sel, "og:title", "twitter:title")),
            ("jsonld", lambda: clean_space(ld.get("headline"))),
            ("api", lambda: hints.get("title")),
            ("trafilatura", traf_field("title")),
            ("html", lambda: clean_space(sel.xpath("//title/text()").get())),
        ],
    )

    # Lead
    def rule_lead() -> str | None:
        lead = first_text(sel, profile.lead)
        for pattern in profile.lead_strip:
            lead = re.sub(pattern, "", lead or "", count=1) or None
        return lead

    found.fill("lead", [("rule", rule_lead), ("api", lambda: hints.get("lead"))])

    # Captions and images
    captions = all_texts(sel, profile.captions)
    images = _images(sel, profile, url)
    for image in images:
        if image["caption"] and image["caption"] not in captions:
            captions.append(image["caption"])
    found.offer("images", "rule", images)

    # Body
    body = _body_element(sel, profile) if profile.body else None
    paras = paragraphs(body) if body is not None else []
    method = "rule"
    if not paras and hints.get("body_html"):
        paras = paragraphs(Selector(text=hints["body_html"]).root)
        method = "api"
    if not paras:
        doc = traf()
        paras = [p for p in (doc.text or "").split("\n")] if doc is not None else []
        method = "trafilatura"
    if "lead" not in found.fields:
        description = meta(sel, "description", "og:description")
        if description and not _is_excerpt(description, paras):
            found.offer("lead", "meta", description)
    lead = found.fields.get("lead")
    paras = _clean_body(paras, lead=lead, captions=captions, drop=profile.drop)

    # Byline at the end of the body (SharePoint, Liferay, Drupal portals)
    byline = None
    if profile.byline_last and len(paras) > 1 and _looks_like_byline(paras[-1]):
        byline = paras.pop()
    found.offer("text", method, "\n\n".join(paras))

    # Author
    found.fill(
        "author",
        [
            ("rule", lambda: _cut_author(first_text(sel, profile.author), profile.author_cut)),
            ("rule", lambda: _author_in_date(first_text(sel, profile.date), profile)),
            ("byline", lambda: byline),
            ("jsonld", lambda: jsonld_author(ld)),
            ("meta", lambda: meta(sel, "author", "article:author", "dable:author")),
        ],
    )

    # Section
    found.fill(
        "section",
        [
            ("rule", lambda: first_text(sel, profile.section)),
            ("meta", lambda: meta(sel, "article:section")),
            ("jsonld", lambda: clean_space(str(ld.get("articleSection") or "")) or None),
            ("listing", lambda: hints.get("section")),
        ],
    )

    # Canonical URL and language
    found.fill(
        "canonical_url",
        [
            ("html", lambda: sel.xpath("//link[@rel='canonical']/@href").get()),
            ("meta", lambda: meta(sel, "og:url")),
        ],
    )
    if "canonical_url" in found.fields:
        found.fields["canonical_url"] = urljoin(url, found.fields["canonical_url"].strip())
    found.fill(
        "language",
        [
            ("html", lambda: (sel.xpath("/html/@lang").get() or "").split("-")[0].lower() or None),
            ("meta", lambda: meta(sel, "og:locale", "content-language")),
        ],
    )

    # Date candidates, best source first: parsed and arbitrated by the date pipeline.
    candidates: list[tuple[str, str]] = []
    if hints.get("date"):
        candidates.append(("api", hints["date"]))
    rule_date = first_text(sel, profile.date)
    if rule_date:
        candidates.append(("rule", rule_date))
    if ld.get("datePublished"):
        candidates.append(("jsonld", str(ld["datePublished"])))
    meta_date = meta(sel, "article:published_time", "datePublished", "pubdate", "date")
    if meta_date:
        candidates.append(("meta", meta_date))
    image_srcs = [img["src"] for img in images if img.get("src")]
    path_date = _path_date(url, *image_srcs)
    if path_date:
        candidates.append(("path", path_date))
    if not candidates and traf_cache and traf_cache[0] is not None and traf_cache[0].date:
        candidates.append(("trafilatura", traf_cache[0].date))

    item = dict(found.fields)
    item["url"] = url
    item["date_candidates"] = candidates
    item["methods"] = found.methods
    return item
