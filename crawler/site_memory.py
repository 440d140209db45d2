"""A site's memory (crawler.extraction.memory) learnt from the store and from the crawl.

Extraction stays pure: this module reads what the store holds for a site (its articles'
titles and bodies) and what the current crawl has extracted so far, and hands extraction a
small immutable `SiteMemory` value.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from crawler.extraction.memory import EMPTY, SiteMemory, learn
from crawler.store.readonly import connect_readonly

STORE_SAMPLE = 2000  # the latest articles of a site are enough to see what it repeats
RELEARN_EVERY = 25  # crawl items between two updates of the crawl's memory


def learn_from_store(db: sqlite3.Connection, site: str, limit: int = STORE_SAMPLE) -> SiteMemory:
    """What `site` repeats, from its latest stored articles (identical bodies counted once)."""
    try:
        rows = db.execute(
            "SELECT title, text, content_hash FROM articles WHERE site = ? ORDER BY id DESC"
            " LIMIT ?",
            [site, limit],
        ).fetchall()
    except sqlite3.Error:  # an old or foreign file: no memory rather than no crawl
        return EMPTY
    seen: set[str] = set()
    items = []
    for title, text, digest in rows:
        items.append({"title": title, "text": "" if digest in seen else text})
        seen.add(digest)
    return learn(items)


def memory_items(store_path: str | Path | None, site: str) -> list[dict[str, Any]]:
    """A site's latest stored (title, text), read from the store file opened read-only."""
    if not store_path or not Path(store_path).exists():
        return []
    try:
        conn = connect_readonly(store_path)
    except sqlite3.Error:
        return []
    try:
        rows = conn.execute(
            "SELECT title, text FROM articles WHERE site = ? ORDER BY id DESC LIMIT ?",
            [site, STORE_SAMPLE],
        ).fetchall()
    except sqlite3.Error:
        return []
    finally:
        conn.close()
    return [{"title": title, "text": text} for title, text in rows]


class CrawlMemory:
    """The memory of one site during a crawl: the store's, then updated from the items the
    crawl extracts (a redesign's new chrome is seen after a few dozen pages)."""

    def __init__(self, stored: Iterable[Mapping[str, Any]] = (), window: int = STORE_SAMPLE):
        self.items: deque[dict[str, Any]] = deque(maxlen=window)
        for item in stored:
            self.items.append(dict(item))
        self.memory = learn(self.items) if self.items else EMPTY
        self._since = 0
        self._lock = threading.Lock()

    @classmethod
    def from_store(cls, store_path: str | Path | None, site: str) -> CrawlMemory:
        return cls(memory_items(store_path, site))

    def add(self, item: Mapping[str, Any]) -> None:
        keep = {k: item.get(k) for k in ("title", "text", "page_titles")}
        with self._lock:
            self.items.append(keep)
            self._since += 1
            if self._since >= RELEARN_EVERY:
                self._since = 0
                self.memory = learn(self.items)
