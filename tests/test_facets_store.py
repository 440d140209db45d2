"""The facets in the store: schema v7, written with each article, migrated, recomputed, queried."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from crawler.extraction.facets.gazetteer import gazetteer
from crawler.store import SCHEMA_VERSION, Store
from tests.conftest import ROOT, clean_env, crawl, fast_settings, scrapy, v3_store

FETCHED = "2026-11-23T08:00:00+00:00"


def item(url: str, title: str, text: str, **extra: str) -> dict:
    return {"url": url, "site": "baoquocte", "title": title, "lead": None, "text": text,
            "fetched_at": FETCHED, **extra}


def facet_rows(db: sqlite_utils.Database, article_id: int) -> tuple[set, set, dict]:
    partners = {r["code"] for r in db["article_partners"].rows_where("article_id = ?",
                                                                      [article_id])}
    provinces = {r["named"] for r in db["article_provinces"].rows_where("article_id = ?",
                                                                        [article_id])}
    relevance = db["article_relevance"].get(article_id)
    return partners, provinces, relevance


def test_each_written_article_gets_its_facets(tmp_path: Path) -> None:
    with Store(tmp_path / "news.db") as store:
        outcomes = store.write([
            item("https://baoquocte.vn/a-1.html", "Thái Nguyên và tỉnh Gyeongsangbuk-do (Hàn "
                 "Quốc) ký kết biên bản ghi nhớ", "Hai bên ký kết hợp tác đối ngoại.",
                 published_at="2023-06-15"),
            item("https://baoquocte.vn/b-2.html", "Giá lúa", "Lúa tăng giá ở Nam Định."),
        ])
        assert outcomes == ["new", "new"]
        partners, provinces, relevance = facet_rows(store.db, 1)
        assert partners == {"KR", "KR-47"} and provinces == {"Thái Nguyên"}
        assert relevance["foreign_affairs"] == 1
        assert relevance["gazetteer"] == gazetteer().version
        assert "signing" in json.loads(relevance["activities"])
        assert facet_rows(store.db, 2)[2]["foreign_affairs"] == 0
        # an edit recomputes them; the same body at another URL keeps them
        store.write([item("https://baoquocte.vn/b-2.html", "Giá lúa", "Lúa xuất sang Lào.")])
        assert facet_rows(store.db, 2)[0] == {"LA"}
        store.write([item("https://thoidai.com.vn/c-3.html", "Khác", "Lúa xuất sang Lào.")])
        assert store.db["article_relevance"].count == 2


def test_a_merged_article_leaves_no_facets_behind(tmp_path: Path) -> None:
    with Store(tmp_path / "news.db") as store:
        store.write([item("https://baoquocte.vn/a-1.html", "Lào", "Đoàn Lào thăm tỉnh."),
                     item("https://baoquocte.vn/b-2.html", "Nhật", "Đoàn Nhật Bản thăm tỉnh.")])
        with store.transaction():
            store.merge_article(2, 1, "reextract", keep_text=False)
        assert {r["article_id"] for r in store.db["article_partners"].rows} == {1}
        assert store.db["article_relevance"].count == 1


def test_reextraction_recomputes_the_facets(tmp_path: Path) -> None:
    with Store(tmp_path / "news.db") as store:
        first = item("https://baoquocte.vn/a-1.html", "Tiếp đoàn Lào", "Đoàn khách thăm tỉnh.")
        store.write([first])
        assert store.replace_extraction(1, {**first, "text": "Đoàn Nhật Bản thăm tỉnh."}) == (
            "text_changed"
        )
        assert facet_rows(store.db, 1)[0] == {"LA", "JP"}  # the title still names Laos


def test_a_schema_3_store_is_migrated_and_its_articles_analysed(tmp_path: Path) -> None:
    with Store(v3_store(tmp_path / "old.db")) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.db["article_relevance"].count == store.db["articles"].count == 8
        gunma = store.db.execute(
            "SELECT id FROM articles WHERE title LIKE '%Gunma%'"
        ).fetchone()[0]
        partners, provinces, _ = facet_rows(store.db, gunma)
        assert partners == {"JP", "JP-10"} and provinces == {"Phú Thọ"}
        assert store.db["vn_provinces"].count == 97
        assert store.db["gazetteer_partners"].get("JP-10")["country"] == "JP"


# -- a real store filled by crawls of the mirror ----------------------------------------------

README_QUESTIONS = (
    "which provinces worked with Laos in 2025",
    "how often did Phú Thọ receive Korean delegations",
    "what did Thái Nguyên sign with foreign partners",
)


def readme_query(question: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"```sql\n-- " + re.escape(question) + r"\n(.*?)```", readme, re.S)
    assert match, f"README has no query for: {question}"
    return match.group(1)


@pytest.fixture(scope="module")
def crawled(mirror, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("facets") / "news.db"
    for site in ("thainguyen", "phutho", "vinhphuc"):
        result = crawl(mirror, site, db)
        assert result.returncode == 0, result.stderr[-3000:]
    return db


def test_the_crawl_fills_the_facets_in_the_worker_pool(crawled: Path) -> None:
    db = sqlite_utils.Database(crawled)
    assert db["article_relevance"].count == db["articles"].count > 0
    stats = json.loads(db.execute("SELECT stats FROM crawl_runs ORDER BY id DESC").fetchone()[0])
    assert stats["pool/cpu_seconds/item_facets"] > 0
    # everything stored from vinhphuc.gov.vn is about Vĩnh Phúc, today's Phú Thọ
    rows = db.query("SELECT DISTINCT p.named, p.name FROM articles a JOIN article_provinces p"
                    " ON p.article_id = a.id AND p.site WHERE a.site = 'vinhphuc'")
    assert [(r["named"], r["name"]) for r in rows] == [("Vĩnh Phúc", "Phú Thọ")]


def test_readme_questions_answered_by_one_query_each(crawled: Path) -> None:
    db = sqlite_utils.Database(crawled)
    laos = list(db.query(readme_query(README_QUESTIONS[0])))
    assert [r["province"] for r in laos] == ["Thái Nguyên"]  # the Lao ambassador, Oct 2025
    korea = readme_query(README_QUESTIONS[1])
    assert list(db.query(korea)) == []  # the mirror has no Korean delegation to Phú Thọ
    lao_delegations = list(db.query(korea.replace("'KR'", "'LA'")))
    assert lao_delegations == [{"year": "2023", "articles": 1}]  # Hủa Phăn's New Year visit
    signed = list(db.query(readme_query(README_QUESTIONS[2])))
    titles = [r["title"] for r in signed]
    assert any("Gyeongsangbuk-do" in t for t in titles), titles
    assert all(r["partners"] for r in signed)


def test_readme_queries_run_with_the_sqlite_utils_cli(crawled: Path) -> None:
    for question in README_QUESTIONS:
        result = subprocess.run(
            [sys.executable, "-m", "sqlite_utils", "query", str(crawled),
             readme_query(question)], capture_output=True, text=True, timeout=60,
        )
        assert result.returncode == 0, result.stderr
        json.loads(result.stdout)


def test_scrapy_facets_recomputes_what_an_older_gazetteer_made(crawled: Path,
                                                                 tmp_path: Path) -> None:
    copy = tmp_path / "news.db"
    copy.write_bytes(crawled.read_bytes())
    db = sqlite_utils.Database(copy)
    before = {r["article_id"]: r["score"] for r in db["article_relevance"].rows}
    db.execute("UPDATE article_relevance SET gazetteer = 'old', score = -1 WHERE article_id <= 3")
    db.execute("DELETE FROM article_partners WHERE article_id <= 3")
    db.conn.commit()
    db.close()
    result = scrapy("facets", "--db", str(copy))
    assert result.returncode == 0, result.stderr
    assert "facets computed for 3 articles" in result.stdout, result.stdout
    db = sqlite_utils.Database(copy)
    assert {r["article_id"]: r["score"] for r in db["article_relevance"].rows} == before
    assert db.execute("SELECT count(*) FROM article_partners WHERE article_id <= 3").fetchone()[0]
    again = scrapy("facets", "--db", str(copy))
    assert "facets computed for 0 articles" in again.stdout
    assert scrapy("facets", "--bogus").returncode != 0


def test_a_broken_gazetteer_loses_no_article(mirror, tmp_path: Path) -> None:
    """An operator's bad edit of the gazetteer: the crawl stores every article (without facets),
    says what is wrong, and `scrapy facets` fills them in once the file is fixed."""
    broken = tmp_path / "gazetteer.toml"
    broken.write_text("[countries\nLA = [", encoding="utf-8")
    db = tmp_path / "news.db"
    env = {**clean_env(), "CRAWLER_GAZETTEER": str(broken)}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "phutho",
         *fast_settings(mirror.hosts_map(), db)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"{broken}: cannot build the gazetteer" in result.stderr
    store = sqlite_utils.Database(db)
    assert store["articles"].count == len(mirror.expected("phutho"))
    assert store["article_relevance"].count == 0
    stats = json.loads(store.execute("SELECT stats FROM crawl_runs").fetchone()[0])
    assert stats["facets/errors"] == stats["store/facets_failed"] == store["articles"].count
    store.close()
    refused = subprocess.run(
        [sys.executable, "-m", "scrapy", "facets", "--db", str(db)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert refused.returncode == 2 and str(broken) in refused.stderr
    fixed = scrapy("facets", "--db", str(db))
    assert fixed.returncode == 0, fixed.stderr
    assert sqlite_utils.Database(db)["article_relevance"].count == len(mirror.expected("phutho"))
