"""What the store already holds, asked one URL at a time (no set that grows with the archive).

The spider consults it before fetching an article link, so an incremental crawl fetches
listing heads and new articles only. The store is opened read-only: the spider never writes.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from crawler.discovery.urls import canonical_url


class KnownUrls:
    def __init__(self, store_path: str | Path):
        self.conn: sqlite3.Connection | None = None
        path = Path(store_path)
        if path.exists():
            try:
                self.conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
                self.conn.execute("SELECT 1 FROM article_urls LIMIT 1")
            except sqlite3.Error:
                self.close()

    def seen(self, url: str) -> tuple[datetime, datetime] | None:
        """(first, last) time the store saw this URL or another form of it (a host alias,
        an AMP or mobile variant), or None for a URL it does not hold."""
        if self.conn is None:
            return None
        try:
            row = self.conn.execute(
                "SELECT min(first_seen_at), max(last_seen_at) FROM article_urls "
                "WHERE url = ? OR canonical_url = ?",
                [url, canonical_url(url)],
            ).fetchone()
        except sqlite3.Error:
            return None
        if not row or row[0] is None:
            return None
        return datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1])

    def is_settled(
        self, url: str, now: datetime, revisit: timedelta, every: timedelta = timedelta(0)
    ) -> bool:
        """No need to fetch again: known, and either older than the revisit window or
        checked less than `every` ago (so a recent article is re-read a few times, not on
        every hourly run)."""
        seen = self.seen(url)
        if seen is None:
            return False
        first, last = seen
        return now - first >= revisit or now - last < every

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
