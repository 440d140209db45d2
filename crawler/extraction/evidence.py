"""Small tests of evidence: does a heading agree with the page's titles, is a line a name, a
link, a photo credit? Each is cheap and linear; the page objects combine them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .blocks import clean_space

# " - Site", " | Site", " – Site", ": Site" between a headline and the site's name.
TITLE_SEPARATOR = re.compile(r"\s[-–—|:»/]\s|\s?\|\s?")
PUNCT = re.compile(r"[\W_]+")
MIN_AGREE_WORDS = 3
# Vietnamese job titles written after a byline: "Nguyễn Văn A - Phó Bí thư Tỉnh ủy".
JOB_TITLE = re.compile(
    r"^(?:phó|bí thư|chủ tịch|giám đốc|trưởng|thứ trưởng|bộ trưởng|tổng|đại sứ|ủy viên|uỷ viên|"
    r"phóng viên|pv\b|ctv\b|thư ký|chánh|cán bộ|chuyên viên|nhà báo|biên tập|đại tá|thượng tá|"
    r"trung tá|thiếu tá|đại úy|đại uý|ts\b|ths\b|gs\b|pgs\b|bác sĩ|bs\b|luật sư|ls\b|nguyên)",
    re.IGNORECASE,
)
BYLINE_SEPARATORS = (" - ", " – ", " — ", ", ", " | ")
NOT_A_NAME = re.compile(
    r"^(?:ảnh|nguồn|theo|video|clip|đồ họa|đồ hoạ|thực hiện|bài|tin|trang|xem|đọc|từ khóa|"
    r"chia sẻ|bình luận|tags?|photo|source|danh mục|chuyên mục|liên hệ|trang chủ)\b",
    re.IGNORECASE,
)
# Labels of the chrome around a story, on any Vietnamese news page.
LABEL_LINE = re.compile(
    r"^[-–•*\s]*(?:từ khóa|từ khoá|tags?|tin liên quan|tin cùng chuyên mục|tin khác|các tin khác|"
    r"xem thêm|chia sẻ|bình luận|ý kiến bạn đọc|in bài|gửi bài|lượt xem|danh mục)[\s:.]*$",
    re.IGNORECASE,
)
# The heading of the boxes under a story: everything after it in a generic body is chrome.
END_OF_STORY = re.compile(
    r"^[-–•*\s]*(?:tin liên quan|tin cùng chuyên mục|tin khác|các tin khác|các tin bài khác|"
    r"tin bài khác|bài viết liên quan|bài liên quan|tin mới|tin mới nhất|đọc nhiều|xem nhiều|"
    r"liên kết website|thống kê truy cập|có thể bạn quan tâm|tin đã đưa)[\s:.]*$",
    re.IGNORECASE,
)
DATE_IN_LINE = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d\d\b|\b(?:19|20)\d\d-\d\d-\d\d\b")
MAX_DATE_LINE = 60
CREDIT_LINE = re.compile(r"^(?:ảnh|video|clip|đồ họa|đồ hoạ|nguồn)\s*:", re.IGNORECASE)
# Accounts a CMS writes as the author when nobody signed (Joomla's "Super User").
NOT_PERSONS = {
    "super user",
    "admin",
    "administrator",
    "facebook",
    "quản trị viên",
    "quan tri vien",
    "ban biên tập",
    "webmaster",
    "editor",
}
NAME_JOINERS = {"-", "–", "—", "&", "và", ",", "/"}
MAX_NAME_WORDS = 8


@functools.lru_cache(maxsize=4096)  # the same titles and lines are compared many times a page
def key(text: str | None) -> str:
    """Comparison form: NFC, case-folded, punctuation and spacing collapsed."""
    if not text:
        return ""
    return " ".join(PUNCT.sub(" ", unicodedata.normalize("NFC", text).casefold()).split())


def agrees(heading: str | None, title: str | None) -> bool:
    """A heading agrees with a page title (og:title, <title>, JSON-LD, the API's) when they are
    equal, or the heading is the title less a site name on either side of a separator."""
    h, t = key(heading), key(title)
    if not h or not t:
        return False
    if h == t:
        return True
    if len(h.split()) < MIN_AGREE_WORDS:
        return False
    raw = clean_space(title)
    parts = [p for p in TITLE_SEPARATOR.split(raw) if p.strip()]
    # The headline is the longest part ("Headline - Section - Site", "Site – Headline"), or
    # the head or tail of the title cut at a separator (a headline holding " - " itself).
    if len(parts) > 1 and key(max(parts, key=len)) == h:
        return True
    for m in TITLE_SEPARATOR.finditer(raw):
        if key(raw[: m.start()]) == h or key(raw[m.end() :]) == h:
            return True
    return False


def title_parts(title: str | None) -> list[str]:
    """A <title>'s candidate headlines: the longest part, then the first (and the whole)."""
    raw = clean_space(title)
    parts = [p.strip() for p in TITLE_SEPARATOR.split(raw) if p.strip()]
    if len(parts) < 2:
        return [raw] if raw else []
    return first_distinct([max(parts, key=len), parts[0]])


def looks_like_name(text: str | None, min_words: int = 1) -> bool:
    """A byline: a few capitalised words (names, "NGUYỄN VĂN A", "Minh Anh - Hoàng Phương")."""
    if not text or any(ch.isdigit() for ch in text) or NOT_A_NAME.match(text):
        return False
    if key(text) in NOT_PERSONS:
        return False
    if text.endswith((".", ":", "?", "!", ";")):
        return False
    words = [w for w in text.replace(",", " , ").split() if w not in NAME_JOINERS]
    if not min_words <= len(words) <= MAX_NAME_WORDS:
        return False
    return all(w[0].isupper() for w in words if w[0].isalpha()) and any(
        w[0].isalpha() for w in words
    )


def clean_byline(text: str | None) -> str | None:
    """A byline without a job title glued after it ("Name - Phó Bí thư ...") or digits glued to
    it ("Minh Anh 23/01/2023", "Minh Anh123")."""
    if not text:
        return None
    text = clean_space(text).strip(" -–—,.:|")
    # "Đức Anh / Vietnam Times", "Hoàng Long (TTXVN)": the agency is not the author.
    text = re.split(r"\s/\s|\s?\(", text, maxsplit=1)[0]
    for sep in BYLINE_SEPARATORS:
        head, found, tail = text.partition(sep)
        if found and JOB_TITLE.match(tail.strip()):
            text = head
    m = re.search(r"\d", text)
    if m:
        text = text[: m.start()]
    text = clean_space(text).strip(" -–—,.:|(")
    return text or None


def _chars(texts: Iterable[str]) -> int:
    text = "".join(texts)
    return len(text) - text.count(" ") - text.count("\n") - text.count("\t")


def link_chars(el: etree._Element) -> tuple[int, int]:
    """(characters inside links, all characters) of an element's text, spaces not counted."""
    total = _chars(el.itertext())
    inside = sum(_chars(a.itertext()) for a in el.iter("a"))
    if el.tag == "a":
        inside = total
    return min(inside, total), total


def mostly_links(el: etree._Element, share: float = 0.5) -> bool:
    inside, total = link_chars(el)
    return total > 0 and inside / total > share


def in_list(el: etree._Element) -> bool:
    """Inside a list item or a link (a teaser of another page)."""
    return next(el.iterancestors("li", "a"), None) is not None  # lxml filters the tags in C


HEADLINE_WORDS = (4, 25)


def headline_like(text: str) -> bool:
    """A headline's length (a section label is shorter, a sapo set as a heading longer), and
    no full stop at its end."""
    low, high = HEADLINE_WORDS
    return low <= len(text.split()) <= high and not text.rstrip().endswith(".")


def links_elsewhere(el: etree._Element, url: str) -> bool:
    """A heading that is a link to another page (a teaser's headline), not its own permalink:
    an <a href> inside it carries most of its text and points away from `url`."""
    links = [(a, href) for a in el.iter("a") if (href := (a.get("href") or "").strip())]
    links = [(a, href) for a, href in links if not href.startswith("#")]
    if not links:  # most headings: nothing else to read
        return False
    whole = "".join(el.itertext())
    text: int | None = None
    for a, href in links:
        inside = "".join(a.itertext())
        if inside != whole:  # (a teaser's headline: the link is the heading, nothing to weigh)
            if text is None:
                text = len(key(whole))
            if len(key(inside)) * 5 < text * 4:  # the link holds little of it
                continue
        parts = urlsplit(urljoin(url, href))
        if parts.scheme not in ("http", "https"):  # javascript:, mailto: — not a page
            continue
        if parts._replace(fragment="").geturl().rstrip("/") != _own_url(url):
            return True
    return False


@functools.lru_cache(maxsize=64)
def _own_url(url: str) -> str:
    """The page's address as links_elsewhere compares it (asked once per heading)."""
    return urlsplit(url)._replace(fragment="").geturl().rstrip("/")


def link_texts(root: etree._Element) -> set[str]:
    """Comparison keys of the page's link texts (teaser headlines, tags, menu entries)."""
    return {k for a in root.iter("a") if (k := key("".join(a.itertext())))}


def is_link_line(line: str, links: set[str]) -> bool:
    """A body line that is a link of the page (another page's headline, a tag), alone or with
    a bullet or a date before it."""
    k = key(line)
    if not k or not links:
        return False
    if k in links:
        return True
    # "- 22-07-2018Headline", "- Headline (27/10/2025)": strip a bullet and a date, compare.
    stripped = re.sub(r"[\d\s]+$", "", re.sub(r"^[\d\s]+", "", k))
    if stripped in links:
        return True
    return stripped.count(" ") >= 3 and any(
        k.endswith(link) and len(link) >= 0.7 * len(k) for link in links if link.count(" ") >= 3
    )


def is_date_line(line: str) -> bool:
    """A short line holding a date and no sentence: a story's date or meta line."""
    return (
        len(line) <= MAX_DATE_LINE
        and bool(DATE_IN_LINE.search(line))
        and not line.rstrip().endswith((".", "?", "!"))
    )


def first_distinct(texts: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        if text:
            seen.setdefault(text, None)
    return list(seen)


SKIP_TEXT = frozenset(["script", "style", "noscript", "iframe", "template", "head", "title"])


def name_after(root: etree._Element, last_line: str, max_nodes: int = 40) -> str | None:
    """The text right after the body's last line in the page, when it is a name: the byline a
    generic extractor left out ("<strong>XUÂN LONG</strong>" closing the story's box)."""
    probe = clean_space(last_line)[:40]
    if len(probe) < 20:
        return None
    # A text that begins the line holds the line's first word as written: the substring test
    # spares collapsing the spaces of every text before it (as in `locate`).
    word = probe[:20].split(" ", 1)[0]
    nodes: list[str] = []  # from the line's start on
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for raw in (el.text if el.tag not in SKIP_TEXT else None, el.tail):
            if not raw or (not nodes and word not in raw):
                continue
            text = clean_space(raw)
            if (text and nodes) or (len(text) >= 20 and probe.startswith(text[:40])):
                nodes.append(text)
        if len(nodes) > max_nodes:
            break
    if not nodes:
        return None
    line = clean_space(last_line)
    for text in nodes[1:]:
        if text in line:  # still the last paragraph (its links and emphasis)
            continue
        return text if looks_like_name(text, min_words=2) else None
    return None


def locate(root: etree._Element, line: str) -> etree._Element | None:
    """The element whose text begins `line` (where a paragraph stands in the page)."""
    probe = clean_space(line)[:30]
    if len(probe) < 10:
        return None
    need = min(20, len(probe))
    # Any text that begins the line holds its first word (as far as `need` goes): a substring
    # test first spares collapsing the spaces of every text of the page.
    word = probe[:need].split(" ", 1)[0]

    def starts(text: str | None) -> bool:
        if not text or word not in text:
            return False
        text = clean_space(text)[:30]
        n = min(len(text), len(probe))
        return n >= need and text[:n] == probe[:n]

    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TEXT:
            continue
        if starts(el.text):
            return el
        if starts(el.tail):
            return el.getparent()
    return None


def find_text(root: etree._Element, text: str) -> etree._Element | None:
    """The deepest element whose whole text is `text` (outside <head>)."""
    want = key(text)
    probe = clean_space(text)[:20]
    if not want or len(probe) < 10:
        return None
    found = None
    body = root.find("body")
    for el in (body if body is not None else root).iter():
        if not isinstance(el.tag, str) or el.tag in SKIP_TEXT:
            continue
        own = clean_space(el.text)
        if own and probe.startswith(own[:20]) and key("".join(el.itertext())) == want:
            found = el
        elif found is not None:
            break
    return found


LEAF_BLOCKS = ("p", "div")
INNER_BLOCKS = frozenset(["p", "div", "table", "ul", "ol", "dl", "section", "article", "li"])


def densest_block(root: etree._Element) -> etree._Element | None:
    """The element whose own paragraphs (<p>, or <div>s holding no other block) carry the
    most text outside links: where a page keeps its story when no rule knows the template."""
    score: dict[etree._Element, int] = {}
    for el in root.iter(*LEAF_BLOCKS):
        parent = el.getparent()
        if parent is None or in_list(el):
            continue
        if el.tag == "div" and next(el.iterdescendants(*INNER_BLOCKS), None) is not None:
            continue
        inside, total = link_chars(el)
        if total - inside > 0:
            score[parent] = score.get(parent, 0) + total - inside
    return max(score, key=score.__getitem__) if score else None
