"""The SQLite store (docs/schema.md is its contract) and the pipeline that writes it.

One row per distinct article (by content hash), one row per URL it was seen at, one row per
crawl. Writes go in batches, each batch one transaction: a crash loses at most the unwritten
batch, never half an article. WAL mode lets readers query while a crawl writes.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000

ARTICLE_COLUMNS = (
    "url",
    "canonical_url",
    "site",
    "title",
    "lead",
    "text",
    "author",
    "section",
    "language",
    "published_at",
    "published_raw",
    "date_precision",
    "date_error",
    "date_conflicts",
    "images",
    "methods",
    "content_hash",
    "fetched_at",
)


class StoreError(RuntimeError):
    """The database cannot be used; the message names the file and the problem."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _create_v1(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {
            "id": int,
            "url": str,
            "canonical_url": str,
            "site": str,
            "title": str,
            "lead": str,
            "text": str,
            "author": str,
            "section": str,
            "language": str,
            "published_at": str,
            "published_raw": str,
            "date_precision": str,
            "date_error": str,
            "date_conflicts": str,
            "images": str,
            "methods": str,
            "content_hash": str,
            "fetched_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"url", "site", "title", "text", "content_hash", "fetched_at"},
    )
    db["articles"].create_index(["content_hash"], unique=True)
    db["articles"].create_index(["site", "published_at"])
    db["articles"].create_index(["published_at"])
    db["article_urls"].create(
        {
            "id": int,
            "url": str,
            "article_id": int,
            "site": str,
            "first_seen_at": str,
            "last_seen_at": str,
        },
        pk="id",
        not_null={"url", "article_id", "site", "first_seen_at", "last_seen_at"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_urls"].create_index(["url"], unique=True)
    db["article_urls"].create_index(["article_id"])
    db["article_versions"].create(
        {
            "id": int,
            "article_id": int,
            "content_hash": str,
            "title": str,
            "text": str,
            "seen_at": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_versions"].create_index(["article_id"])
    db["crawl_runs"].create(
        {
            "id": int,
            "spider": str,
            "started_at": str,
            "finished_at": str,
            "finish_reason": str,
            "pages_fetched": int,
            "items_extracted": int,
            "articles_new": int,
            "articles_updated": int,
            "duplicates": int,
            "dropped": str,
            "errors": int,
            "http_status": str,
            "stats": str,
        },
        pk="id",
        not_null={"spider", "started_at"},
    )
    db["crawl_runs"].create_index(["spider", "started_at"])


MIGRATIONS = {1: _create_v1}


class Store:
    """A connection to the article database, created and migrated on open."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(self.path)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.enable_wal()
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"{self.path}: cannot open the article database: {exc}") from exc

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this crawler's "
                f"({SCHEMA_VERSION}); upgrade the crawler"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.db.atomic():
                MIGRATIONS[target](self.db)
                self.db.execute(f"PRAGMA user_version = {target}")

    def close(self) -> None:
        self.db.close()

    # -- articles -----------------------------------------------------------------------------

    def write(self, items: list[dict[str, Any]]) -> list[str]:
        """Write items in one transaction; return each one's outcome.

        Outcomes: "new" (a new article), "duplicate" (its body is already stored, under
        another URL), "seen" (this URL with this body again), "updated" (this URL's article
        changed its body: the row takes the new text and the old one goes to history).
        """
        with self.db.atomic():
            return [self._write_one(item) for item in items]

    def _write_one(self, item: dict[str, Any]) -> str:
        seen_at = item["fetched_at"]
        by_hash = self.db.execute(
            "SELECT id FROM articles WHERE content_hash = ?", [item["content_hash"]]
        ).fetchone()
        by_url = self.db.execute(
            "SELECT article_id FROM article_urls WHERE url = ?", [item["url"]]
        ).fetchone()
        row = {name: item.get(name) for name in ARTICLE_COLUMNS}
        if by_hash:
            article_id = by_hash[0]
            outcome = "seen" if by_url and by_url[0] == article_id else "duplicate"
        elif by_url:
            article_id = by_url[0]
            old = self.db.execute(
                "SELECT content_hash, title, text, fetched_at FROM articles WHERE id = ?",
                [article_id],
            ).fetchone()
            self.db["article_versions"].insert(
                {
                    "article_id": article_id,
                    "content_hash": old[0],
                    "title": old[1],
                    "text": old[2],
                    "seen_at": old[3],
                }
            )
            row.pop("url")  # the article keeps the first URL it was seen at
            self.db["articles"].update(article_id, {**row, "updated_at": seen_at})
            outcome = "updated"
        else:
            article_id = self.db["articles"].insert(row).last_pk
            outcome = "new"
        self.db.execute(
            """
            INSERT INTO article_urls (url, article_id, site, first_seen_at, last_seen_at)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(url) DO UPDATE SET
                article_id = excluded.article_id, last_seen_at = excluded.last_seen_at
            """,
            [item["url"], article_id, item["site"], seen_at, seen_at],
        )
        return outcome

    # -- crawl runs ---------------------------------------------------------------------------

    def start_run(self, spider: str, started_at: str) -> int:
        with self.db.atomic():
            return (
                self.db["crawl_runs"].insert({"spider": spider, "started_at": started_at}).last_pk
            )

    def finish_run(self, run_id: int, values: dict[str, Any]) -> None:
        with self.db.atomic():
            self.db["crawl_runs"].update(run_id, values)


class SQLiteStorePipeline:
    """Buffer items and write them in batches (STORE_BATCH_SIZE, or every few seconds)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = crawler.settings.get("SQLITE_PATH")
        if not self.path:
            raise NotConfigured("SQLITE_PATH is empty")
        self.batch_size = crawler.settings.getint("STORE_BATCH_SIZE", 50)
        self.max_wait = crawler.settings.getfloat("STORE_FLUSH_SECONDS", 5.0)
        self.pending: list[dict[str, Any]] = []
        self.oldest = 0.0
        self.store: Store | None = None
        crawler.signals.connect(self.flush, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SQLiteStorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.store = Store(self.path)

    def close_spider(self) -> None:
        self.flush()
        if self.store is not None:
            self.store.close()

    def process_item(self, item: Any) -> Any:
        if not self.pending:
            self.oldest = time.monotonic()
        self.pending.append(dict(item))
        if len(self.pending) >= self.batch_size or time.monotonic() - self.oldest > self.max_wait:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.pending or self.store is None:
            return
        batch, self.pending = self.pending, []
        try:
            outcomes = self.store.write(batch)
        except sqlite3.Error as exc:
            self.stats.inc_value("store/errors")
            self.stats.inc_value("store/lost_items", len(batch))
            logger.error("%s: writing %d articles failed: %s", self.path, len(batch), exc)
            if self.crawler.engine is not None and self.crawler.engine.spider is not None:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="store_error"))
            return
        for outcome in outcomes:
            self.stats.inc_value(f"store/{outcome}")
