"""`scrapy reextract`: stored pages re-extracted in place after an "extractor fix".

The store is filled from the labelled corpus the way a crawl fills it (the page's HTML as
Scrapy decodes it, extracted and normalised), except that some rows are written as a buggy
extractor would have produced them; re-extraction must restore what the current extractor
says, in place, from the stored pages alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawler.batch import read_page, reextract_page
from crawler.commands.reextract import reextract
from crawler.registry import default_registry
from crawler.store import Store, compress_html
from crawler.text.normalise import content_hash
from tests.conftest import FETCH_TIME, scrapy

CORPUS = Path(__file__).parent / "corpus"
BOILERPLATE = "Xin chờ trong giây lát, nội dung đang được tải"
SITES = default_registry()


def crawled(gold: Path) -> dict:
    """The item a crawl stores for this corpus page (html and hints included)."""
    meta = json.loads(gold.read_text(encoding="utf-8"))
    html = HtmlResponse(url=meta["url"], body=read_page(gold.with_suffix(".html"))).text
    page = {"url": meta["url"], "site": meta["site"], "fetched_at": FETCH_TIME, "html": html}
    page["hints"] = meta.get("hints") or {}
    item = reextract_page(page, SITES)
    assert not item["rejected"], gold
    return {**item, "html": html, "hints": page["hints"]}


def buggy(item: dict) -> dict:
    """What an extractor without the boilerplate rule and with a bad title rule produced."""
    text = item["text"] + "\n\n" + BOILERPLATE
    return {**item, "title": "Trang chủ", "text": text, "content_hash": content_hash(text)}


@pytest.fixture
def corpus_store(tmp_path: Path):
    """A store filled from the corpus (one page per URL), every third row and the first of each
    republished pair written as the buggy extractor had it. Returns (path, items, buggy, pairs).
    """
    golds = [g for g in sorted(CORPUS.glob("*/*.json")) if json.loads(g.read_text())["site"]]
    items = list({i["url"]: i for i in reversed([crawled(g) for g in golds])}.values())[::-1]
    assert len(items) >= 20, "the labelled corpus is missing"
    by_text: dict[str, list[int]] = {}
    for n, i in enumerate(items):
        by_text.setdefault(i["content_hash"], []).append(n)
    pairs = [ns for ns in by_text.values() if len(ns) > 1]  # one text on two sites
    assert pairs, "the corpus has no republication any more"
    bad = {n for n in range(len(items)) if n % 3 == 0} - {n for ns in pairs for n in ns}
    bad |= {ns[0] for ns in pairs}
    store = Store(tmp_path / "news.db")
    outcomes = store.write([buggy(i) if n in bad else i for n, i in enumerate(items)])
    assert outcomes.count("new") == len(items) - sum(len(ns) - 2 for ns in pairs)
    store.close()
    return tmp_path / "news.db", items, bad, pairs


def snapshot(path: Path) -> dict[int, dict]:
    store = Store(path)
    rows = {r["id"]: r for r in store.db.query("SELECT * FROM articles")}
    store.close()
    return rows


def test_reextract_command_fixes_rows_in_place(corpus_store):
    path, items, bad, pairs = corpus_store
    before = snapshot(path)
    result = scrapy("reextract", "--db", str(path), timeout=120)
    assert result.returncode == 0, result.stderr
    after = snapshot(path)
    store = Store(path)
    merges = dict(store.db.execute("SELECT article_id, into_id FROM article_merges").fetchall())
    store.close()
    # a republished article stored twice (its buggy text differed from the other site's): the
    # fix shows the two rows are one, and the later is merged into the earlier
    assert len(merges) == len(pairs) and set(merges.values()) <= set(after)
    assert set(after) == set(before) - set(merges)  # no other article added or lost
    fixed = 0
    for article_id, row in after.items():
        old = before[article_id]
        assert BOILERPLATE not in row["text"] and row["title"] != "Trang chủ"
        # identity and history untouched
        for column in ("url", "site", "fetched_at", "updated_at"):
            assert row[column] == old[column]
        expected = next(i for i in items if i["url"] == row["url"])
        assert (row["title"], row["text"], row["content_hash"]) == (
            expected["title"],
            expected["text"],
            content_hash(expected["text"]),
        )
        fixed += old["text"] != row["text"]
    assert fixed == len(bad)
    summary = result.stdout.strip().splitlines()[-1]
    assert f"{len(bad) - len(pairs)} text changed" in summary, summary
    assert f"{len(pairs)} merged" in summary and "0 errors" in summary, summary

    store = Store(path)
    db = store.db
    assert db["article_versions"].count == 0  # an extractor fix is not an edit by the site
    assert db.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'giay lat'"
    ).fetchone() == (0,)
    assert db.execute(
        "SELECT count(*) FROM pages p JOIN articles a ON a.id = p.article_id"
        " WHERE p.url = a.url AND p.content_hash != a.content_hash"
    ).fetchone() == (0,)
    assert db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    store.close()
    # a second run finds nothing to do
    again = scrapy("reextract", "--db", str(path), timeout=120)
    assert "0 text changed, 0 other fields changed" in again.stdout


def test_site_limit_and_dry_run(corpus_store):
    path, *_ = corpus_store
    before = snapshot(path)
    dry = scrapy("reextract", "--db", str(path), "--dry-run", timeout=120)
    assert "text would change" in dry.stdout and snapshot(path) == before
    first_thoidai = min(i for i, r in before.items() if r["site"] == "thoidai")
    one = scrapy("reextract", "--db", str(path), "--site", "thoidai", "--limit", "1")
    assert one.returncode == 0, one.stderr
    assert one.stdout.splitlines()[-1].startswith(f"{path}: 1 articles re-extracted")
    after = snapshot(path)
    changed = {i for i in after if after[i] != before[i]}
    assert changed <= {first_thoidai}
    bad = scrapy("reextract", "--db", str(path), "--site", "nowhere")
    assert bad.returncode != 0 and "unknown site 'nowhere'" in bad.stderr


def test_rejected_page_leaves_its_row_and_a_page_of_another_article_merges(corpus_store):
    path, *_ = corpus_store
    store = Store(path)
    db = store.db
    clean = [r[0] for r in db.execute("SELECT id FROM articles WHERE text NOT LIKE '%giây lát%'")]
    rejected, merged, into = clean[:3]
    # one page now yields no article; another is now a third article's page
    db.execute(
        "UPDATE pages SET html = ? WHERE article_id = ?",
        [compress_html("<html><body><p>Trang đang bảo trì.</p></body></html>"), rejected],
    )
    db.execute(
        "UPDATE pages SET html = (SELECT html FROM pages WHERE article_id = :into),"
        " hints = (SELECT hints FROM pages WHERE article_id = :into) WHERE article_id = :merged",
        {"into": into, "merged": merged},
    )
    db.conn.commit()
    before = db["articles"].get(rejected)
    merged_urls = [
        r[0] for r in db.execute("SELECT url FROM article_urls WHERE article_id = ?", [merged])
    ]
    counts = reextract(store, SITES, limit=into)
    assert counts["rejected"] == 1 and counts["merged"] == 1
    assert db["articles"].get(rejected) == before
    # the two rows are one now: the earlier id stays, the later one's URLs follow it
    assert not db.execute("SELECT 1 FROM articles WHERE id = ?", [into]).fetchall()
    assert db.execute("SELECT article_id, into_id, reason FROM article_merges").fetchall() == [
        (into, merged, "reextract")
    ]
    moved = {
        r[0] for r in db.execute("SELECT url FROM article_urls WHERE article_id = ?", [merged])
    }
    assert set(merged_urls) < moved
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    store.close()


def test_articles_without_a_page_are_counted(tmp_path: Path):
    store = Store(tmp_path / "news.db")
    text = "Bài viết cũ từ trước khi lưu trang, đủ dài để là một bài báo. " * 5
    store.write(
        [
            {
                "url": "https://thoidai.com.vn/cu-1.html",
                "site": "thoidai",
                "title": "Bài cũ",
                "text": text,
                "content_hash": content_hash(text),
                "fetched_at": FETCH_TIME,
            }
        ]
    )
    counts = reextract(store, SITES)
    assert counts["without_page"] == 1 and sum(counts.values()) == 1
    store.close()
