"""One HTML page in, one article dict out: page objects that weigh evidence per field.

Pure function of (html, url, profile, hints, memory): no network, no clock, no settings, so it
can be tested on saved pages and run in worker processes.

`ArticlePage` is the generic page object, one method per field; the CMS families subclass it
(`PAGE_CLASSES`) and read their rules from the registry profile. A profile rule is a guess the
site may break: its value is kept only when the evidence agrees (one story heading that agrees
with og:title / <title> / JSON-LD / the API where they exist, not a heading in a list of links;
a date line near the story's heading, not a box's; a body that is not mostly links). Every
value refused is recorded in `rejections` ("field:reason"); `methods` says where each kept
value came from ("rule" for a profile rule, else the fallback's name).
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawler.extraction.dates import MAX_INPUT as MAX_DATE_LINE
from crawler.registry import Profile
from crawler.text.legacy_encoding import fix_legacy_html

from . import evidence as ev
from .blocks import clean_space, paragraphs, text_of
from .figures import images_by_rule, images_generic
from .memory import EMPTY, SiteMemory
from .page import (
    MetaTags,
    all_texts,
    jsonld_article,
    jsonld_author,
    jsonld_text,
    parse_html,
    select,
    unmatched,
)
from .trafilatura_loader import load_trafilatura

# /stores/news_dataimages/2023/012023/23/... and /2023/01/23/ in URLs and image paths.
PATH_DATE = re.compile(r"/((?:19|20)\d\d)/(?:\d\d)?(\d\d)(?:\1)?/(\d\d)/")
MAX_BYLINE_WORDS = 6
MAX_BYLINE_LINE = 100  # a byline with a job title glued to it, at most
# Machine-readable publication times in the markup (microdata, <time pubdate>, hAtom): the
# first in document order, in one scan of the elements that have a datetime (the union of three
# `//` queries it replaces cost three scans of every node, text included: 0.1 ms a page). And
# else the first <time datetime> of the <article> (its header comes before anything else).
HTML_DATE = (
    "(descendant-or-self::*[@datetime][@itemprop='datePublished' or self::time[@pubdate"
    " or contains(concat(' ', @class, ' '), ' published ')]]/@datetime)[1]"
)
ARTICLE_TIME = "(//article//time/@datetime)[1]"
TITLE_SEPARATORS = (" - ", " – ", " | ", " :: ")
HEADINGS = "//h1 | //h2 | //h3 | //*[contains(@class, 'title') and not(self::a)]"
MAX_HEADING_CHARS = 300
# A date line: an element whose class or id names a date, holding a numeric date. The page's
# class and id values are read in one XPath and tested here (a regex in the XPath would be a
# Python call per element, a case-folding XPath far slower).
DATELINE_NAME = re.compile(r"date|time|ngay|publish|posted|thoigian|thoi-gian", re.IGNORECASE)
DATELINE_SKIP = frozenset({"script", "style", "meta"})
NUMERIC_DATE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d\d\b|\b(?:19|20)\d\d-\d\d-\d\d\b")
MAX_DATELINE_CHARS = 120
MIN_BODY_CHARS = 200
MOSTLY_LINKS = 0.5  # share of a body's characters inside links beyond which it is a list
NEAR_BODY = 40  # elements between a story's heading and its first line, at most
SITE_DESCRIPTION = re.compile(r"^(?:cổng|trang|website|cơ quan)\b", re.IGNORECASE)


class Extraction:
    """Field values with the method that produced each, and the values refused."""

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {}
        self.methods: dict[str, str] = {}
        self.rejections: list[str] = []

    def offer(self, name: str, method: str, value: Any) -> bool:
        if name in self.fields or value in (None, "", [], ()):
            return False
        self.fields[name] = value
        self.methods[name] = method
        return True

    def reject(self, name: str, reason: str) -> None:
        entry = f"{name}:{reason}"
        if entry not in self.rejections:
            self.rejections.append(entry)


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


def _looks_like_lead(description: str) -> bool:
    """A sapo is a sentence about the story, not the portal's description of itself."""
    text = clean_space(description)
    return len(text.split()) >= 12 and not SITE_DESCRIPTION.match(text)


def _is_excerpt(description: str, paras: list[str]) -> bool:
    """True when a meta description merely repeats the start of the body: then it is no lead.

    A description equal to the whole first paragraph is the lead (a sapo the generic extractor
    kept in the body); the body cleaning then takes it out of the body.
    """
    if clean_space(description).endswith(("…", "...")):  # cut by the CMS: an excerpt
        return True
    head = clean_space(description).rstrip(".… ")
    for para in paras[:3]:
        first = clean_space(para)
        if head and first.startswith(head) and first.rstrip(".… ") != head:
            return True
    return False


class _Trafilatura:
    """trafilatura's body extraction, run at most once and only when the body falls back to it.

    Its metadata is not used: htmldate's date search costs more than the body, and its guesses
    (a sidebar's date, the portal clock's) are what the evidence rules refuse. `fast`: its own
    extractor only, no readability/jusText comparison, 40 % less time on AEB pages; the evidence
    rules around it do better without the comparison (`python -m bench.score_extraction`:
    AEB body F1 0.966 with it, 0.962 without; the real pages and the corpus unchanged).
    """

    def __init__(self, html: str, url: str):
        self.html, self.url = html, url

    @functools.cached_property
    def body(self) -> Any:
        # imported at the first page that needs it: a tenth of a second of every process's
        # start (the crawl's, each worker's) where the profile's rules find every body
        trafilatura = load_trafilatura()
        try:
            return trafilatura.bare_extraction(
                self.html, url=self.url, with_metadata=False, include_comments=False, fast=True
            )
        except RecursionError:  # markup nested thousands deep: the body is lost, not the page
            return None


class ArticlePage:
    """The generic page object: every field from evidence, profile rules tried first."""

    def __init__(
        self,
        html: str,
        url: str,
        profile: Profile,
        hints: dict[str, Any] | None = None,
        memory: SiteMemory | None = None,
    ):
        self.html = fix_legacy_html(html)  # TCVN3 (ABC) pages to Unicode; NFC
        self.url = url
        self.profile = profile
        self.hints = hints or {}
        self.memory = memory or EMPTY
        self.sel = parse_html(self.html)
        self.root = self.sel.root if isinstance(self.sel.root, etree._Element) else None
        self.layout: str | None = None
        for layout in profile.layouts:  # the template of its time, chosen by its markup
            if any(select(self.sel, rule) for rule in layout.when):
                self.profile, self.layout = layout.profile, layout.name
                break
        self.ld = jsonld_article(self.sel)
        self.tags = MetaTags(self.sel)
        self.traf = _Trafilatura(self.html, url)
        self.found = Extraction()
        self.title_el: etree._Element | None = None
        self.body_node: etree._Element | None = None
        self.dense_block: etree._Element | None = None
        self.raw_lines: list[str] = []
        self.body_method = "rule"
        self._texts: dict[etree._Element, str] = {}
        self._elsewhere: dict[etree._Element, bool] = {}
        self._unmatched: dict[tuple[str, ...], frozenset[str]] = {}
        self._attributes: dict[str, str] = {}

    # --- shared evidence -----------------------------------------------------------------

    def text_of(self, el: etree._Element) -> str:
        """text_of(el), once per element (headings are read by several tests)."""
        text = self._texts.get(el)
        if text is None:
            text = self._texts[el] = text_of(el)
        return text

    def links_elsewhere(self, el: etree._Element) -> bool:
        """ev.links_elsewhere(el, url), once per element."""
        found = self._elsewhere.get(el)
        if found is None:
            found = self._elsewhere[el] = ev.links_elsewhere(el, self.url)
        return found

    @functools.cached_property
    def order(self) -> dict[etree._Element, int]:
        """Document position of every element (built only when positions are compared)."""
        return {el: n for n, el in enumerate(self.root.iter())} if self.root is not None else {}

    @functools.cached_property
    def page_title(self) -> str | None:
        return clean_space(self.sel.xpath("//title/text()").get()) or None

    @functools.cached_property
    def claimed_titles(self) -> list[tuple[str, str]]:
        """The titles the page or the API state for the story (method, text), the site's
        name (a repeated one) excluded. <title> is last: portals often put their name there."""
        out = []
        for method, value in (
            ("api", self.hints.get("title")),
            ("meta", self.tags.get("og:title", "twitter:title")),
            ("jsonld", jsonld_text(self.ld, "headline")),
            ("html", self.page_title),
        ):
            if value and not self.memory.is_name(value):
                out.append((method, clean_space(value)))
        return out

    def agrees_with_claims(self, text: str, *, strong_only: bool = False) -> bool | None:
        """True/False when the page claims a title, None when it claims none."""
        claims = [c for m, c in self.claimed_titles if not (strong_only and m == "html")]
        if not claims:
            return None
        return any(ev.agrees(text, c) for c in claims)

    @functools.cached_property
    def headings(self) -> list[tuple[etree._Element, str]]:
        """Headings outside lists of links, h1 first, then in document order."""
        out = []
        for node in self.sel.xpath(HEADINGS):
            el = node.root
            if not isinstance(el, etree._Element) or ev.in_list(el):
                continue
            if self.links_elsewhere(el):  # a teaser's headline, linking to its story
                continue
            text = self.text_of(el)
            if text and len(text) <= MAX_HEADING_CHARS:
                out.append((el, text))
        return sorted(out, key=lambda pair: pair[0].tag != "h1")

    @functools.cached_property
    def links(self) -> set[str]:
        return ev.link_texts(self.root) if self.root is not None else set()

    @functools.cached_property
    def body_start(self) -> int | None:
        """Document position where the story's text begins (its first long line)."""
        if self.body_method == "rule" and self.body_node is not None:
            # The rule's own box: the story starts at its first long line, inside it.
            first = next((p for p in self.raw_lines if len(p) >= 30), None)
            el = ev.locate(self.body_node, first) if first else None
            return self.order.get(el if el is not None else self.body_node)
        heads = {ev.key(t) for _, t in self.headings}
        links = self.links if self.body_method != "rule" else set()
        first = next(
            (
                p
                for p in self.raw_lines
                if len(p) >= 30
                and ev.key(p) not in heads
                and not ev.is_link_line(p, links)
                and "|" not in p
            ),
            None,
        )
        if self.root is None or not first:
            return None
        el = ev.locate(self.root, first)
        if el is None and self.body_node is not None:
            el = self.body_node
        return self.order.get(el) if el is not None else None

    @functools.cached_property
    def h1_positions(self) -> list[int]:
        """Positions of the page's story-like headings: every h1, and h2/h3 of four words or
        more outside lists (a heading between a candidate and the story's text outranks it)."""
        if self.root is None:
            return []
        out = []
        for el in self.root.iter("h1", "h2", "h3"):
            text = self.text_of(el)
            if not text or (el.tag != "h1" and (len(text.split()) < 4 or ev.in_list(el))):
                continue
            if not self.links_elsewhere(el):  # else a teaser's headline
                out.append(self.order[el])
        return out

    def before_body(self, el: etree._Element | None) -> bool | None:
        """Whether `el` is the last h1-level heading before the story's text (None: unknown)."""
        start = self.body_start
        at = self.order.get(el) if el is not None else None
        if start is None or at is None:
            return None
        if at >= start:
            return False
        return not any(at < h < start for h in self.h1_positions)

    def near_body(self, el: etree._Element) -> bool:
        """Within a few dozen elements of the story's text (a banner h1 is a page away)."""
        start, at = self.body_start, self.order.get(el)
        return start is not None and at is not None and 0 < start - at <= NEAR_BODY

    def rule_matches(self, rules: tuple[str, ...]) -> list[tuple[etree._Element | None, str]]:
        """(element, text) of every match of the first rule that matches with text."""
        skip: frozenset[str] = frozenset()
        for n, rule in enumerate(rules):
            if n == 1:  # no text from the first rule: rule out the others at once
                rest = rules[1:]
                if rest not in self._unmatched:
                    self._unmatched[rest] = unmatched(self.sel, rest, self._attributes)
                skip = self._unmatched[rest]
            if rule in skip:
                continue
            found = []
            for node in select(self.sel, rule):
                root = node.root
                el = root if isinstance(root, etree._Element) else None
                text = text_of(el) if el is not None else clean_space(str(root))
                if text:
                    found.append((el, text))
            if found:
                return found
        return []

    # --- fields ----------------------------------------------------------------------------

    def title(self) -> str | None:
        title = self._title()
        if title and self.memory:
            stripped = self.memory.strip_name(title)
            if stripped != title:
                self.found.fields["title"] = stripped
                self.found.reject("title", "site_name_stripped")
            return stripped
        return title

    def _title(self) -> str | None:
        found = self.found
        matches = self.rule_matches(self.profile.title)
        texts = ev.first_distinct(t for _, t in matches)
        if matches:
            chosen = self._judge_rule_title(matches, texts)
            if chosen is not None:
                self.title_el = chosen[0]
                found.offer("title", "rule", chosen[1])
                return chosen[1]
        # A heading of the page that agrees with what the page claims as its title, and
        # stands before the story's text (a banner h1 equal to <title> is the portal's name).
        strong = any(m != "html" for m, _ in self.claimed_titles)
        for el, text in self.headings:
            if self.memory.is_name(text) or not self.agrees_with_claims(text, strong_only=strong):
                continue
            placed = self.before_body(el)
            if not strong and placed and not self.near_body(el):
                placed = False  # <title> alone is evidence only next to the story
            if placed is False or (not strong and placed is None):
                found.reject("title", "not_before_body" if placed is False else "unconfirmed")
                continue
            self.title_el = el
            found.offer("title", "heading", text)
            return text
        for method, claim in self.claimed_titles:
            if method == "html":
                continue
            value = self._strip_name(claim)
            found.offer("title", method, value)
            return value
        # Only <title> claims: its headline part, where the page shows it before the story.
        for method, claim in self.claimed_titles:
            if method != "html":
                continue
            for part in ev.title_parts(claim):
                el = ev.find_text(self.root, part) if self.root is not None else None
                if (
                    el is not None
                    and not ev.in_list(el)
                    and self.before_body(el)
                    and self.near_body(el)
                ):
                    self.title_el = el
                    found.offer("title", "heading", text_of(el))
                    return text_of(el)
        # No claim to check against: the story's h1, the last one before its text; else its
        # h2 (templates that keep h1 for the portal's name), teasers' linked headlines aside.
        seen = False
        for tag in ("h1", "h2"):
            own = [(el, t) for el, t in self.headings if el.tag == tag]
            own = [(el, t) for el, t in own if not self.memory.is_name(t)]
            if tag != "h1":  # an h2 may hold the sapo: a headline is short, without a full stop
                own = [(el, t) for el, t in own if ev.headline_like(t)]
            seen = seen or bool(own)
            placed = [(el, t) for el, t in own if self.before_body(el) and self.near_body(el)]
            if placed:
                el, text = max(placed, key=lambda pair: self.order.get(pair[0], -1))
                break
        else:
            found.reject("title", "ambiguous" if seen else "unconfirmed")
            return None
        self.title_el = el
        found.offer("title", "heading", text)
        return text

    def _strip_name(self, claim: str) -> str:
        """A claimed title less a leading or trailing site name ("Headline - VnExpress"): a
        part that is og:site_name, a name the site repeats, or the host's name."""
        parts = ev.TITLE_SEPARATOR.split(claim)
        if len(parts) < 2:
            return claim
        host = re.sub(r"^www\.|\.[a-z.]+$", "", urlsplit(self.url).hostname or "").replace("-", "")
        site_name = ev.key(self.tags.get("og:site_name"))

        def is_name(part: str) -> bool:
            k = ev.key(part)
            return bool(k) and (
                k == site_name or self.memory.is_name(part) or (host and host in k.replace(" ", ""))
            )

        if is_name(parts[-1]):
            cut = claim[: claim.rindex(parts[-1])]
            return cut.rstrip().rstrip("-–—|:»/").rstrip() or claim
        if is_name(parts[0]):
            return claim[len(parts[0]) :].lstrip().lstrip("-–—|:»/").lstrip() or claim
        return claim

    def _judge_rule_title(
        self, matches: list[tuple[etree._Element | None, str]], texts: list[str]
    ) -> tuple[etree._Element | None, str] | None:
        found = self.found
        candidates = [(el, t) for el, t in matches if el is None or not ev.in_list(el)]
        if len(candidates) < len(matches):
            found.reject("title", "in_list")
        candidates = [(el, t) for el, t in candidates if not self.memory.is_name(t)]
        if not candidates:
            if matches and all(self.memory.is_name(t) for _, t in matches):
                found.reject("title", "site_name")
            return None
        distinct = ev.first_distinct(t for _, t in candidates)
        if len(distinct) > 1:  # several boxes: only what stands right before the story counts
            placed = [(el, t) for el, t in candidates if self.before_body(el) is not False]
            if len(placed) < len(candidates):
                found.reject("title", "not_before_body")
            candidates = placed or candidates
            distinct = ev.first_distinct(t for _, t in candidates)
        # <title> alone may be the portal's name (as a banner h1 may be): it cannot choose.
        agreeing = [(el, t) for el, t in candidates if self.agrees_with_claims(t, strong_only=True)]
        if len(distinct) > 1:
            agreed = ev.first_distinct(t for _, t in agreeing)
            if len(agreed) == 1:
                return next(pair for pair in agreeing if pair[1] == agreed[0])
            found.reject("title", "ambiguous")
            return None
        el, text = candidates[0]
        if self.agrees_with_claims(text, strong_only=True) is False:
            found.reject("title", "disagrees_meta")
            return None
        if agreeing:
            return el, text
        placed = self.before_body(el)
        if placed is False:
            found.reject("title", "not_before_body")
            return None
        if placed is None and self.body_node is None:
            # Neither a claim nor the story's place confirms it (a banner h1 may match "h1").
            found.reject("title", "unconfirmed")
            return None
        return el, text

    def lead(self) -> str | None:
        lead = self.rule_lead()
        if lead:
            self.found.offer("lead", "rule", lead)
        else:
            self.found.offer("lead", "api", self.hints.get("lead"))
        return self.found.fields.get("lead")

    def rule_lead(self) -> str | None:
        matches = self.rule_matches(self.profile.lead)
        lead = next((t for el, t in matches if el is None or not ev.in_list(el)), None)
        for pattern in self.profile.lead_strip:
            lead = re.sub(pattern, "", lead or "", count=1) or None
        return lead

    def images(self) -> tuple[list[dict[str, Any]], list[str]]:
        captions = all_texts(self.sel, self.profile.captions)
        if self.profile.images:
            images = images_by_rule(self.sel, self.profile, self.url)
        else:
            images = images_generic(self.sel, self.url)
        for image in images:
            if image["caption"] and image["caption"] not in captions:
                captions.append(image["caption"])
        self.found.offer("images", "rule", images)
        return images, captions

    def body_element(self) -> etree._Element | None:
        """The profile's body, the match with most text outside links when a selector matches
        several boxes (a sidebar reusing the story's classes); None when it is mostly links."""
        for rule in self.profile.body:
            els = [n.root for n in select(self.sel, rule) if isinstance(n.root, etree._Element)]
            if not els:
                continue
            scored = []
            for el in els:
                inside, total = ev.link_chars(el)
                scored.append((total - inside, inside, total, el))
            _, inside, total, best = max(scored, key=lambda s: s[0])
            self.body_node = best
            if len(els) > 1:
                self.found.reject("text", "ambiguous")
            if total and inside / total > MOSTLY_LINKS:
                self.found.reject("text", "mostly_links")
                return None
            body = copy.deepcopy(best)
            body_sel = Selector(root=body)
            for ex in self.profile.body_exclude:
                for node in select(body_sel, ex):
                    el = node.root
                    if isinstance(el, etree._Element) and el.getparent() is not None:
                        el.getparent().remove(el) if not el.tail else _drop_keep_tail(el)
            return body
        return None

    def body(self, images: list[dict[str, Any]], captions: list[str]) -> tuple[list[str], str]:
        paras: list[str] = []
        method = "rule"
        if self.profile.body:
            body = self.body_element()
            paras = paragraphs(body) if body is not None else []
            if paras and sum(map(len, paras)) < MIN_BODY_CHARS:
                self.found.reject("text", "too_short")
                rule_paras, paras = paras, []
            else:
                rule_paras = []
        else:
            rule_paras = []
        if not paras and self.hints.get("body_html"):
            api_sel = parse_html(self.hints["body_html"])
            paras = paragraphs(api_sel.root)
            method = "api"
            if not images:  # the page lost its body: photos and captions come with the API's
                api_images = images_by_rule(
                    api_sel, replace(self.profile, images=("//img",)), self.url
                )
                for text in [
                    *all_texts(api_sel, self.profile.captions),
                    *(i["caption"] for i in api_images),
                ]:
                    if text and text not in captions:
                        captions.append(text)
                self.found.offer("images", "api", api_images)
        if not paras:
            doc = self.traf.body
            paras = (doc.text or "").split("\n") if doc is not None and doc.text else []
            method = "trafilatura"
            dense = self.dense_lines()
            if dense and self._holds_more_than(paras, dense):
                self.found.reject("text", "trafilatura_chrome")
                paras, method = dense, "dense"
                self.body_node = self.dense_block
            if rule_paras and sum(map(len, rule_paras)) >= sum(map(len, paras)):
                paras, method = rule_paras, "rule"
        self.raw_lines, self.body_method = paras, method
        return paras, method

    def clean_body(
        self,
        paras: list[str],
        *,
        title: str | None,
        lead: str | None,
        captions: list[str],
        method: str,
    ) -> list[str]:
        """The story's own paragraphs: no title or lead repeated, captions, dropped patterns,
        teaser headlines (another page's link), the site's chrome lines."""
        caption_set = {c.strip(" |") for c in captions}
        patterns = [re.compile(p) for p in self.profile.drop]
        generic = method != "rule"
        links = self.links if generic else set()
        own = {ev.key(title), ev.key(lead)} - {""}
        out: list[str] = []
        held: list[str] = []
        repeated: list[str] = []
        if generic and title:
            # The story starts at its headline: what a generic extractor put before it is chrome.
            start = next(
                (n for n, t in enumerate(paras) if ev.key(t.strip(" |")) == ev.key(title)), 0
            )
            if start:
                self.found.reject("text", "before_title")
                paras = paras[start:]
        for n, text in enumerate(paras):
            if generic and not text.replace("|", "").strip():
                continue  # an empty row of a layout table
            text = text.strip(" |")
            if not text or any(p.search(text) for p in patterns):
                continue
            if n < 6 and self._repeats_title_or_lead(text, own):
                continue
            if generic and out and ev.END_OF_STORY.match(text):
                self.found.reject("text", "related_box")
                break
            if generic and n < 6 and ev.is_date_line(text):
                continue
            if out and text == out[-1]:
                continue
            if ev.LABEL_LINE.match(text):
                self.found.reject("text", "label_line")
                continue
            if text in caption_set:
                held.append(text)
                continue
            if self.memory and (self.memory.is_chrome(text) or self.memory.is_teaser(text, title)):
                repeated.append(text)
                continue
            if links and ev.is_link_line(text, links) and ev.key(text) not in own:
                self.found.reject("text", "link_line")
                continue
            out.append(text)
        if repeated:
            if sum(map(len, repeated)) > sum(map(len, out)):
                # Most of the body is what the site repeats: a republished story, not chrome.
                self.found.reject("text", "memory_ignored")
                kept_lines = set(repeated) | set(out)
                out = [t.strip(" |") for t in paras if t.strip(" |") in kept_lines]
            else:
                self.found.reject("text", "chrome_line")
        # A photo story: its captions are the story (dropping them left little).
        if held and sum(map(len, out)) < sum(map(len, held)):
            kept = set(held)
            out = [t.strip(" |") for t in paras if t.strip(" |") in kept or t.strip(" |") in out]
            out = [t for n, t in enumerate(out) if n == 0 or t != out[n - 1]]
        if lead and out and clean_space(out[0]) == clean_space(lead):
            out.pop(0)
        return out

    def dense_lines(self) -> list[str]:
        """The paragraphs of the page's densest block of <p> text (outside links)."""
        block = self.dense_block = ev.densest_block(self.root) if self.root is not None else None
        if block is None:
            return []
        lines = paragraphs(block)
        return lines if len(lines) >= 2 and sum(map(len, lines)) >= MIN_BODY_CHARS else []

    @staticmethod
    def _holds_more_than(paras: list[str], dense: list[str]) -> bool:
        """trafilatura read a layout table as one line: a line of its text holds several
        paragraphs of the densest block (and the chrome around them). Then the block wins."""
        keys = [ev.key(line) for line in dense if len(line) >= 30]
        if not paras:
            return False
        rows = sum(len(p) for p in paras if p.lstrip().startswith("|"))
        if rows > 0.5 * sum(map(len, paras)):  # a layout table read row by row
            return True
        longest = ev.key(max(paras, key=len))  # the story's line, unless it is a footer's
        return len(longest) > 1.3 * max(map(len, keys), default=0) and (
            sum(x in longest for x in keys) >= 2
        )

    @staticmethod
    def _repeats_title_or_lead(text: str, own: set[str]) -> bool:
        """The title or the lead again at the top of a body (with a site prefix at most)."""
        k = ev.key(text)
        return k in own or any(o and k.endswith(o) and len(k) <= len(o) + 20 for o in own)

    def byline(self, paras: list[str]) -> str | None:
        """A closing byline (the last short line that is a name), photo credits skipped; both
        leave the body."""
        if not self.profile.byline_last or len(paras) < 2:
            return None
        for back in range(1, min(3, len(paras) - 1) + 1):
            line = paras[-back]
            if ev.CREDIT_LINE.match(line):
                continue
            name = ev.clean_byline(line) if len(line) <= MAX_BYLINE_LINE else None
            if name and _looks_like_byline(name) and ev.looks_like_name(name, min_words=2):
                del paras[-back:]
                return name
            if name and _looks_like_byline(name):
                self.found.reject("author", "not_a_name")
            return None
        return None

    def author(self, date_line: str | None, byline: str | None) -> str | None:
        profile = self.profile
        sources = [
            ("rule", lambda: _cut_author(self._rule_text(profile.author), profile.author_cut)),
            ("rule", lambda: self._author_in_date(date_line)),
            ("byline", lambda: byline),
            ("jsonld", lambda: jsonld_author(self.ld)),
            ("meta", lambda: self.tags.get("author", "article:author", "dable:author")),
            ("byline", self._name_after_body),
        ]
        for method, getter in sources:
            raw = getter()
            if not raw:
                continue
            value = ev.clean_byline(raw)
            if value and ev.looks_like_name(value):
                self.found.offer("author", method, value)
                return value
            self.found.reject("author", "not_a_name")
        return None

    def _name_after_body(self) -> str | None:
        paras = self.found.fields.get("text", "").split("\n\n")
        if self.root is None or self.found.methods.get("text") == "rule":
            return None
        last = next((p for p in reversed(paras[-3:]) if len(p) >= 20), None)
        return ev.name_after(self.root, last) if last else None

    def _rule_text(self, rules: tuple[str, ...]) -> str | None:
        matches = self.rule_matches(rules)
        return next((t for el, t in matches if el is None or not ev.in_list(el)), None)

    def _author_in_date(self, date_line: str | None) -> str | None:
        if not date_line or not self.profile.author_in_date:
            return None
        m = re.search(self.profile.author_in_date, date_line[:MAX_DATE_LINE])  # bounded work
        return _cut_author(m.group(1), self.profile.author_cut) if m else None

    def date_line(self) -> str | None:
        """The story's own date line: the profile's rule, the match nearest the story's heading
        when it matches several boxes; matches inside lists of links are teasers' dates."""
        matches = self.rule_matches(self.profile.date)
        if not matches:
            return None
        kept = [(el, t) for el, t in matches if el is None or not ev.in_list(el)]
        if len(kept) < len(matches):
            self.found.reject("date", "in_list")
        distinct = ev.first_distinct(t for _, t in kept)
        if len(distinct) <= 1:
            return distinct[0] if distinct else None
        at = self.order.get(self.title_el) if self.title_el is not None else self.body_start
        if at is None:
            self.found.reject("date", "ambiguous")
            return None
        nearest = min(
            (pair for pair in kept if pair[0] is not None),
            key=lambda pair: abs(self.order.get(pair[0], 1 << 30) - at),
            default=None,
        )
        return nearest[1] if nearest else None

    def generic_date_line(self) -> str | None:
        """A date line anywhere on the page (class or id names a date), the one nearest the
        story's heading, for pages whose profile has none."""
        if self.root is None:
            return None
        found = []
        named = dict.fromkeys(  # document order, each element once
            value.getparent()
            for value in self.root.xpath("//@class | //@id")
            if DATELINE_NAME.search(value)
        )
        for el in named:
            if el.tag in DATELINE_SKIP or ev.in_list(el):
                continue
            text = text_of(el)
            if text and len(text) <= MAX_DATELINE_CHARS and NUMERIC_DATE.search(text):
                found.append((el, text))
        if not found:
            return self.date_line_by_text()
        if self.title_el is None:
            distinct = ev.first_distinct(t for _, t in found)
            if len(distinct) > 1:
                self.found.reject("date", "ambiguous")
                return None
            return distinct[0]
        at = self.order.get(self.title_el, 0)
        return min(found, key=lambda pair: abs(self.order.get(pair[0], 1 << 30) - at))[1]

    def date_line_by_text(self) -> str | None:
        """A short line holding a date right by the story's heading (before its text, or a
        few elements above it), whatever its class: after a redesign renamed the date's."""
        if self.title_el is None or self.title_el not in self.order:
            return None
        at = self.order[self.title_el]
        start = self.body_start if self.body_start and self.body_start > at else at + NEAR_BODY
        elements = list(self.order)
        end = min(start, at + NEAR_BODY, len(elements))  # a heading that ends the page
        for pos in [*range(at + 1, end), *range(at - 1, max(at - 8, 0), -1)]:
            el = elements[pos]
            if not isinstance(el.tag, str) or el.tag in ev.SKIP_TEXT or ev.in_list(el):
                continue
            for text in (el.text, el.tail):
                text = clean_space(text)
                if text and len(text) <= MAX_DATELINE_CHARS and NUMERIC_DATE.search(text):
                    return text
        return None

    def section(self) -> None:
        self.found.offer("section", "rule", self._rule_text(self.profile.section))
        self.found.offer("section", "meta", self.tags.get("article:section"))
        self.found.offer("section", "jsonld", jsonld_text(self.ld, "articleSection"))
        self.found.offer("section", "listing", self.hints.get("section"))

    def canonical_url(self) -> None:
        self.found.offer(
            "canonical_url", "html", self.sel.xpath("//link[@rel='canonical']/@href").get()
        )
        self.found.offer("canonical_url", "meta", self.tags.get("og:url"))
        if "canonical_url" in self.found.fields:
            self.found.fields["canonical_url"] = urljoin(
                self.url, self.found.fields["canonical_url"].strip()
            )

    def language(self) -> None:
        lang = (self.sel.xpath("/html/@lang").get() or "").split("-")[0].lower() or None
        self.found.offer("language", "html", lang)
        self.found.offer("language", "meta", self.tags.get("og:locale", "content-language"))

    def date_candidates(
        self, date_line: str | None, images: list[dict[str, Any]]
    ) -> list[tuple[str, str]]:
        """Date candidates, best source first (decided by crawler.extraction.dating)."""
        candidates: list[tuple[str, str]] = []
        if self.hints.get("date"):
            candidates.append(("api", str(self.hints["date"])))
        if date_line:
            candidates.append(("rule", date_line))
        published = self.ld.get("datePublished")
        if isinstance(published, str) and published.strip():
            candidates.append(("jsonld", published.strip()))
        meta_date = self.tags.get("article:published_time", "datePublished", "pubdate", "date")
        if meta_date:
            candidates.append(("meta", meta_date))
        time_date = self.sel.xpath(HTML_DATE).get() or self.sel.xpath(ARTICLE_TIME).get()
        if time_date and time_date.strip():
            candidates.append(("html", time_date.strip()))
        if not date_line:
            generic = self.generic_date_line()
            if generic:
                candidates.append(("dateline", generic))
        image_srcs = [img["src"] for img in images if img.get("src")]
        path_date = _path_date(self.url, *image_srcs)
        if path_date:
            candidates.append(("path", path_date))
        # trafilatura's (htmldate's) date alone is not taken: on these portals it is often a
        # sidebar's or the portal clock's date, and it costs more than the body.
        return candidates

    # --- the article -----------------------------------------------------------------------

    def to_item(self) -> dict[str, Any]:
        found = self.found
        images, captions = self.images()
        paras, method = self.body(images, captions)
        title = self.title()
        self.lead()
        if "lead" not in found.fields:
            description = self.tags.get("description", "og:description")
            if (
                description
                and _looks_like_lead(description)
                and not _is_excerpt(description, paras)
            ):
                found.offer("lead", "meta", description)
        lead = found.fields.get("lead")
        paras = self.clean_body(paras, title=title, lead=lead, captions=captions, method=method)
        byline = self.byline(paras)
        found.offer("text", method, "\n\n".join(paras))
        if "text" not in found.fields:
            found.reject("text", "empty")
        date_line = self.date_line()
        self.author(date_line, byline)
        self.section()
        self.canonical_url()
        self.language()
        candidates = self.date_candidates(date_line, found.fields.get("images") or images)
        for name in ("title", "text", "author"):  # every empty field says why
            if name not in found.fields and not any(
                r.startswith(name + ":") for r in found.rejections
            ):
                found.reject(name, "missing")
        item = dict(found.fields)
        item["url"] = self.url
        item["date_candidates"] = candidates
        item["methods"] = found.methods
        item["rejections"] = found.rejections
        item["layout"] = self.layout
        item["page_titles"] = [t for t in (self.page_title, self.tags.get("og:title")) if t]
        return item


class MasterCmsPage(ArticlePage):
    """MasterCMS magazines: the rules are registry data (families.mastercms)."""


class SharePointPage(ArticlePage):
    """SharePoint provincial portals: the API record (hints) backs the page's fields."""


class LiferayPage(ArticlePage):
    """Liferay portals: asset-publisher portlets."""


class DrupalPage(ArticlePage):
    """Drupal portals."""


PAGE_CLASSES: dict[str, type[ArticlePage]] = {
    "mastercms": MasterCmsPage,
    "sharepoint": SharePointPage,
    "liferay": LiferayPage,
    "drupal": DrupalPage,
}


def page_for(profile: Profile) -> type[ArticlePage]:
    """The page-object class for a profile's family (the generic one for any other)."""
    return PAGE_CLASSES.get(profile.name, ArticlePage)


def extract_article(
    html: str,
    url: str,
    profile: Profile,
    hints: dict[str, Any] | None = None,
    memory: SiteMemory | None = None,
) -> dict[str, Any]:
    """Extract an article's fields from one page; `methods` says where each came from and
    `rejections` what was refused and why."""
    return page_for(profile)(html, url, profile, hints, memory).to_item()
