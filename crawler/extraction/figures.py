"""Images of the article and their captions (captions are a field of their own, never body).

With profile rules, the images are the rule's matches. Without (the generic path), any image
outside links, menus, sidebars and comments that carries a caption is taken: a <figcaption>,
a caption cell of its table, or a short emphasised or centred paragraph right after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from crawler.registry import Profile

from .blocks import clean_space, text_of
from .page import select

MAX_CAPTION = 400
CHROME = re.compile(
    r"comment|sidebar|menu|logo|avatar|banner|ads?\b|ads-|advert|related|share|social|footer|"
    r"header|nav|widget|tin-?khac|doc-?nhieu|same-cate|box-",
    re.IGNORECASE,
)
CAPTION_CLASS = re.compile(r"caption|chu-?thich|image-?note|wp-caption-text", re.IGNORECASE)
Image = dict[str, str | None]


def _src(img: etree._Element, url: str) -> str | None:
    src = img.get("src") or img.get("data-src")
    if not src or src.startswith("data:"):
        return None
    return urljoin(url, src.strip())


def caption_near(img: etree._Element) -> str | None:
    """The caption sharing the image's figure or table (MasterCMS puts it one row below)."""
    for ancestor in img.iterancestors():
        if ancestor.tag == "figure":
            cap = ancestor.find(".//figcaption")
            return (text_of(cap) or None) if cap is not None else None
        if ancestor.tag == "table":
            if len(ancestor.findall(".//tr")) > 4:
                return None
            for cell in ancestor.iter("td", "th"):
                if cell.find(".//img") is None:
                    text = text_of(cell)
                    if text and len(text) <= MAX_CAPTION:
                        return text
            return None
    return None


def _caption_after(img: etree._Element) -> str | None:
    """A short paragraph right after the image's block, styled as a caption."""
    block = img.getparent()
    while block is not None and block.tag not in ("p", "div", "center"):
        block = block.getparent()
    if block is None:
        return None
    nxt = block.getnext()
    if nxt is None or not isinstance(nxt.tag, str):
        return None
    text = text_of(nxt)
    if not text or len(text) > MAX_CAPTION:
        return None
    emphasised = (
        all(
            isinstance(child.tag, str) and child.tag in ("em", "i", "span", "strong")
            for child in nxt
        )
        and len(nxt) > 0
        and not (nxt.text or "").strip()
    )
    styled = "center" in (nxt.get("style") or "") or CAPTION_CLASS.search(nxt.get("class") or "")
    return text if emphasised or styled else None


def _in_chrome(img: etree._Element) -> bool:
    """Inside a link, menu, sidebar or comment (looking up to the article or main element)."""
    for ancestor in img.iterancestors():
        if ancestor.tag in ("article", "main", "body"):
            return False
        if ancestor.tag in ("a", "nav", "header", "footer", "aside"):
            return True
        if CHROME.search(f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"):
            return True
    return False


def _collect(imgs: Iterable[etree._Element], url: str, generic: bool) -> list[Image]:
    images: list[Image] = []
    seen: set[str] = set()
    for img in imgs:
        if generic and _in_chrome(img):  # first: most of a portal's images are teasers
            continue
        src = _src(img, url)
        if not src or src in seen:
            continue
        if generic:
            caption = caption_near(img) or _caption_after(img)
            if not caption:
                continue
        else:
            caption = caption_near(img) or clean_space(img.get("alt")) or None
        seen.add(src)
        images.append({"src": src, "caption": caption})
    return images


def images_by_rule(sel: Selector, profile: Profile, url: str) -> list[Image]:
    imgs = (n.root for rule in profile.images for n in select(sel, rule))
    return _collect((i for i in imgs if isinstance(i, etree._Element)), url, generic=False)


def images_generic(sel: Selector, url: str) -> list[Image]:
    imgs = (n.root for n in sel.xpath("//body//img"))
    return _collect((i for i in imgs if isinstance(i, etree._Element)), url, generic=True)
