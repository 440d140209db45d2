"""Incremental and limited crawls against the mirror: second runs fetch heads, not articles."""

from __future__ import annotations

import json
from pathlib import Path

import sqlite_utils

from tests.conftest import crawl
from tests.mirror.server import MirrorServer


def runs(db: Path) -> list[dict]:
    out = list(sqlite_utils.Database(db)["crawl_runs"].rows)
    for run in out:
        run["stats"] = json.loads(run["stats"])
    return out


def test_second_run_fetches_listing_heads_only(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    first = crawl(mirror, "thoidai", db, "-s", "REVISIT_HOURS=0")
    second = crawl(mirror, "thoidai", db, "-s", "REVISIT_HOURS=0")
    assert first.returncode == second.returncode == 0, second.stderr[-2000:]
    one, two = runs(db)
    assert one["articles_new"] > 10
    assert two["articles_new"] == 0 and two["duplicates"] == 0
    assert two["stats"].get("extract/pages", 0) == 0  # no article page fetched again
    assert two["stats"]["discovery/known_articles"] >= one["articles_new"]
    requests = (one["stats"]["downloader/request_count"], two["stats"]["downloader/request_count"])
    assert requests[1] * 3 < requests[0], requests
    # The listing that has two pages is read at its head only.
    assert two["stats"]["discovery/listing_stopped_known"] >= 1


def test_recent_articles_are_revisited_to_catch_edits(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    crawl(mirror, "phutho", db)
    # Same fetch time: inside the 48 h revisit window, and re-reading allowed at once.
    crawl(mirror, "phutho", db, "-s", "REVISIT_EVERY_HOURS=0")
    one, two = runs(db)
    assert two["stats"]["extract/pages"] == one["stats"]["extract/pages"]
    assert two["stats"]["store/seen"] == one["articles_new"]
    assert two["articles_new"] == 0


def test_recent_articles_are_not_reread_on_every_run(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    crawl(mirror, "phutho", db)
    crawl(mirror, "phutho", db)  # checked 0 h ago, less than REVISIT_EVERY_HOURS (6)
    assert runs(db)[1]["stats"].get("extract/pages", 0) == 0


def test_since_drops_older_articles(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    everything = [e["published_at"][:10] for e in mirror.expected("baoquocte")]
    cut = sorted(everything)[len(everything) // 2]
    result = crawl(mirror, "baoquocte", db, "-a", f"since={cut}")
    assert result.returncode == 0
    stored = list(sqlite_utils.Database(db)["articles"].rows)
    assert stored and all(a["published_at"][:10] >= cut for a in stored)
    assert runs(db)[0]["stats"]["dropped/older_than_since"] >= 1


def test_since_is_applied_by_the_spider(mirror, tmp_path: Path):
    latest = max(e["published_at"][:10] for e in mirror.expected("thoidai"))
    result = crawl(mirror, "thoidai", tmp_path / "news.db", "-a", f"since={latest}")
    assert result.returncode == 0, result.stderr[-2000:]
    [run] = runs(tmp_path / "news.db")
    stored = list(sqlite_utils.Database(tmp_path / "news.db")["articles"].rows)
    assert stored and all(a["published_at"][:10] >= latest for a in stored)
    # older articles never become items: no pipeline drops them
    assert run["stats"]["dropped/older_than_since"] == run["stats"]["extract/pages"] - len(stored)
    assert run["stats"].get("item_dropped_count", 0) == 0


def test_max_items_stops_the_crawl_cleanly(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    result = crawl(mirror, "baoquocte", db, "-a", "max_items=3", "-s", "CONCURRENT_REQUESTS=2")
    assert result.returncode == 0, result.stderr[-2000:]
    [run] = runs(db)
    assert run["finish_reason"] == "max_items"
    assert run["articles_new"] == 3


def test_bad_spider_argument_is_a_clear_error(mirror, tmp_path: Path):
    result = crawl(
        mirror, "baoquocte", tmp_path / "news.db", "-a", "since=yesterday", tracebacks=True
    )
    assert result.returncode != 0
    assert "-a since='yesterday': expected YYYY-MM-DD" in result.stderr


def test_listings_are_revalidated_with_conditional_requests(tmp_path: Path):
    db = tmp_path / "news.db"
    with MirrorServer() as mirror:  # its own server: counts the 304s of this test only
        crawl(mirror, "thainguyen", db, "-s", "REVISIT_HOURS=0")
        crawl(mirror, "thainguyen", db, "-s", "REVISIT_HOURS=0")
        not_modified = mirror.not_modified[("thainguyen.gov.vn", "/")]
    one, two = runs(db)
    assert (tmp_path / "httpcache").is_dir()  # beside the store, not shared between stores
    assert "httpcache/revalidate" not in one["stats"]
    # The second run asked "changed since?" and the server answered 304 Not Modified.
    assert not_modified == 1
    assert two["stats"]["httpcache/revalidate"] >= 2
    assert two["articles_new"] == 0 and two["stats"].get("extract/pages", 0) == 0
