"""Exact and near duplicates: `content_hash` and the MinHash sketch (crawler.store.minhash)
stamped on every item, computed together in the crawl's worker pool, off the reactor; the
store looks the hash up and indexes the sketch (`near_sketch`)."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.crawler import Crawler

from crawler.extraction.pool import shared_pool, step_report
from crawler.store.minhash import fingerprint, stamp_fingerprint


class ContentHashPipeline:
    """Stamp `content_hash` and `near_sketch`, computed in the worker pool; the store looks the
    hash up to merge a republication into one article and indexes the sketch."""

    def __init__(self, crawler: Crawler):
        self.pool = shared_pool(crawler.settings)
        self.pool.add_step("fingerprint", stamp_fingerprint)
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentHashPipeline:
        return cls(crawler)

    async def process_item(self, item: Any) -> Any:
        if step_report(item, "fingerprint")[0] and item.get("content_hash"):
            return item
        try:
            found = await self.pool.run(fingerprint, item["text"], stats=self.stats)
        except BrokenProcessPool:  # a worker died (the pool restarts): never lose the item
            self.stats.inc_value("pool/inline_fallback")
            found = fingerprint(item["text"])
        for name, value in found.items():
            item[name] = value
        return item
