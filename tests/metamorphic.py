"""Metamorphic variants of the corpus pages: the changes unknown templates and redesigns make.

Each transform takes a real corpus page (parsed) and its gold and changes the markup the way a
portal that differs from our mirrors does; the story itself stays. For every variant each field
must be the gold value or empty (with a reason in `rejections`), never a different value.

    python -m tests.metamorphic        # wrong values per transform and field, over the corpus
    python -m tests.metamorphic --f1   # body F1 per transform, ours vs plain trafilatura

Pages are extracted the way a crawl of the changed site sees them: each site's pages once,
then again with the site memory learnt from them (crawler.extraction.memory).
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from lxml import etree
from parsel import Selector

from bench.score_extraction import Score, decode, page_pr
from crawler.extraction.blocks import text_of
from crawler.extraction.item import page_item
from crawler.extraction.memory import SiteMemory, learn
from crawler.registry import Profile, default_registry, generic_profile
from pipelines.chain import normalise
from tests.conftest import FETCH_TIME

CORPUS = Path(__file__).parent / "corpus"
PORTAL = "Cổng thông tin điện tử tỉnh"
SIDEBAR_TITLE = "Hội nghị xúc tiến đầu tư vào vùng Tây Bắc năm 2019 thu hút nhiều dự án lớn"
SIDEBAR_DATE = "01/02/2019 08:00"
SIDEBAR_TEASERS = [
    "Đoàn công tác tỉnh Hòa Bình thăm và làm việc tại Cộng hòa Liên bang Đức",
    "Khai mạc Tuần lễ văn hóa du lịch biên giới Việt - Trung năm 2019",
    "Tăng cường hợp tác giáo dục đào tạo với các địa phương của Nhật Bản",
]
JOB_TITLE = " - Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh"
CLASS_RULE = re.compile(r"\.([A-Za-z_][\w-]*)|@class[^'\"]*['\"]\s*(?:,\s*)?['\"]?([\w-]+)")
ID_RULE = re.compile(r"#([A-Za-z_][\w-]*)|@id\s*=\s*['\"]([\w-]+)")
FIELDS = ("title", "published_at", "author", "lead", "text")
SIDEBAR_TEXTS = (SIDEBAR_TITLE, *SIDEBAR_TEASERS)
MIN_BODY_F1 = 0.8


class Page:
    """A corpus page being changed: its tree, gold and profile, and the story's elements."""

    def __init__(self, gold_path: Path):
        self.gold = json.loads(gold_path.read_text("utf-8"))
        html = decode(gold_path.with_suffix(".html"), self.gold["url"])
        self.site = default_registry()[self.gold["site"]] if self.gold["site"] else None
        self.profile: Profile = self.site.profile if self.site else generic_profile()
        self.root = Selector(text=html).root
        self.name = f"{gold_path.parent.name}/{gold_path.stem}"

    def html(self) -> str:
        return etree.tostring(self.root, method="html", encoding="unicode")

    def body_el(self) -> etree._Element | None:
        sel = Selector(root=self.root)
        for rule in self.profile.body:
            found = sel.xpath(rule) if rule.startswith(("/", "(")) else sel.css(rule)
            if found and isinstance(found[0].root, etree._Element):
                return found[0].root
        paras = self.gold["paragraphs"]
        if not paras:
            return None
        probe = paras[0][:40]
        best = None
        for el in self.root.iter("p", "div", "td"):
            if probe in (el.text or "") or (len(el) and probe in text_of(el)[:200]):
                best = el
        if best is None:
            return None
        parent = best.getparent()
        return parent if parent is not None and parent.tag != "body" else best

    def smallest_with_text(self, text: str, *, exact: bool) -> etree._Element | None:
        body = self.root.find("body")
        if body is None or not text:
            return None
        found = None
        for el in body.iter():
            if not isinstance(el.tag, str) or el.tag in ("script", "style"):
                continue
            own = text_of(el)
            if (own == text) if exact else (text in own and len(own) < len(text) + 80):
                found = el  # iter() is pre-order: the last hit is the deepest
        return found

    def title_el(self) -> etree._Element | None:
        return self.smallest_with_text(self.gold["title"], exact=True)

    def date_el(self) -> etree._Element | None:
        sel = Selector(root=self.root)
        for rule in self.profile.date:
            found = sel.xpath(rule) if rule.startswith(("/", "(")) else sel.css(rule)
            for node in found:
                if isinstance(node.root, etree._Element):
                    return node.root
        return None

    def profile_tokens(self) -> tuple[set[str], set[str]]:
        classes, ids = set(), set()
        rules = [
            r
            for name in ("title", "lead", "date", "body", "author", "captions", "images")
            for r in getattr(self.profile, name)
        ]
        for rule in rules:
            for m in CLASS_RULE.finditer(rule):
                classes.add(m.group(1) or m.group(2))
            for m in ID_RULE.finditer(rule):
                ids.add(m.group(1) or m.group(2))
        return classes - {None}, ids - {None}


def _retoken(page: Page, change: Callable[[str], str | None]) -> None:
    classes, ids = page.profile_tokens()
    for el in page.root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("class"):
            tokens = []
            for token in el.get("class").split():
                if token in classes or any(c in token for c in classes if len(c) > 6):
                    new = change(token)
                    if new:
                        tokens.append(new)
                else:
                    tokens.append(token)
            el.set("class", " ".join(tokens))
        if el.get("id") in ids:
            new = change(el.get("id"))
            if new:
                el.set("id", new)
            else:
                del el.attrib["id"]


def rename_classes(page: Page) -> None:
    _retoken(page, lambda t: "v2-" + t[::-1])


def remove_classes(page: Page) -> None:
    _retoken(page, lambda t: None)


def move_title(page: Page) -> None:
    el = page.title_el()
    if el is not None:
        el.tag = "div" if el.tag.startswith("h") else "h2"
        el.set("class", "story-headline")


def _sidebar(page: Page, where: str) -> etree._Element:
    """A "Tin khác" box built from the story's own tags and classes."""
    box = etree.Element("div", {"class": f"box-{where}"})
    title, date, body = page.title_el(), page.date_el(), page.body_el()
    head = etree.SubElement(box, title.tag if title is not None else "h1")
    if title is not None and title.get("class"):
        head.set("class", title.get("class"))
    link = etree.SubElement(head, "a", {"href": "/tin-khac-1.html"})
    link.text = SIDEBAR_TITLE
    when = etree.SubElement(box, date.tag if date is not None else "span")
    if date is not None and date.get("class"):
        when.set("class", date.get("class"))
    when.text = SIDEBAR_DATE
    teaser = etree.SubElement(box, body.tag if body is not None else "div")
    if body is not None and body.get("class"):
        teaser.set("class", body.get("class"))
    if body is not None and body.get("id"):
        teaser.set("id", body.get("id") + "-box")
    for n, text in enumerate(SIDEBAR_TEASERS):
        p = etree.SubElement(teaser, "p")
        a = etree.SubElement(p, "a", {"href": f"/tin-khac-{n + 2}.html"})
        a.text = text
    return box


def insert_sidebars(page: Page) -> None:
    body = page.root.find("body")
    if body is None:
        return
    before, after = _sidebar(page, "before"), _sidebar(page, "after")
    body.insert(0, before)
    body.append(after)


def portal_title(page: Page) -> None:
    for el in page.root.iter("title"):
        el.text = PORTAL


def banner_h1(page: Page) -> None:
    body = page.root.find("body")
    if body is not None:
        banner = etree.Element("h1", {"class": "banner"})
        banner.text = PORTAL
        body.insert(0, banner)


def wrap_body(page: Page) -> None:
    el = page.body_el()
    if el is None or el.getparent() is None:
        return
    parent = el.getparent()
    outer = etree.Element("div", {"class": "layout-main"})
    inner = etree.SubElement(outer, "section", {"class": "content-wrap"})
    parent.replace(el, outer)
    inner.append(el)
    outer.tail, el.tail = el.tail, None


def drop_meta(page: Page) -> None:
    for el in list(page.root.iter("meta", "script")):
        if el.tag == "script" and el.get("type") != "application/ld+json":
            continue
        el.getparent().remove(el)


def glue_job_title(page: Page) -> None:
    author = page.gold.get("author")
    if not author:
        return
    for el in page.root.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "title", "meta"):
            continue
        for attr in ("text", "tail"):
            value = getattr(el, attr)
            if value and value.strip() == author:
                setattr(el, attr, value.replace(author, author + JOB_TITLE))
                return


def redesign(page: Page) -> None:
    """All of a redesign at once: new classes, meta tags gone, the portal's name in <title>."""
    rename_classes(page)
    drop_meta(page)
    portal_title(page)
    banner_h1(page)


TRANSFORMS: dict[str, Callable[[Page], None]] = {
    "rename_classes": rename_classes,
    "remove_classes": remove_classes,
    "move_title": move_title,
    "insert_sidebars": insert_sidebars,
    "portal_title": portal_title,
    "banner_h1": banner_h1,
    "wrap_body": wrap_body,
    "drop_meta": drop_meta,
    "glue_job_title": glue_job_title,
    "redesign": redesign,
    "sidebars_in_redesign": lambda p: (insert_sidebars(p), redesign(p)),
}


def variant(
    gold_path: Path, transform: str, memory: SiteMemory | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the extracted item, the gold) of one page under one transform."""
    page = Page(gold_path)
    TRANSFORMS[transform](page)
    html, gold = page.html(), page.gold
    item = page_item(html, gold["url"], page.site, gold.get("hints"), FETCH_TIME, memory)
    return normalise(item), gold


def site_of(gold_path: Path) -> str:
    gold = json.loads(gold_path.read_text("utf-8"))
    return gold["site"] or urlsplit(gold["url"]).hostname or gold_path.stem


def crawled_variants(
    pages: list[Path], transform: str
) -> list[tuple[Path, dict[str, Any], dict[str, Any]]]:
    """Every page of a site under one transform, as a crawl of the changed site extracts
    them: once alone, then with the memory learnt from that first pass (what the site
    repeats on all its pages)."""
    out = []
    by_site: dict[str, list[Path]] = {}
    for gold_path in pages:
        by_site.setdefault(site_of(gold_path), []).append(gold_path)
    for group in by_site.values():
        first = [variant(g, transform)[0] for g in group]
        memory = learn(first)
        out.extend((g, *variant(g, transform, memory)) for g in group)
    return out


def wrong_fields(item: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    """The fields present with a value other than the gold's (the body: sidebar text in it,
    or a body that is not the story's)."""
    wrong = []
    for name in ("title", "author", "lead"):
        value = item.get(name)
        if value and value != gold.get(name):
            wrong.append(name)
    # A date is wrong on another day, or at another time; the right day alone is not wrong.
    date, gold_date = item.get("published_at") or "", gold.get("published_at") or ""
    if date and (date[:10] != gold_date[:10] or (len(date) > 10 and date != gold_date)):
        wrong.append("published_at")
    text = item.get("text") or ""
    if text:
        gold_text = "\n\n".join(gold["paragraphs"])
        neutral = "\n".join([gold["title"] or "", gold.get("lead") or "", *gold["captions"]])
        precision, _ = page_pr(gold_text, text, neutral)
        if any(s in text for s in SIDEBAR_TEXTS) or (precision or 0) < MIN_BODY_F1:
            wrong.append("text")
    return wrong


def score(pages: list[Path]) -> tuple[Counter[str], Counter[str], list[str]]:
    """(wrong values, empty values) per "transform/field", and the wrong cases named."""
    wrong: Counter[str] = Counter()
    empty: Counter[str] = Counter()
    cases = []
    for transform in TRANSFORMS:
        for gold_path, item, gold in crawled_variants(pages, transform):
            for name in wrong_fields(item, gold):
                wrong[f"{transform}/{name}"] += 1
                shown = item.get(name) if name != "text" else (item.get("text") or "")[:80]
                cases.append(
                    f"{transform} {gold_path.parent.name}/{gold_path.stem} {name}: "
                    f"{shown!r} (gold {str(gold.get(name))[:60]!r})"
                )
            for name in FIELDS:
                gold_value = gold.get(name) if name != "text" else gold["paragraphs"]
                if gold_value and not item.get(name):
                    empty[f"{transform}/{name}"] += 1
    return wrong, empty, cases


def body_f1(pages: list[Path], transform: str) -> tuple[float, float]:
    """Body F1 (AEB metric) of ours and of plain trafilatura over the pages of one transform."""
    ours, plain = Score(), Score()
    for gold_path, item, gold in crawled_variants(pages, transform):
        page = Page(gold_path)
        TRANSFORMS[transform](page)
        text = trafilatura.extract(page.html(), include_comments=False) or ""
        gold_text = "\n\n".join(gold["paragraphs"])
        ours.add_body(gold_text, item.get("text") or "")
        plain.add_body(gold_text, text)
    return ours.f1(), plain.f1()


def main() -> int:
    pages = sorted(CORPUS.glob("*/*.json"))
    if "--f1" in sys.argv:
        print(f"{'transform':<22}{'body F1 ours':>14}{'trafilatura':>13}")
        for transform in TRANSFORMS:
            ours, plain = body_f1(pages, transform)
            print(f"{transform:<22}{ours:>14.3f}{plain:>13.3f}")
        return 0
    wrong, empty, cases = score(pages)
    print(f"Metamorphic variants: {len(pages)} corpus pages x {len(TRANSFORMS)} transforms")
    print(f"{'transform':<22}" + "".join(f"{f:>14}" for f in FIELDS) + "   (wrong / empty)")
    for transform in TRANSFORMS:
        cells = "".join(
            f"{wrong[f'{transform}/{f}']:>8}/{empty[f'{transform}/{f}']:<5}" for f in FIELDS
        )
        print(f"{transform:<22}{cells}")
    print(f"WRONG values in all: {sum(wrong.values())}")
    for case in cases:
        print("  ", case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
