"""The store on real SQLite files: dedupe by content hash, URLs, edits, migrations, runs."""

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from crawler.store import SCHEMA_VERSION, Store
from crawler.text.normalise import content_hash

BODY = (
    "Đoàn đại biểu tỉnh Vĩnh Phúc thăm và làm việc tại tỉnh Tochigi.\n\nHai bên ký kết thỏa thuận."
)


def item(url: str, site: str = "thoidai", text: str = BODY, title: str = "Tiêu đề", **extra):
    return {
        "url": url,
        "site": site,
        "title": title,
        "text": text,
        "content_hash": content_hash(text),
        "fetched_at": "2026-11-23T08:00:00+00:00",
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


def test_new_then_seen_then_alias_and_republication(store: Store):
    assert store.write([item("https://thoidai.com.vn/a-1.html")]) == ["new"]
    assert store.write([item("https://thoidai.com.vn/a-1.html")]) == ["seen"]
    # Another host alias and another site with another title: same article, more URLs.
    outcomes = store.write(
        [
            item("https://www.thoidai.com.vn/a-1.html"),
            item("https://baoquocte.vn/b-9.html", site="baoquocte", title="Tiêu đề khác"),
        ]
    )
    assert outcomes == ["duplicate", "duplicate"]
    db = store.db
    assert db["articles"].count == 1
    article = next(db["articles"].rows)
    assert article["url"] == "https://thoidai.com.vn/a-1.html"
    assert article["site"] == "thoidai"
    urls = {r["url"]: r for r in db["article_urls"].rows}
    assert set(urls) == {
        "https://thoidai.com.vn/a-1.html",
        "https://www.thoidai.com.vn/a-1.html",
        "https://baoquocte.vn/b-9.html",
    }
    assert {r["article_id"] for r in urls.values()} == {article["id"]}
    assert urls["https://baoquocte.vn/b-9.html"]["site"] == "baoquocte"


def test_edit_at_same_url_updates_row_and_keeps_history(store: Store):
    store.write([item("https://baoquocte.vn/x-1.html")])
    edited = BODY + "\n\nĐoạn bổ sung."
    later = item(
        "https://baoquocte.vn/x-1.html", text=edited, fetched_at="2026-11-24T08:00:00+00:00"
    )
    assert store.write([later]) == ["updated"]
    row = next(store.db["articles"].rows)
    assert row["text"] == edited
    assert row["content_hash"] == content_hash(edited)
    assert row["updated_at"] == "2026-11-24T08:00:00+00:00"
    [old] = list(store.db["article_versions"].rows)
    assert old["text"] == BODY and old["content_hash"] == content_hash(BODY)


def test_batch_is_one_transaction(store: Store):
    bad = item("https://thoidai.com.vn/b-2.html", text="Khác hẳn.")
    bad["title"] = None  # violates NOT NULL: the whole batch must roll back
    with pytest.raises(sqlite3.IntegrityError):
        store.write([item("https://thoidai.com.vn/a-1.html"), bad])
    assert store.db["articles"].count == 0
    assert store.db["article_urls"].count == 0


def test_new_file_has_the_schema_version_wal_and_tables(tmp_path: Path):
    """A newer or unusable file: tests/test_store_articles.py (refused, the file named)."""
    path = tmp_path / "news.db"
    Store(path).close()
    db = sqlite_utils.Database(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.journal_mode == "wal"
    assert {"articles", "article_urls", "article_versions", "crawl_runs"} <= set(db.table_names())
    db.close()


def test_the_store_package_exports_each_name_from_its_module_on_first_use():
    """crawler.store's names load lazily (the extraction workers import its pure modules
    without sqlite-utils): every name listed resolves to its defining module's object."""
    import importlib

    import crawler.store as store

    assert sorted(store.__all__) == sorted(store._EXPORTS)
    for name, module in store._EXPORTS.items():
        defining = importlib.import_module(f"crawler.store.{module}")
        assert getattr(store, name) is getattr(defining, name)
    with pytest.raises(AttributeError):
        store.no_such_name  # noqa: B018
