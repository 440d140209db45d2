"""Articles in the store, on real SQLite files: spelling-proof dedupe, canonical URLs, history,
pages, full-text search, capped fields, bad files, the v1 → v2 migration and the store pipeline."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sqlite3
import subprocess
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import sqlite_utils
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.extensions.runlog import run_summary
from crawler.store import FIELD_LIMITS, SCHEMA_VERSION, Store, StoreError, decompress_html
from crawler.store.migrations import _create_v1
from crawler.text.normalise import content_hash
from pipelines.store import SQLiteStorePipeline

FETCHED = "2026-11-23T08:00:00+00:00"
LATER = "2026-11-24T08:00:00+00:00"
LATEST = "2026-11-25T08:00:00+00:00"
# New-style tone marks ("hoà", "thuỷ", "hoá"), as one site writes it ...
BODY = (
    "Đoàn đại biểu tỉnh Vĩnh Phúc thăm và làm việc tại tỉnh Tochigi, thắt chặt quan hệ hữu nghị "
    "thuỷ chung, hoà bình và hợp tác giữa hai địa phương.\n\n"
    "Hai bên ký kết thoả thuận hợp tác trong lĩnh vực văn hoá, giáo dục, đào tạo nguồn nhân lực "
    "và đối ngoại nhân dân."
)
# ... and the same story as another site serves it: old-style marks, decomposed, other spacing.
BODY_OLD_STYLE = unicodedata.normalize(
    "NFD",
    BODY.replace("thuỷ", "thủy")
    .replace("hoà", "hòa")
    .replace("thoả", "thỏa")
    .replace("hoá", "hóa")
    .replace("\n\n", "\n\n  "),
)
OTHER = (
    "Ủy ban nhân dân tỉnh Thái Nguyên tổ chức hội nghị xúc tiến đầu tư với các doanh nghiệp Hàn "
    "Quốc, giới thiệu các khu công nghiệp và chính sách ưu đãi mới của tỉnh."
)


def item(url: str, text: str = BODY, site: str = "thoidai", **extra) -> dict:
    return {
        "url": url,
        "site": site,
        "title": "Tiêu đề",
        "text": text,
        "content_hash": content_hash(text),
        "fetched_at": FETCHED,
        "published_at": "2023-01-23T07:12:00+07:00",
        "images": [{"src": "https://thoidai.com.vn/a.jpg", "caption": "Ảnh"}],
        "methods": {"title": "rule"},
        **extra,
    }


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "news.db")
    yield s
    s.close()


def rows(store: Store, sql: str, *params) -> list[tuple]:
    return store.db.execute(sql, list(params)).fetchall()


# -- dedupe by content ------------------------------------------------------------------------


def test_other_tone_convention_and_unicode_form_is_the_same_article(store: Store):
    assert store.write([item("https://thoidai.com.vn/a-1.html")]) == ["new"]
    republished = item(
        "https://baoquocte.vn/b-2.html",
        text=BODY_OLD_STYLE,
        site="baoquocte",
        title="Một tiêu đề khác",  # titles, bylines and captions are not part of the hash
        author="Minh Ngọc",
        images=[{"src": "https://baoquocte.vn/x.jpg", "caption": "Chú thích khác"}],
    )
    assert store.write([republished]) == ["duplicate"]
    [article] = list(store.db["articles"].rows)
    assert article["text"] == BODY  # the site's own spelling, as first seen
    assert rows(store, "SELECT url, site FROM article_urls ORDER BY id") == [
        ("https://thoidai.com.vn/a-1.html", "thoidai"),
        ("https://baoquocte.vn/b-2.html", "baoquocte"),
    ]


def test_dedupe_holds_across_crawls(tmp_path: Path):
    path = tmp_path / "news.db"
    first = Store(path)
    first.write([item("https://thoidai.com.vn/a-1.html")])
    first.close()
    second = Store(path)  # a later crawl: a new process, a new connection
    assert second.write([item("https://baoquocte.vn/b-2.html", BODY_OLD_STYLE, "baoquocte")]) == [
        "duplicate"
    ]
    assert second.write([item("https://thoidai.com.vn/a-1.html")]) == ["seen"]
    assert second.db["articles"].count == 1
    second.close()


# -- canonical URLs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.thoidai.com.vn/a-1.html",
        "https://tacnghiep.thoidai.com.vn/a-1.html",
        "https://m.thoidai.com.vn/a-1.html",
        "https://amp.thoidai.com.vn/a-1.html",
        "https://thoidai.com.vn/amp/a-1.html",
        "https://thoidai.com.vn/a-1.html/amp",
        "https://thoidai.com.vn/a-1.amp.html",
        "https://thoidai.com.vn/a-1.html?amp=1",
        "http://thoidai.com.vn/a-1.html?utm_source=facebook&fbclid=abc#comments",
    ],
)
def test_url_variants_are_one_article_even_when_the_text_changed(store: Store, variant: str):
    store.write([item("https://thoidai.com.vn/a-1.html")])
    # same text at the variant: one article, one more URL
    assert store.write([item(variant)]) == ["duplicate"]
    # an edited text at the variant is an edit of the same article, not a new one
    edited = item(variant, text=BODY + "\n\nĐoạn bổ sung.", fetched_at=LATER)
    assert store.write([edited]) == ["updated"]
    assert store.db["articles"].count == 1
    assert {r[0] for r in rows(store, "SELECT canonical_url FROM article_urls")} == {
        "https://thoidai.com.vn/a-1.html"
    }


def test_rel_canonical_of_the_same_site_joins_and_other_sites_do_not(store: Store):
    store.write([item("https://baoquocte.vn/bai-goc-100.html", site="baoquocte")])
    # another URL whose page declares the first as canonical: the same article, edited
    moved = item(
        "https://baoquocte.vn/bai-da-sua-101.html",
        text=BODY + "\n\nCập nhật.",
        site="baoquocte",
        canonical_url="https://baoquocte.vn/bai-goc-100.html",
        fetched_at=LATER,
    )
    assert store.write([moved]) == ["updated"]
    # a canonical pointing at another site, or at the home page, is ignored
    foreign = item(
        "https://baoquocte.vn/khac-102.html",
        text=OTHER,
        site="baoquocte",
        canonical_url="https://thoidai.com.vn/a-1.html",
    )
    home = item(
        "https://baoquocte.vn/khac-103.html",
        text=OTHER + " Thêm.",
        site="baoquocte",
        canonical_url="https://baoquocte.vn/",
    )
    assert store.write([foreign, home]) == ["new", "new"]
    assert store.db["articles"].count == 3


# -- history ----------------------------------------------------------------------------------


def test_every_earlier_version_is_kept(store: Store):
    url = "https://baoquocte.vn/x-1.html"
    v1, v2, v3 = BODY, BODY + "\n\nĐoạn hai.", BODY + "\n\nĐoạn hai, đã sửa."
    assert store.write([item(url, v1, "baoquocte", lead="Sapo 1")]) == ["new"]
    assert store.write([item(url, v1, "baoquocte", fetched_at=LATER)]) == ["seen"]
    assert store.write([item(url, v2, "baoquocte", fetched_at=LATER, title="Tiêu đề 2")]) == [
        "updated"
    ]
    assert store.write([item(url, v3, "baoquocte", fetched_at=LATEST, title="Tiêu đề 3")]) == [
        "updated"
    ]
    article = store.db["articles"].get(1)
    assert (article["text"], article["title"], article["fetched_at"], article["updated_at"]) == (
        v3,
        "Tiêu đề 3",
        LATEST,
        LATEST,
    )
    assert article["url"] == url
    versions = rows(
        store,
        "SELECT article_id, content_hash, title, lead, text, seen_at, replaced_at"
        " FROM article_versions ORDER BY id",
    )
    assert versions == [
        (1, content_hash(v1), "Tiêu đề", "Sapo 1", v1, FETCHED, LATER),
        (1, content_hash(v2), "Tiêu đề 2", None, v2, LATER, LATEST),
    ]
    # the full-text index follows the current text only
    assert rows(store, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'da sua'") == [(1,)]


# -- pages ------------------------------------------------------------------------------------


def test_raw_page_is_kept_compressed_with_its_hints(store: Store):
    html = "<html><body><h1>Tiêu đề</h1>" + "<p>Đoạn văn đối ngoại.</p>" * 500 + "</body></html>"
    hints = {"section": "ngoai-giao", "title": None}
    store.write([item("https://thoidai.com.vn/a-1.html", html=html, hints=hints)])
    store.write([item("https://www.thoidai.com.vn/a-1.html", html=html + "<!-- alias -->")])
    pages = rows(store, "SELECT url, article_id, compression, html, html_chars, hints FROM pages")
    assert len(pages) == 2
    url, article_id, compression, blob, chars, stored_hints = pages[0]
    assert (url, article_id, compression, chars) == (
        "https://thoidai.com.vn/a-1.html",
        1,
        "zlib",
        len(html),
    )
    assert decompress_html(blob) == html and len(blob) < len(html.encode()) / 10
    assert json.loads(stored_hints) == hints
    # a later fetch of the same URL replaces its page
    store.write(
        [item("https://thoidai.com.vn/a-1.html", html="<html>mới</html>", fetched_at=LATER)]
    )
    [(blob, fetched)] = rows(
        store, "SELECT html, fetched_at FROM pages WHERE url = 'https://thoidai.com.vn/a-1.html'"
    )
    assert (decompress_html(blob), fetched) == ("<html>mới</html>", LATER)
    # nothing of the page leaks into the articles row
    assert "html" not in store.db["articles"].columns_dict


# -- full-text search -------------------------------------------------------------------------


# A query in NFD (combining marks) is for the caller to normalise: `scrapy search` does.
@pytest.mark.parametrize("query", ["doi ngoai", "đối ngoại", "Đối Ngoại", "DOI NGOAI"])
def test_fts_finds_with_or_without_diacritics(store: Store, query: str):
    store.write(
        [
            item("https://thoidai.com.vn/a-1.html", text=BODY),
            item("https://thoidai.com.vn/b-2.html", text=OTHER),
        ]
    )
    found = rows(store, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", query)
    assert found == [(1,)]


def test_fts_covers_title_and_lead_and_is_what_sqlite_utils_detects(store: Store):
    store.write(
        [
            item(
                "https://thoidai.com.vn/b-2.html",
                text=OTHER,
                title="Đón đoàn Lào",
                lead="Hội nghị hữu nghị",
            )
        ]
    )
    for query in ("don doan lao", "Đón", "huu nghi", "hữu nghị"):
        assert rows(store, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", query) == [
            (1,)
        ], query
    assert store.db["articles"].detect_fts() == "articles_fts"
    assert [r["id"] for r in store.db["articles"].search("doi tac")] == []
    assert [r["id"] for r in store.db["articles"].search("dau tu")] == [1]
    assert rows(store, "INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')") == []


def test_indexes_serve_the_common_queries(store: Store):
    def plan(sql: str) -> str:
        return " | ".join(r[-1] for r in rows(store, "EXPLAIN QUERY PLAN " + sql))

    by_site = plan(
        "SELECT title FROM articles WHERE site = 'thoidai' ORDER BY published_at DESC LIMIT 20"
    )
    assert "USING INDEX idx_articles_site_published_at" in by_site, by_site
    by_date = plan("SELECT title FROM articles WHERE published_at >= '2024-01-01'")
    assert "USING INDEX idx_articles_published_at" in by_date, by_date
    by_canonical = plan("SELECT article_id FROM article_urls WHERE canonical_url = 'x'")
    assert "USING INDEX idx_article_urls_canonical_url" in by_canonical, by_canonical


# -- bad input --------------------------------------------------------------------------------


def test_over_long_fields_are_capped_counted_and_recorded(store: Store, caplog):
    long_text = ("Đoạn văn rất dài về hoạt động đối ngoại. " * 20_000).strip()
    long_title = "Tiêu đề " * 500
    counter: Counter = Counter()
    with caplog.at_level(logging.WARNING, logger="crawler.store.articles"):
        outcome = store.write(
            [item("https://thoidai.com.vn/dai-1.html", text=long_text, title=long_title)], counter
        )
    assert outcome == ["new"]
    article = store.db["articles"].get(1)
    assert len(article["text"]) <= FIELD_LIMITS["text"]
    assert len(article["title"]) <= FIELD_LIMITS["title"]
    assert json.loads(article["capped"]) == {"text": len(long_text), "title": len(long_title)}
    assert article["content_hash"] == content_hash(long_text)  # identity: the whole body
    assert counter["capped/text"] == 1 and counter["capped/title"] == 1
    assert f"https://thoidai.com.vn/dai-1.html: text too long ({len(long_text)})" in caplog.text


def test_newer_schema_is_refused_with_the_file_named(tmp_path: Path):
    path = tmp_path / "news.db"
    Store(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match=rf"{path}: schema version {SCHEMA_VERSION + 1} is newer"):
        Store(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"this is not a database" * 100, "not a SQLite database"),
        (b"SQLite format 3\x00" + b"\x10\x00\x02\x02" + b"\xff" * 4000, "corrupt"),
    ],
)
def test_corrupt_file_gives_a_clear_error(tmp_path: Path, content: bytes, problem: str):
    path = tmp_path / "news.db"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=problem) as error:
        Store(path)
    assert str(error.value).startswith(f"{path}: cannot open the article database")


def test_unwritable_location_gives_a_clear_error():
    with pytest.raises(StoreError, match="/proc/news.db: cannot open the article database"):
        Store("/proc/news.db")


def _immutable(path: Path, on: bool) -> bool:
    result = subprocess.run(["chattr", "+i" if on else "-i", str(path)], capture_output=True)
    return result.returncode == 0


def test_read_only_file_is_refused_at_open(tmp_path: Path):
    path = tmp_path / "news.db"
    Store(path).close()
    if not _immutable(path, True):  # root ignores chmod; chattr +i binds root too
        pytest.skip("chattr +i is not available here")
    try:
        with pytest.raises(StoreError, match=rf"{path}: .*read-only"):
            Store(path)
    finally:
        _immutable(path, False)


# -- the v1 → v2 migration --------------------------------------------------------------------


def _v1_hash(text: str) -> str:
    """The v1 content hash: NFC and whitespace only."""
    import hashlib

    key = " ".join(unicodedata.normalize("NFC", text).split())
    return hashlib.sha256(key.encode()).hexdigest()


def test_v1_file_is_upgraded_and_its_rows_survive(tmp_path: Path):
    path = tmp_path / "news.db"
    db = sqlite_utils.Database(path)
    _create_v1(db)
    db.execute("PRAGMA user_version = 1")
    old_style = unicodedata.normalize("NFC", BODY_OLD_STYLE)
    articles = [
        (1, "https://thoidai.com.vn/a-1.html", "thoidai", BODY),
        (2, "https://baoquocte.vn/b-2.html", "baoquocte", old_style),  # v1 saw two articles
        (3, "https://www.thainguyen.gov.vn/c-3", "thainguyen", OTHER),
    ]
    for article_id, url, site, text in articles:
        db["articles"].insert(
            {
                "id": article_id,
                "url": url,
                "site": site,
                "title": f"Bài {article_id}",
                "text": text,
                "content_hash": _v1_hash(text),
                "fetched_at": FETCHED,
                "images": [],
            }
        )
        db["article_urls"].insert(
            {
                "url": url,
                "article_id": article_id,
                "site": site,
                "first_seen_at": FETCHED,
                "last_seen_at": FETCHED,
            }
        )
    db["article_versions"].insert(
        {
            "article_id": 3,
            "content_hash": _v1_hash("Cũ."),
            "title": "Cũ",
            "text": "Cũ.",
            "seen_at": FETCHED,
        }
    )
    db["crawl_runs"].insert({"spider": "thoidai", "started_at": FETCHED, "articles_new": 3})
    db.conn.commit()
    db.close()

    store = Store(path)
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 2
    # the two spellings of one story became one article; no URL and no text was lost
    assert rows(store, "SELECT id, content_hash FROM articles ORDER BY id") == [
        (1, content_hash(BODY)),
        (3, content_hash(OTHER)),
    ]
    assert rows(store, "SELECT url, article_id, canonical_url FROM article_urls ORDER BY id") == [
        ("https://thoidai.com.vn/a-1.html", 1, "https://thoidai.com.vn/a-1.html"),
        ("https://baoquocte.vn/b-2.html", 1, "https://baoquocte.vn/b-2.html"),
        ("https://www.thainguyen.gov.vn/c-3", 3, "https://thainguyen.gov.vn/c-3"),
    ]
    assert rows(store, "SELECT article_id, text FROM article_versions ORDER BY id") == [
        (3, "Cũ."),
        (1, old_style),
    ]
    assert rows(store, "SELECT spider, articles_new FROM crawl_runs") == [("thoidai", 3)]
    # the new features work on the old rows
    assert rows(store, "SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'doi ngoai'") == [
        (1,)
    ]
    assert store.db["article_signatures"].count == 2
    assert store.write([item("https://thoidai.com.vn/a-1.html")]) == ["seen"]
    assert store.write([item("https://m.thainguyen.gov.vn/c-3", OTHER, "thainguyen")]) == [
        "duplicate"
    ]
    assert rows(store, "PRAGMA integrity_check") == [("ok",)]
    assert rows(store, "PRAGMA foreign_key_check") == []
    store.close()
    Store(path).close()  # a second open migrates nothing


# -- the pipeline -----------------------------------------------------------------------------


def pipeline(path: Path, **settings) -> SQLiteStorePipeline:
    crawler = get_crawler(settings_dict={"SQLITE_PATH": str(path), **settings})
    return SQLiteStorePipeline.from_crawler(crawler)


def articles(prefix: str, body: str, count: int) -> list[dict]:
    """`count` distinct long articles at thoidai URLs /PREFIX-N.html."""
    return [
        item(f"https://thoidai.com.vn/{prefix}-{n}.html", text=f"{body} {n}" * 30)
        for n in range(count)
    ]


def feed(p: SQLiteStorePipeline, *items: dict) -> None:
    """Run items through the pipeline in one event loop, as a crawl does."""

    async def run() -> None:
        for one in items:
            await p.process_item(one)

    asyncio.run(run())


def test_pipeline_counts_outcomes_pages_and_near_duplicates(tmp_path: Path):
    p = pipeline(tmp_path / "news.db", STORE_BATCH_SIZE=2)
    p.open_spider()
    feed(
        p,
        item("https://thoidai.com.vn/a-1.html", html="<html>a</html>"),
        item("https://baoquocte.vn/b-2.html", BODY_OLD_STYLE, "baoquocte"),
        item("https://thoidai.com.vn/c-3.html", BODY + "\n\nThêm một đoạn ngắn."),
    )
    p.close_spider()
    stats = p.stats.get_stats()
    assert stats["store/new"] == 2 and stats["store/duplicate"] == 1
    assert stats["store/near_duplicates"] == 1 and stats["store/pages"] == 1


def test_crawl_runs_count_near_duplicates():
    assert run_summary({"store/near_duplicates": 2, "store/new": 5})["near_duplicates"] == 2


def test_pipeline_refuses_an_item_missing_a_required_field_loudly(tmp_path: Path):
    p = pipeline(tmp_path / "news.db")
    bad = item("https://thoidai.com.vn/a-1.html")
    del bad["title"]
    with pytest.raises(DropItem, match="missing title: https://thoidai.com.vn/a-1.html"):
        feed(p, bad)
    assert p.stats.get_value("store/invalid/title") == 1
    p.close_spider()


def test_pipeline_keeps_the_good_items_of_a_refused_batch(tmp_path: Path, caplog):
    p = pipeline(tmp_path / "news.db", STORE_BATCH_SIZE=10)
    good = item("https://thoidai.com.vn/a-1.html")
    bad = item("https://thoidai.com.vn/b-2.html", text=OTHER)
    bad["fetched_at"] = None  # slipped past the checks: the database refuses it
    p.pending = [good, bad]
    with caplog.at_level(logging.ERROR):
        p.flush()
    assert p.store.db["articles"].count == 1
    assert p.stats.get_value("store/new") == 1 and p.stats.get_value("store/lost_items") == 1
    assert "not stored, refused by the database" in caplog.text
    assert "https://thoidai.com.vn/b-2.html" in caplog.text
    p.close_spider()


def test_pipeline_full_disk_loses_no_article_silently(tmp_path: Path, caplog):
    path = tmp_path / "news.db"
    # max_page_count holds for one connection: the writer's, here in this process
    p = pipeline(path, STORE_BATCH_SIZE=100, STORE_WRITER_PROCESS=False)
    pages = p.store.db.execute("PRAGMA page_count").fetchone()[0]
    p.store.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills up
    feed(p, *articles("a", BODY, 20))
    with caplog.at_level(logging.WARNING):
        p.flush()
    assert p.stats.get_value("store/lost_items") == 20
    assert p.stats.get_value("store/errors") == 1
    assert f"{path}: writing 20 articles failed, the crawl stops: the disk is full" in caplog.text
    assert caplog.text.count("not stored: https://thoidai.com.vn/a-") == 20
    assert p.store.db["articles"].count == 0  # nothing half-written either
    p.close_spider()


def test_pipeline_writes_batches_behind_the_crawl_and_reports_their_failures(
    tmp_path: Path, caplog
):
    """Full batches go to the writer thread, one at a time; what a batch did (stored, lost)
    still reaches the stats, and nothing is counted twice (the writer in this process, whose
    connection the full disk is simulated on)."""
    p = pipeline(tmp_path / "news.db", STORE_BATCH_SIZE=5, STORE_WRITER_PROCESS=False)
    feed(p, *articles("a", BODY, 12))
    assert p.in_flight is not None  # the last full batch is being written, not waited for
    p.flush()
    assert p.in_flight is None and p.stats.get_value("store/new") == 12
    pages = p.store.db.execute("PRAGMA page_count").fetchone()[0]
    p.store.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # now the disk fills up
    with caplog.at_level(logging.WARNING):
        feed(p, *articles("b", OTHER, 10))
        p.close_spider()
    assert p.stats.get_value("store/new") == 12
    assert p.stats.get_value("store/lost_items") == 10 and p.stats.get_value("store/errors") == 2
    assert caplog.text.count("writing 5 articles failed, the crawl stops: the disk is full") == 2
    assert caplog.text.count("not stored: https://thoidai.com.vn/b-") == 10
    with Store(tmp_path / "news.db") as store:
        assert store.db["articles"].count == 12


def test_pipeline_writes_in_a_process_of_its_own_read_here(tmp_path: Path):
    p = pipeline(tmp_path / "news.db", STORE_BATCH_SIZE=2)
    writer = p.process.pid
    assert writer != os.getpid() and Path(f"/proc/{writer}").exists()
    feed(p, *articles("a", BODY, 5))
    p.flush()
    assert p.stats.get_value("store/new") == 5
    assert p.store.db["articles"].count == 5  # this process's connection reads the writes
    p.close_spider()
    with pytest.raises(ChildProcessError):  # ended and reaped: no zombie
        os.waitpid(writer, os.WNOHANG)


def test_pipeline_whose_writer_died_loses_one_batch_loudly_then_writes_on(
    tmp_path: Path, caplog
):
    p = pipeline(tmp_path / "news.db", STORE_BATCH_SIZE=5)
    writer = p.process.pid
    feed(p, *articles("a", BODY, 5))
    p.flush()
    os.kill(writer, signal.SIGKILL)
    with caplog.at_level(logging.WARNING):
        p.pending = articles("b", OTHER, 3)
        p.flush()
        feed(p, *articles("c", BODY + " khác", 5))
        p.close_spider()
    assert p.stats.get_value("store/lost_items") == 3 and p.stats.get_value("store/errors") == 1
    assert f"the store writer process {writer} died: killed by SIGKILL" in caplog.text
    assert caplog.text.count("not stored: https://thoidai.com.vn/b-") == 3
    assert p.stats.get_value("store/new") == 10
    with Store(tmp_path / "news.db") as store:
        assert store.db["articles"].count == 10
    with pytest.raises(ChildProcessError):
        os.waitpid(writer, os.WNOHANG)


def test_pipeline_that_cannot_open_its_store_fails_at_build(tmp_path: Path, caplog):
    path = tmp_path / "news.db"
    path.write_bytes(b"not a database at all" * 100)
    with caplog.at_level(logging.ERROR), pytest.raises(StoreError) as error:
        pipeline(path)
    assert str(error.value).startswith(f"{path}: cannot open the article database")
    assert error.value.__cause__ is None  # one clear line, no chained traceback
    assert f"{path}: cannot open the article database" in caplog.text


def test_pipeline_whose_writer_cannot_start_writes_on_its_thread(
    tmp_path: Path, caplog, monkeypatch
):
    """A writer process that cannot even start (here: a Python that cannot boot) loses
    nothing: the batches go to the crawl's own connection, warned and counted."""
    monkeypatch.setenv("PYTHONHOME", str(tmp_path / "no-python-here"))  # the child's only
    with caplog.at_level(logging.WARNING):
        p = pipeline(tmp_path / "news.db", STORE_BATCH_SIZE=2)
        assert p.process is None
        feed(p, *articles("a", BODY, 5))
        p.close_spider()
    assert "the store writer could not start" in caplog.text
    assert p.stats.get_value("store/writer_process_failed") == 1
    assert p.stats.get_value("store/new") == 5 and p.stats.get_value("store/lost_items") is None
    with Store(tmp_path / "news.db") as store:
        assert store.db["articles"].count == 5


def test_pipeline_starts_its_writer_with_the_first_article_request_and_for_no_other(
    tmp_path: Path,
):
    """The writer process starts when the spider asks for its first article page (its
    start-up overlaps that page's download and extraction), not for a listing's request: a
    run that requests no article starts none."""
    from scrapy import Request, signals

    p = pipeline(tmp_path / "news.db")
    send = p.crawler.signals.send_catch_log
    send(signals.request_scheduled, request=Request("https://thoidai.com.vn/"), spider=None)
    assert p.starting is None
    article = Request("https://thoidai.com.vn/a-1.html", meta={"article": True})
    send(signals.request_scheduled, request=article, spider=None)
    starting = p.starting
    assert starting is not None
    writer = starting.result(timeout=60)
    assert writer is not None
    os.kill(writer.pid, 0)  # running
    send(signals.request_scheduled, request=article, spider=None)
    assert p.starting is starting  # one writer
    p.close_spider()
    with pytest.raises(ChildProcessError):
        os.waitpid(writer.pid, os.WNOHANG)

