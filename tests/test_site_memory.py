"""What a site repeats is chrome: the site memory learnt from the store or a crawl, used by
extraction (real corpus pages, a real store file)."""

from __future__ import annotations

import pickle
from pathlib import Path

from crawler.extraction.evidence import key
from crawler.extraction.item import page_item
from crawler.extraction.memory import SiteMemory, learn
from crawler.extraction.pool import ExtractionPool
from crawler.site_memory import CrawlMemory, learn_from_store
from crawler.store import Store
from pipelines.chain import normalise
from tests.conftest import FETCH_TIME
from tests.metamorphic import PORTAL, Page

CORPUS = Path(__file__).parent / "corpus"
TEASERS = [
    "Các tin khác",
    "Tăng cường hợp tác với các địa phương của Lào trong lĩnh vực giáo dục",
    "Hội nghị xúc tiến thương mại các tỉnh biên giới phía Bắc năm 2020",
]


def site_pages(site: str) -> list[Path]:
    return sorted((CORPUS / site).glob("*.json"))


def portal_pages(site: str) -> list[tuple[Page, str]]:
    """The site's pages with the portal's name as their only h1 (the story heading renamed
    away), the way a SharePoint portal whose title element the profile does not know looks."""
    out = []
    for path in site_pages(site):
        page = Page(path)
        title = page.title_el()
        if title is not None:
            title.tag, title.attrib["class"] = "div", "tieu-de-moi"
        for el in page.root.iter("h1"):
            el.text = PORTAL
        body = page.root.find("body")
        banner = body.makeelement("h1", {"class": "banner"})
        banner.text = PORTAL
        body.insert(0, banner)
        for el in page.root.iter("title"):
            el.text = PORTAL
        out.append((page, page.html()))
    return out


def extract(page: Page, html: str, memory=None) -> dict:
    gold = page.gold
    return normalise(page_item(html, gold["url"], page.site, None, FETCH_TIME, memory))


def test_a_repeated_title_is_the_site_name_not_a_headline():
    pages = portal_pages("thainguyen")
    first = [extract(p, html) for p, html in pages]
    memory = learn(first)
    assert memory.is_name(PORTAL)
    for page, html in pages:
        item = extract(page, html, memory)
        assert item.get("title") in (None, page.gold["title"])
        assert item.get("title") != PORTAL
        if not item.get("title"):
            assert any(r.startswith("title:") for r in item["rejections"])


def test_teaser_lines_stored_in_every_body_are_chrome():
    pages = [Page(p) for p in site_pages("vinhphuc")]
    stored = []
    for page in pages:
        item = extract(page, page.html())
        stored.append({**item, "text": item["text"] + "\n\n" + "\n\n".join(TEASERS)})
    memory = learn(stored)
    assert all(memory.is_chrome(t) for t in TEASERS)
    for page in pages:
        html = page.html().replace(
            "</body>",
            "<div>" + "".join(f"<p>{t}</p>" for t in TEASERS) + "</div></body>",
        )
        item = extract(page, html, memory)
        assert not any(t in item["text"] for t in TEASERS)


def test_a_republished_story_is_not_taken_for_chrome():
    """Three stored copies of one story: its lines recur, yet the body is kept whole."""
    path = site_pages("vinhphuc")[0]
    page = Page(path)
    item = extract(page, page.html())
    memory = learn([item, dict(item), dict(item)])
    again = extract(page, page.html(), memory)
    assert again["text"] == item["text"]


def test_memory_learnt_from_a_store_file(tmp_path: Path):
    store = Store(tmp_path / "news.db")
    items = []
    for n, path in enumerate(site_pages("vinhphuc")):
        page = Page(path)
        item = extract(page, page.html())
        # what an extractor that took the portal's name for every title stored
        items.append({**item, "title": PORTAL if n % 2 else item["title"], "html": page.html()})
    store.write(items)
    memory = learn_from_store(store.db, "vinhphuc")
    store.close()
    assert memory.is_name(PORTAL)
    crawl = CrawlMemory.from_store(tmp_path / "news.db", "vinhphuc")
    assert crawl.memory.is_name(PORTAL)
    assert not CrawlMemory.from_store(tmp_path / "missing.db", "vinhphuc").memory


def test_crawl_memory_learns_from_the_crawl():
    crawl = CrawlMemory()
    for n in range(30):
        crawl.add(
            {
                "title": f"Tin số {n} về hợp tác",
                "text": "Đoạn riêng {n}.\n\nCác tin khác",
                "page_titles": [PORTAL],
            }
        )
    assert crawl.memory.is_name(PORTAL) and crawl.memory.is_chrome("Các tin khác")


def test_crawl_memory_counts_a_sliding_window_as_learn_would():
    items = [
        {
            "title": f"Tin số {n} về hợp tác",
            "text": f"Đoạn riêng {n}.\n\nCác tin khác\n\nDòng {n % 7}",
            "page_titles": [PORTAL if n < 40 else "Cổng mới"],
        }
        for n in range(90)
    ]
    crawl = CrawlMemory(window=30)
    for item in items:
        crawl.add(item)
    assert crawl.counts.memory() == learn(items[-30:])
    assert crawl.memory.is_name("Cổng mới") and not crawl.memory.is_name(PORTAL)


def test_shared_memory_travels_as_a_path_and_is_read_back():
    pool = ExtractionPool(1)
    memory = learn([{"title": "Tin", "text": "Các tin khác", "page_titles": [PORTAL]}] * 5)
    shared = pool.share(memory)
    sent = pickle.dumps(shared)
    try:
        assert len(sent) < 200  # the path, not the memory
        assert pickle.loads(sent).get() == memory
    finally:
        pool.close()
    assert not Path(shared.path).exists()  # removed with the pool


def test_crawl_memory_reads_the_store_only_when_first_needed():
    reads = []

    def stored() -> list[dict[str, object]]:
        reads.append(1)
        return [{"title": f"Tin {n}", "text": "Các tin khác", "page_titles": [PORTAL]}
                for n in range(5)]

    crawl = CrawlMemory(stored)
    assert reads == []  # a run that extracts nothing never reads the store
    assert crawl.current.is_name(PORTAL) and crawl.memory.is_chrome("Các tin khác")
    crawl.add({"title": "Tin mới", "text": "x"})
    assert reads == [1]


def _strip_name_key_by_key(memory: SiteMemory, title: str) -> str:
    """strip_name as a key() of every head and tail: the reference for the one that joins the
    words' keys."""
    words = title.split()
    for n in range(1, min(len(words) - 3, 12) + 1):
        head, tail = " ".join(words[:n]), " ".join(words[-n:])
        if key(head) in memory.names:
            return " ".join(words[n:]).lstrip("-–—|:» ").strip() or title
        if key(tail) in memory.names:
            return " ".join(words[:-n]).rstrip("-–—|:» ").strip() or title
    return title


def test_strip_name_is_a_key_of_every_head_and_tail():
    """On the corpus's titles with site names before and after them (as portals write them:
    separators, case, decomposed tone marks, punctuation-only words), against the reference."""
    import json
    import unicodedata

    titles = [
        json.loads(path.read_text("utf-8")).get("title") or ""
        for path in sorted((Path(__file__).parent / "corpus").glob("*/*.json"))
    ]
    sites = ["Báo Thế giới & Việt Nam", "CỔNG THÔNG TIN ĐIỆN TỬ TỈNH VĨNH PHÚC", "Tin tức",
             "Sở Ngoại vụ - Phú Thọ", "thoidai.com.vn"]
    memory = SiteMemory(names=frozenset(key(s) for s in sites))
    cases = []
    for title in titles:
        for site in sites:
            cases += [f"{site} - {title}", f"{title} | {site}", f"{title} {site.upper()}",
                      unicodedata.normalize("NFD", f"{site} » {title}"), f"{site}: – {title} –"]
        cases += [title, f"- | {title}", "Tin tức", "Tin tức Tin tức Tin tức Tin tức"]
    assert len(cases) > 1000
    stripped = 0
    for case in cases:
        assert memory.strip_name(case) == _strip_name_key_by_key(memory, case), case
        stripped += memory.strip_name(case) != case
    assert stripped > len(cases) // 2
