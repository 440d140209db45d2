"""Drop pages that are not articles, with the reason counted in the crawl stats."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from crawler.extraction.item import MIN_TEXT_CHARS, rejection_reason


class ValidatePipeline:
    def __init__(self, crawler: Crawler):
        self.stats = crawler.stats
        self.min_text_chars = crawler.settings.getint("MIN_TEXT_CHARS", MIN_TEXT_CHARS)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        reason = rejection_reason(item, self.min_text_chars)
        if reason:
            self.stats.inc_value(f"dropped/{reason}")
            raise DropItem(f"not an article ({reason}): {item.get('url')}", log_level="INFO")
        return item
