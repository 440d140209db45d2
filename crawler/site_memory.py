"""A site's memory (crawler.extraction.memory) learnt from the store and from the crawl.

Extraction stays pure: this module reads what the store holds for a site (its articles'
titles and bodies) and what the current crawl has extracted so far, and hands extraction a
small immutable `SiteMemory` value.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from crawler.extraction.memory import EMPTY, Counts, Sample, SiteMemory, learn, sample
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
    crawl extracts (a redesign's new chrome is seen after a few dozen pages).

    Counts are kept over a sliding window of Samples (each computed in the extraction
    worker), so an update costs the reactor only the keys that changed. `publish` turns each
    new SiteMemory into what goes with the extraction calls (the pool's `share`: a file the
    workers read once); `current` is that.
    """

    def __init__(
        self,
        stored: Iterable[Mapping[str, Any]] | Callable[[], Iterable[Mapping[str, Any]]] = (),
        window: int = STORE_SAMPLE,
        publish: Callable[[SiteMemory], Any] | None = None,
    ):
        """`stored`: the store's items, or a function reading them, called when the memory
        is first needed (an incremental run that finds nothing new never reads them)."""
        self.window: deque[Sample] = deque()
        self.size = window
        self.counts = Counts()
        self.publish = publish or (lambda memory: memory)
        self._since = 0
        self._lock = threading.Lock()
        self._stored = stored
        self._memory: SiteMemory | None = None
        self._current: Any = None

    @classmethod
    def from_store(
        cls,
        store_path: str | Path | None,
        site: str,
        publish: Callable[[SiteMemory], Any] | None = None,
    ) -> CrawlMemory:
        return cls(lambda: memory_items(store_path, site), publish=publish)

    def _load(self) -> None:
        stored, self._stored = self._stored, ()
        for item in stored() if callable(stored) else stored:
            self._push(sample(item))
        self._relearn()

    def _loaded(self, name: str) -> Any:
        with self._lock:
            if self._memory is None:
                self._load()
            return getattr(self, name)

    @property
    def memory(self) -> SiteMemory:
        return self._loaded("_memory")

    @property
    def current(self) -> Any:
        """What goes with an extraction call (see `publish`)."""
        return self._loaded("_current")

    def _push(self, s: Sample) -> None:
        self.window.append(s)
        self.counts.add(s)
        if len(self.window) > self.size:
            self.counts.remove(self.window.popleft())

    def _relearn(self) -> None:
        self._memory = self.counts.memory() if self.window else EMPTY
        self._current = self.publish(self._memory)

    def add(self, item: Mapping[str, Any]) -> None:
        """Count an extracted item (its `memory_sample` when the worker made one)."""
        given = item.get("memory_sample")
        self.add_sample(given if isinstance(given, Sample) else sample(item))

    def add_sample(self, s: Sample) -> None:
        with self._lock:
            if self._memory is None:
                self._load()
            self._push(s)
            self._since += 1
            if self._since >= RELEARN_EVERY:
                self._since = 0
                self._relearn()
