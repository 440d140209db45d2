"""The store's writer process (crawler.store.writer) in real crawls: killed under a running
crawl, the crawl stops loudly with what it lost counted; the crawl killed, the writer ends
with it. The file is whole either way."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench.bench_crawl import children
from crawler.extensions.health import EXIT_FAILED
from crawler.extraction.calls import INITIALIZER as WORKER_INITIALIZER
from crawler.store.writer import INITIALIZER
from tests.conftest import ROOT, clean_env, fast_settings
from tests.test_durability_e2e import count

SLOW = ["-s", "DOWNLOAD_DELAY=0.15", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1"]


def start_crawl(mirror, db: Path, log: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "scrapy", "crawl", "thoidai"]
    args += fast_settings(mirror.hosts_map(), db) + SLOW + ["-s", "STORE_BATCH_SIZE=2"]
    with log.open("w") as err:
        return subprocess.Popen(
            args, cwd=ROOT, env=clean_env(), stdout=err, stderr=err, start_new_session=True
        )


def store_writer_of(crawl: subprocess.Popen) -> int:
    """The crawl's writer process, found by its command line."""
    for pid in children(crawl.pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if INITIALIZER.encode() in f.read():
                    return pid
        except FileNotFoundError:
            continue
    raise AssertionError(f"no store writer under the crawl {crawl.pid}")


def wait_for_articles(db: Path, crawl: subprocess.Popen, least: int) -> None:
    deadline = time.monotonic() + 90
    while count(db, "articles") < least and crawl.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert crawl.poll() is None, "the crawl ended before the writer could be killed"
    assert count(db, "articles") >= least


def ended(pid: int) -> bool:
    """Gone, or a zombie of a parent that is no longer ours to judge (init reaps it)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def assert_whole(db: Path) -> None:
    """The file is sound and every stored article is whole: its URL, page, full-text row."""
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        articles = conn.execute("select count(*) from articles").fetchone()[0]
        assert conn.execute("select count(*) from pages").fetchone()[0] == articles
        assert conn.execute("select count(*) from articles_fts").fetchone()[0] == articles
        assert (
            conn.execute(
                "select count(*) from articles a where not exists"
                " (select 1 from article_urls u where u.article_id = a.id)"
            ).fetchone()[0]
            == 0
        )


@contextlib.contextmanager
def storing_crawl(mirror, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    """A crawl that has stored two articles, and its writer's pid; what is left of it is
    killed at the end."""
    db, log = tmp_path / "news.db", tmp_path / "crawl.log"
    crawl = start_crawl(mirror, db, log)
    try:
        wait_for_articles(db, crawl, 2)
        yield crawl, store_writer_of(crawl)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(crawl.pid, signal.SIGKILL)
        crawl.wait()


def test_a_killed_writer_stops_the_crawl_with_its_batch_counted_lost(mirror, tmp_path: Path):
    db, log = tmp_path / "news.db", tmp_path / "crawl.log"
    with storing_crawl(mirror, tmp_path) as (crawl, writer):
        os.kill(writer, signal.SIGKILL)
        status = crawl.wait(timeout=180)
    text = log.read_text()
    assert "Traceback" not in text, text[-3000:]
    assert status == EXIT_FAILED, text[-3000:]
    assert f"the store writer process {writer} died: killed by SIGKILL" in text
    with sqlite3.connect(db) as conn:
        reason, stats = conn.execute("select finish_reason, stats from crawl_runs").fetchone()
        stored = {url for (url,) in conn.execute("select url from article_urls")}
    stats = json.loads(stats)
    assert reason == "store_error"
    lost = re.findall(r"not stored: (\S+)", text)
    assert 1 <= stats["store/lost_items"] == len(lost) <= 2  # one batch: the writer's
    assert stats["store/errors"] == 1  # the batches after it were written all the same
    assert not set(lost) & stored  # what is counted lost is really missing
    assert stats["store/new"] == count(db, "articles")  # and what is counted stored is there
    assert_whole(db)
    assert ended(writer)


def test_the_writer_ends_with_a_crawl_killed_by_sigkill(mirror, tmp_path: Path):
    db = tmp_path / "news.db"
    with storing_crawl(mirror, tmp_path) as (crawl, writer):
        os.kill(crawl.pid, signal.SIGKILL)  # the crawl alone, not its process group
        crawl.wait()
        deadline = time.monotonic() + 60
        while not ended(writer) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ended(writer)
    assert_whole(db)
    assert count(db, "articles") >= 2


def test_ctrl_c_to_the_process_group_leaves_the_writer_to_write_every_item(
    mirror, tmp_path: Path
):
    """A terminal's Ctrl-C reaches every process of the group: the writer ignores it and
    writes what the crawl hands it while the crawl stops gracefully."""
    db, log = tmp_path / "news.db", tmp_path / "crawl.log"
    crawl = start_crawl(mirror, db, log)
    try:
        wait_for_articles(db, crawl, 2)
        writer = store_writer_of(crawl)
        os.killpg(crawl.pid, signal.SIGINT)
        status = crawl.wait(timeout=180)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(crawl.pid, signal.SIGKILL)
    assert status == EXIT_FAILED  # stopped early: shutdown
    with sqlite3.connect(db) as conn:
        reason, stats = conn.execute("select finish_reason, stats from crawl_runs").fetchone()
    stats = json.loads(stats)
    assert reason == "shutdown"
    assert "store/lost_items" not in stats and "store/errors" not in stats
    outcomes = sum(stats.get(f"store/{o}", 0) for o in ("new", "duplicate", "seen", "updated"))
    assert outcomes == stats["item_scraped_count"] >= 2
    assert stats["store/new"] == count(db, "articles")
    assert_whole(db)
    assert ended(writer)


def extraction_workers_of(crawl: subprocess.Popen) -> list[int]:
    found = []
    for pid in children(crawl.pid):
        with contextlib.suppress(FileNotFoundError), open(f"/proc/{pid}/cmdline", "rb") as f:
            if WORKER_INITIALIZER.encode() in f.read():
                found.append(pid)
    return found


def test_the_extraction_workers_leave_a_ctrl_c_to_the_crawl(mirror, tmp_path: Path):
    """The group's Ctrl-C is the crawl's to handle (a graceful stop that still needs its
    workers): a worker that gets one goes on extracting, and the crawl loses nothing."""
    db, log = tmp_path / "news.db", tmp_path / "crawl.log"
    crawl = start_crawl(mirror, db, log)
    try:
        wait_for_articles(db, crawl, 1)
        workers = extraction_workers_of(crawl)
        assert workers
        for pid in workers:
            os.kill(pid, signal.SIGINT)
        time.sleep(0.5)  # the signal delivered and acted on (a worker that took it would die)
        finished = crawl.poll() is not None  # within the half second: nothing to judge
        alive = finished or not any(ended(pid) for pid in workers)
        status = crawl.wait(timeout=180)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(crawl.pid, signal.SIGKILL)
    assert alive
    assert status == 0
    assert "extraction worker died" not in log.read_text()

