"""Cut over-long fields before normalisation, hashing and fingerprinting (crawler.store.caps
holds the limits; the store applies them again to items that reach it another way)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler.store.caps import FIELD_LIMITS as FIELD_LIMITS  # re-exported
from crawler.store.caps import cap_fields, limit_of

logger = logging.getLogger(__name__)


class CapFieldsPipeline:
    """Cut over-long fields before normalisation, hashing and fingerprinting."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CapFieldsPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        for name, size in cap_fields(item).items():
            self.stats.inc_value(f"store/capped/{name}")
            logger.warning(
                "%s: %s too long (%d), capped to %d (see articles.capped)",
                item.get("url"),
                name,
                size,
                limit_of(name),
            )
        return item
