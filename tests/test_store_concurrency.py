"""Readers during writes, and a writer killed with SIGKILL, on real files and processes.

The writer is a real subprocess (`python -m tests.test_store_concurrency PATH ...`) writing
batches through Store.write in a loop, as the crawl's pipeline does.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from crawler.store import Store
from crawler.text.normalise import content_hash
from tests.conftest import ROOT, clean_env

BATCH = 10
WORDS = [
    "đoàn",
    "đại",
    "biểu",
    "tỉnh",
    "hợp",
    "tác",
    "hữu",
    "nghị",
    "đối",
    "ngoại",
    "nhân",
    "dân",
    "đầu",
    "tư",
    "phát",
    "triển",
    "kinh",
    "tế",
    "văn",
    "hoá",
    "giáo",
    "dục",
    "thanh",
    "niên",
    "doanh",
    "nghiệp",
    "hội",
    "nghị",
    "ký",
    "kết",
    "thoả",
    "thuận",
    "Nhật",
    "Bản",
    "Hàn",
    "Quốc",
    "Lào",
    "Campuchia",
    "Vĩnh",
    "Phúc",
    "Thái",
    "Nguyên",
    "Phú",
    "Thọ",
    "chào",
    "mừng",
    "kỷ",
    "niệm",
    "năm",
    "quan",
    "hệ",
    "ngoại",
    "giao",
]


def article(number: int) -> dict:
    rng = random.Random(number)
    paragraphs = [" ".join(rng.choices(WORDS, k=60)) + "." for _ in range(4)]
    text = f"Bài số {number}.\n\n" + "\n\n".join(paragraphs)
    return {
        "url": f"https://thoidai.com.vn/bai-{number}.html",
        "site": "thoidai",
        "title": f"Bài số {number}",
        "text": text,
        "content_hash": content_hash(text),
        "fetched_at": "2026-11-23T08:00:00+00:00",
        "html": "<html><body>" + f"<p>{text}</p>" * 40 + "</body></html>",
        "hints": {"section": "huu-nghi"},
    }


def writer(path: str, batches: int, stall_in_batch: int, first: int = 0) -> None:
    """Write `batches` batches of articles numbered from `first`; with stall_in_batch=N, stop
    forever in the middle of batch N."""
    store = Store(path)
    print("ready", flush=True)
    for b in range(batches):
        items = [article(first + b * BATCH + i) for i in range(BATCH)]

        def feed(items: list[dict] = items, b: int = b) -> Iterator[dict]:
            for n, one in enumerate(items):
                if b == stall_in_batch and n == BATCH // 2:
                    print("stalled mid-batch", flush=True)
                    time.sleep(3600)
                yield one

        store.write(feed())  # type: ignore[arg-type]
        print(f"committed {b + 1}", flush=True)
    store.close()


def start_writer(
    path: Path, batches: int, stall_in_batch: int = -1, first: int = 0
) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.test_store_concurrency", str(path), str(batches)]
        + [str(stall_in_batch), str(first)],
        cwd=ROOT,
        env=clean_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.stderr.read()
    return process


CHECK = """
    SELECT
        (SELECT count(*) FROM articles),
        (SELECT count(*) FROM articles a
            WHERE NOT EXISTS (SELECT 1 FROM article_urls u WHERE u.article_id = a.id)
               OR NOT EXISTS (SELECT 1 FROM pages p WHERE p.article_id = a.id)
               OR NOT EXISTS (SELECT 1 FROM article_signatures s WHERE s.article_id = a.id)),
        (SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'bai so'),
        (SELECT count(*) FROM article_urls)
"""


def check_consistent(row: tuple) -> int:
    """Whole batches only, each article complete: URL, page, signature, full-text entry."""
    articles, incomplete, indexed, urls = row
    assert articles % BATCH == 0, f"half a batch visible: {articles} articles"
    assert incomplete == 0, f"{incomplete} half-written articles visible"
    assert indexed == articles == urls, row
    return articles


def test_readers_never_see_a_lock_or_half_an_article_during_writes(tmp_path: Path):
    path = tmp_path / "news.db"
    process = start_writer(path, batches=40)
    shell_like = sqlite3.connect(path, timeout=0, isolation_level=None)  # sqlite3 shell: no wait
    read_only = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=0)  # Datasette
    utils = sqlite_utils.Database(path)  # sqlite-utils
    readers = [shell_like.execute, read_only.execute, utils.execute]
    reads, seen = 0, set()
    deadline = time.monotonic() + 120
    try:
        while process.poll() is None and time.monotonic() < deadline:
            seen.add(check_consistent(readers[reads % 3](CHECK).fetchone()))
            reads += 1
        assert process.wait(timeout=60) == 0, process.stderr.read()
        seen.add(check_consistent(shell_like.execute(CHECK).fetchone()))
    finally:
        process.kill()
        for connection in (shell_like, read_only, utils):
            connection.close()
    assert max(seen) == 40 * BATCH
    assert len(seen) >= 3, f"the reads did not overlap the writes: {sorted(seen)}"
    print(f"\n{reads} reads during the write of 40 batches: no error, {len(seen)} states seen")


def test_sigkill_mid_batch_leaves_a_consistent_database_that_the_next_crawl_continues(
    tmp_path: Path,
):
    path = tmp_path / "news.db"
    process = start_writer(path, batches=10, stall_in_batch=3)
    assert process.stdout is not None
    lines = [process.stdout.readline().strip() for _ in range(4)]
    assert lines == ["committed 1", "committed 2", "committed 3", "stalled mid-batch"]
    process.send_signal(signal.SIGKILL)  # half of batch 4 is written, uncommitted, in the WAL
    assert process.wait(timeout=30) == -signal.SIGKILL
    assert (tmp_path / "news.db-wal").exists()

    store = Store(path)  # the next crawl
    db = store.db
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert check_consistent(db.execute(CHECK).fetchone()) == 3 * BATCH
    # it goes on: batch 4 again is new, batch 3 again is already there
    assert store.write([article(3 * BATCH + i) for i in range(BATCH)]) == ["new"] * BATCH
    assert store.write([article(2 * BATCH + i) for i in range(BATCH)]) == ["seen"] * BATCH
    assert check_consistent(db.execute(CHECK).fetchone()) == 4 * BATCH
    assert [r[0] for r in db.execute("SELECT id FROM articles ORDER BY id")] == list(
        range(1, 4 * BATCH + 1)
    )
    store.close()


def test_two_writers_at_once_wait_for_each_other_and_lose_nothing(tmp_path: Path):
    path = tmp_path / "news.db"
    Store(path).close()
    one = start_writer(path, batches=30)
    two = start_writer(path, batches=30, first=10_000)
    for process in (one, two):
        assert process.wait(timeout=120) == 0, process.stderr.read()
    db = sqlite3.connect(path)
    assert check_consistent(db.execute(CHECK).fetchone()) == 2 * 30 * BATCH
    db.close()


if __name__ == "__main__":
    writer(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
