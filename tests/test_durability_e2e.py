"""A crawl killed with SIGKILL, and readers querying while a real crawl writes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import sqlite_utils

from tests.conftest import ROOT, clean_env, crawl, fast_settings

SLOW = ["-s", "DOWNLOAD_DELAY=0.15", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


def start_crawl(mirror, spider: str, db: Path, *extra: str) -> subprocess.Popen:
    args = [sys.executable, "-m", "scrapy", "crawl", spider]
    args += fast_settings(mirror.hosts_map(), db) + list(extra)
    return subprocess.Popen(
        args,
        cwd=ROOT,
        env=clean_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def count(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute(f"select count(*) from {table}").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_sigkill_mid_crawl_then_resume_without_refetch_or_duplicates(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    proc = start_crawl(mirror, "thoidai", db, *SLOW, "-s", "STORE_BATCH_SIZE=2")
    deadline = time.monotonic() + 60
    while count(db, "articles") < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    stored_before = count(db, "articles")
    assert 4 <= stored_before < len(mirror.expected("thoidai"))

    result = crawl(mirror, "thoidai", db, "-s", "REVISIT_HOURS=0")
    assert result.returncode == 0, result.stderr[-2000:]
    store = sqlite_utils.Database(db)
    assert store.execute("pragma integrity_check").fetchone()[0] == "ok"
    runs = list(store["crawl_runs"].rows)
    assert runs[0]["finished_at"] is None  # the killed run never closed
    resumed = runs[-1]
    assert resumed["articles_new"] == count(db, "articles") - stored_before
    assert resumed["duplicates"] == 0
    # What the killed run stored was not fetched again.
    stored_urls = {r["url"] for r in store.query("select url from article_urls")}
    assert len(stored_urls) == count(db, "article_urls")
    assert json.loads(resumed["stats"])["extract/pages"] == resumed["articles_new"]


def test_readers_never_see_a_lock_or_half_an_article_during_a_crawl(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    crawl(mirror, "phutho", db)  # the file exists before readers start
    proc = start_crawl(mirror, "baoquocte", db, *SLOW, "-s", "STORE_BATCH_SIZE=3")
    reads, errors, torn = 0, [], 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0)
    try:
        while proc.poll() is None:
            try:
                rows = conn.execute(
                    "select a.id, a.text, a.content_hash, count(u.id) from articles a "
                    "left join article_urls u on u.article_id = a.id group by a.id"
                ).fetchall()
                conn.execute("select count(*) from articles_fts where articles_fts match 'doi'")
            except sqlite3.OperationalError as exc:
                errors.append(str(exc))
                continue
            reads += 1
            torn += sum(1 for _, text, h, urls in rows if not text or not h or urls == 0)
    finally:
        conn.close()
    assert proc.returncode == 0
    assert reads > 20
    assert errors == []
    assert torn == 0
    assert count(db, "articles") > 10
