"""One HTML page in, one article dict out: profile rules first, generic sources behind them.

Pure function of (html, url, profile, hints): no network, no clock, no settings, so it can be
tested on saved pages and run in worker processes.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin

import trafilatura
from lxml import etree
from parsel import Selector

from crawler.dates import MAX_INPUT as MAX_DATE_LINE
from crawler.legacy_encoding import fix_legacy_html
from crawler.registry import Profile

from .blocks import clean_space, paragraphs
from .figures import images_by_rule, images_generic
from .page import (
    MetaTags,
    all_texts,
    first_match,
    first_text,
    jsonld_article,
    jsonld_author,
    select,
)

# /stores/news_dataimages/2023/012023/23/... and /2023/01/23/ in URLs and image paths.
PATH_DATE = re.compile(r"/((?:19|20)\d\d)/(?:\d\d)?(\d\d)(?:\1)?/(\d\d)/")
MAX_BYLINE_WORDS = 6
# Machine-readable publication times in the markup (microdata, <time pubdate>, hAtom), and
# else the first <time datetime> of the <article> (its header comes before anything else).
HTML_DATE = (
    "(//*[@itemprop='datePublished']/@datetime | //time[@pubdate]/@datetime"
    " | //time[contains(concat(' ', @class, ' '), ' published ')]/@datetime)[1]"
)
ARTICLE_TIME = "(//article//time/@datetime)[1]"
TITLE_SEPARATORS = (" - ", " – ", " | ", " :: ")


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
    m = re.search(profile.author_in_date, date_line[:MAX_DATE_LINE])  # bounded work
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


def _strip_site_name(title: str | None, site_name: str | None) -> str | None:
    """The title without a trailing " - Site name" (the og:title of SEO plugins)."""
    if not title or not site_name:
        return title
    for sep in TITLE_SEPARATORS:
        if title.endswith(sep + site_name) and len(title) > len(sep + site_name):
            return title[: -len(sep + site_name)].strip()
    return title


SITE_DESCRIPTION = re.compile(r"^(?:cổng|trang|website|cơ quan)\b", re.IGNORECASE)


def _looks_like_lead(description: str) -> bool:
    """A sapo is a sentence about the story, not the portal's description of itself."""
    text = clean_space(description)
    return len(text.split()) >= 12 and not SITE_DESCRIPTION.match(text)


def _is_excerpt(description: str, paras: list[str]) -> bool:
    """True when a meta description merely repeats the start of the body: then it is no lead.

    A description equal to the whole first paragraph is the lead (a sapo the generic extractor
    kept in the body); _clean_body then takes it out of the body.
    """
    head = clean_space(description).rstrip(".… ")
    first = clean_space(paras[0]) if paras else ""
    return bool(head) and first.startswith(head) and first.rstrip(".… ") != head


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


class _Trafilatura:
    """trafilatura's two halves, each run at most once and only when a field falls back to it.

    Its metadata (htmldate's date search above all) costs more than its body extraction, and
    the page's own markup usually answers first: asking for both at once doubled the cost of
    a page on the generic path.
    """

    def __init__(self, html: str, url: str):
        self.html, self.url = html, url

    @functools.cached_property
    def body(self) -> Any:
        return trafilatura.bare_extraction(
            self.html, url=self.url, with_metadata=False, include_comments=False
        )

    @functools.cached_property
    def metadata(self) -> Any:
        return trafilatura.extract_metadata(self.html, default_url=self.url)

    @property
    def used(self) -> bool:
        """Whether the body came from trafilatura (then its date may stand in for the page's)."""
        return "body" in self.__dict__


def extract_article(
    html: str, url: str, profile: Profile, hints: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Extract an article's fields from one page; `methods` says where each came from."""
    html = fix_legacy_html(html)  # TCVN3 (ABC) pages to Unicode; NFC (windows-1258 pages)
    hints = hints or {}
    sel = Selector(text=html)
    ld = jsonld_article(sel)
    tags = MetaTags(sel)
    found = Extraction()
    traf = _Trafilatura(html, url)

    def traf_field(name: str) -> Callable[[], Any]:
        def get() -> Any:
            doc = traf.metadata
            value = getattr(doc, name, None) if doc is not None else None
            return clean_space(value) if isinstance(value, str) else value

        return get

    # Title
    found.fill(
        "title",
        [
            ("rule", lambda: first_text(sel, profile.title)),
            ("meta", lambda: tags.get("og:title", "twitter:title")),
            ("jsonld", lambda: clean_space(ld.get("headline"))),
            ("api", lambda: hints.get("title")),
            ("trafilatura", traf_field("title")),
            ("html", lambda: clean_space(sel.xpath("//title/text()").get())),
        ],
    )
    title = _strip_site_name(found.fields.get("title"), tags.get("og:site_name"))
    if title:
        found.fields["title"] = title

    # Lead
    def rule_lead() -> str | None:
        lead = first_text(sel, profile.lead)
        for pattern in profile.lead_strip:
            lead = re.sub(pattern, "", lead or "", count=1) or None
        return lead

    found.fill("lead", [("rule", rule_lead), ("api", lambda: hints.get("lead"))])

    # Captions and images
    captions = all_texts(sel, profile.captions)
    images = images_by_rule(sel, profile, url) if profile.images else images_generic(sel, url)
    for image in images:
        if image["caption"] and image["caption"] not in captions:
            captions.append(image["caption"])
    found.offer("images", "rule", images)

    # Body
    body = _body_element(sel, profile) if profile.body else None
    paras = paragraphs(body) if body is not None else []
    method = "rule"
    if not paras and hints.get("body_html"):
        api_sel = Selector(text=hints["body_html"])
        paras = paragraphs(api_sel.root)
        method = "api"
        if not images:  # the page lost its body: photos and captions come with the API's
            images = images_by_rule(api_sel, replace(profile, images=("//img",)), url)
            for text in [*all_texts(api_sel, profile.captions), *(i["caption"] for i in images)]:
                if text and text not in captions:
                    captions.append(text)
            found.offer("images", "api", images)
    if not paras:
        doc = traf.body
        paras = [p for p in (doc.text or "").split("\n")] if doc is not None else []
        method = "trafilatura"
    if paras and title and clean_space(paras[0]) == title:  # generic extractors keep the <h1>
        paras = paras[1:]
    if "lead" not in found.fields:
        description = tags.get("description", "og:description")
        if description and _looks_like_lead(description) and not _is_excerpt(description, paras):
            found.offer("lead", "meta", description)
    lead = found.fields.get("lead")
    paras = _clean_body(paras, lead=lead, captions=captions, drop=profile.drop)

    # Byline at the end of the body (SharePoint, Liferay, Drupal portals)
    byline = None
    if profile.byline_last and len(paras) > 1 and _looks_like_byline(paras[-1]):
        byline = paras.pop()
    found.offer("text", method, "\n\n".join(paras))

    # Author (some templates write it in the date line)
    date_line = first_text(sel, profile.date)  # the date pipeline reads its start only
    found.fill(
        "author",
        [
            ("rule", lambda: _cut_author(first_text(sel, profile.author), profile.author_cut)),
            ("rule", lambda: _author_in_date(date_line, profile)),
            ("byline", lambda: byline),
            ("jsonld", lambda: jsonld_author(ld)),
            ("meta", lambda: tags.get("author", "article:author", "dable:author")),
        ],
    )

    # Section
    found.fill(
        "section",
        [
            ("rule", lambda: first_text(sel, profile.section)),
            ("meta", lambda: tags.get("article:section")),
            ("jsonld", lambda: clean_space(str(ld.get("articleSection") or "")) or None),
            ("listing", lambda: hints.get("section")),
        ],
    )

    # Canonical URL and language
    found.fill(
        "canonical_url",
        [
            ("html", lambda: sel.xpath("//link[@rel='canonical']/@href").get()),
            ("meta", lambda: tags.get("og:url")),
        ],
    )
    if "canonical_url" in found.fields:
        found.fields["canonical_url"] = urljoin(url, found.fields["canonical_url"].strip())
    found.fill(
        "language",
        [
            ("html", lambda: (sel.xpath("/html/@lang").get() or "").split("-")[0].lower() or None),
            ("meta", lambda: tags.get("og:locale", "content-language")),
        ],
    )

    # Date candidates, best source first: parsed and arbitrated by the date pipeline.
    candidates: list[tuple[str, str]] = []
    if hints.get("date"):
        candidates.append(("api", hints["date"]))
    if date_line:
        candidates.append(("rule", date_line))
    if ld.get("datePublished"):
        candidates.append(("jsonld", str(ld["datePublished"])))
    meta_date = tags.get("article:published_time", "datePublished", "pubdate", "date")
    if meta_date:
        candidates.append(("meta", meta_date))
    time_date = sel.xpath(HTML_DATE).get() or sel.xpath(ARTICLE_TIME).get()
    if time_date and time_date.strip():
        candidates.append(("html", time_date.strip()))
    image_srcs = [img["src"] for img in images if img.get("src")]
    path_date = _path_date(url, *image_srcs)
    if path_date:
        candidates.append(("path", path_date))
    if not candidates and traf.used and (doc := traf.metadata) is not None and doc.date:
        candidates.append(("trafilatura", doc.date))

    item = dict(found.fields)
    item["url"] = url
    item["date_candidates"] = candidates
    item["methods"] = found.methods
    return item
