"""Cut over-long fields before normalisation, hashing and fingerprinting (crawler.store.caps
holds the limits; the store applies them again to items that reach it another way)."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler

from crawler.extraction.pool import shared_pool, step_report
from crawler.store.caps import FIELD_LIMITS as FIELD_LIMITS  # re-exported
from crawler.store.caps import cap_fields, limit_of

logger = logging.getLogger(__name__)


class CapFieldsPipeline:
    """Cut over-long fields before normalisation, hashing and fingerprinting."""

    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        shared_pool(crawler.settings).add_step("cap_fields", cap_fields)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CapFieldsPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        ran, capped = step_report(item, "cap_fields")
        for name, size in (capped if ran else cap_fields(item)).items():
            self.stats.inc_value(f"store/capped/{name}")
            logger.warning(
                "%s: %s too long (%d), capped to %d (see articles.capped)",
                item.get("url"),
                name,
                size,
                limit_of(name),
            )
        return item
