"""End to end: `scrapy crawl <site>` against local mirrors of the real sites, rows checked.

The spiders request the registry's real URLs; MIRROR_HOSTS routes them to the mirror server.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlite_utils

from crawler.store import minhash as dedupe
from tests.conftest import crawl

SITES = ["thoidai", "vietnamtimes", "baoquocte", "vinhphuc", "thainguyen", "phutho"]


def rows(db: Path, table: str) -> list[dict]:
    return list(sqlite_utils.Database(db)[table].rows)


@pytest.mark.parametrize("site", SITES)
def test_crawl_stores_the_sites_foreign_affairs_articles(mirror, tmp_path: Path, site: str):
    db = tmp_path / "news.db"
    result = crawl(mirror, site, db)
    assert result.returncode == 0, result.stderr[-3000:]
    articles = {a["url"]: a for a in rows(db, "articles")}
    expected = [e for e in mirror.expected(site) if e["foreign_affairs"]]
    assert expected, f"the mirror has no foreign-affairs article for {site}"
    stored_urls = {u["url"] for u in rows(db, "article_urls")}
    for exp in expected:
        assert exp["url"] in stored_urls or any(
            a["canonical_url"] == exp["url"] for a in articles.values()
        ), f"{exp['url']} not stored"
    by_title = {a["title"]: a for a in articles.values()}
    for exp in expected:
        got = by_title.get(exp["title"])
        if got is None:  # a republication is stored once, under the first title seen
            continue
        assert got["text"] == "\n\n".join(exp["paragraphs"])
        if site == "vinhphuc":  # listed by the API: its timestamp beats the page's bare day
            assert got["published_at"].startswith(exp["published_at"] + "T")
            assert json.loads(got["methods"])["published_at"] == "api"
        else:
            assert got["published_at"] == exp["published_at"]
        assert got["author"] == exp["author"]
        assert got["site"] == site
        assert got["content_hash"] and len(got["content_hash"]) == 64
        assert got["fetched_at"] == "2026-11-23T08:00:00+00:00"
    [run] = rows(db, "crawl_runs")
    assert run["spider"] == site and run["finish_reason"] == "finished"
    assert run["articles_new"] == len(articles) and run["pages_fetched"] > len(articles)
    # extraction and the pipelines' pure steps ran in the worker pool, in the extraction's
    # call, which reports what each cost (their ratio to wall time is bench/bench_crawl.py's)
    stats = json.loads(run["stats"])
    assert stats["pool/wall_seconds/page_item"] > 0
    for step in ("page_item", "memory_sample", "cap_fields", "normalise_text", "fingerprint",
                 "item_facets", "store_prep"):
        assert stats[f"pool/cpu_seconds/{step}"] > 0, step
    assert not any(key.startswith("pool/wall_seconds/") and key != "pool/wall_seconds/page_item"
                   for key in stats)  # no second round trip for any pipeline
    # the sketch made in a worker is the one the store would have computed itself
    signatures = {s["article_id"]: s for s in rows(db, "article_signatures")}
    for article in articles.values():
        signature, count = dedupe.sketch(article["text"])
        assert signatures[article["id"]]["minhash"] == dedupe.pack(signature)
        assert signatures[article["id"]]["shingles"] == count


def test_second_crawl_adds_no_duplicates(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    crawl(mirror, "baoquocte", db)
    first = len(rows(db, "articles"))
    crawl(mirror, "baoquocte", db)
    assert len(rows(db, "articles")) == first
    runs = rows(db, "crawl_runs")
    assert [r["articles_new"] for r in runs] == [first, 0]


def test_republication_across_sites_is_one_article_with_two_urls(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    crawl(mirror, "thoidai", db)
    crawl(mirror, "baoquocte", db)
    db_ = sqlite_utils.Database(db)
    shared = list(
        db_.query(
            "select a.id, count(distinct u.site) as sites from articles a "
            "join article_urls u on u.article_id = a.id group by a.id having sites > 1"
        )
    )
    assert len(shared) == 1
    [run] = [r for r in rows(db, "crawl_runs") if r["spider"] == "baoquocte"]
    assert run["duplicates"] >= 1


def test_sections_argument_limits_the_crawl(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    result = crawl(mirror, "thainguyen", db, "-a", "sections=tin-quoc-te", "-a", "max_pages=1")
    assert result.returncode == 0
    stats = json.loads(rows(db, "crawl_runs")[0]["stats"])
    assert stats["discovery/listing_pages"] == 1
    # Only that section: the home page's other articles are not fetched.
    in_section = {e["url"] for e in mirror.expected("thainguyen") if e["section"] == "tin-quoc-te"}
    stored = {u["url"] for u in rows(db, "article_urls")}
    assert stored and stored <= in_section
