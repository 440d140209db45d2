"""Unicode NFC and whitespace for every text field (the store holds NFC only)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from crawler.extraction.pool import shared_pool, step_report
from crawler.text.normalise import normalise_item_text


class NormaliseTextPipeline:
    """normalise_item_text, done in the extraction worker for the spiders' items."""

    def __init__(self, crawler: Crawler):
        shared_pool(crawler.settings).add_step("normalise_text", normalise_item_text)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormaliseTextPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not step_report(item, "normalise_text")[0]:
            normalise_item_text(item)
        return item
